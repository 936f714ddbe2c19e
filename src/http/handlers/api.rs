//! The JSON API (SPEC §4): JSON in, JSON out, errors as `application/problem+json`.
//! No cookies and no CSRF: nothing here reads ambient credentials.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::accounts::{Confirmation, ConfirmationProof, Email, LinkStatus, NewAccount};
use crate::http::AppState;
use crate::http::error::{AppError, Problem};

/// Errors of the API: the web layer's [`AppError`] as a problem document, or a problem
/// written for the API.
pub enum ApiError {
    App(AppError),
    Problem(Problem),
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError::App(error)
    }
}

impl From<crate::accounts::AccountsError> for ApiError {
    fn from(error: crate::accounts::AccountsError) -> Self {
        ApiError::App(error.into())
    }
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        ApiError::Problem(problem)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::App(error) => error.into_problem(),
            ApiError::Problem(problem) => problem.into_response(),
        }
    }
}

/// A JSON body: `415` without `Content-Type: application/json`, `413` past the size
/// limit, `400` for malformed JSON.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(AppError::UnsupportedMediaType.into());
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|_| AppError::PayloadTooLarge)?;
        serde_json::from_slice(&body).map(ApiJson).map_err(|error| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "Malformed JSON",
                format!("The body is not the JSON this endpoint takes: {error}."),
            )
            .into()
        })
    }
}

#[derive(serde::Deserialize)]
pub struct RegistrationRequest {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

#[derive(serde::Deserialize)]
pub struct ConfirmationRequest {
    #[serde(default)]
    token: String,
    password: Option<String>,
    new_password: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct ResendRequest {
    #[serde(default)]
    email: String,
}

/// `202 {"status":"pending_confirmation"}`, also for an address that is already
/// registered. The token is only ever sent by email.
pub async fn register(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RegistrationRequest>,
) -> Result<Response, ApiError> {
    let min_length = state.accounts.rules().password_min_length;
    let account =
        NewAccount::parse(&request.email, &request.password, min_length).map_err(|rejection| {
            let errors = [
                ("email", rejection.email.map(|reason| reason.to_string())),
                (
                    "password",
                    rejection.password.map(|reason| reason.to_string()),
                ),
            ];
            Problem::invalid_fields(
                errors
                    .into_iter()
                    .filter_map(|(field, reason)| Some((field, reason?)))
                    .collect(),
            )
        })?;
    state.accounts.register(account).await?;
    Ok(accepted("pending_confirmation"))
}

pub async fn confirm(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ConfirmationRequest>,
) -> Result<Response, ApiError> {
    let proof = match (request.password, request.new_password) {
        (_, Some(new_password)) if !new_password.is_empty() => {
            ConfirmationProof::NewPassword(new_password)
        }
        (Some(password), _) => ConfirmationProof::Password(password),
        (None, _) => {
            let errors = BTreeMap::from([(
                "password",
                "Give `password` (chosen at sign-up) or `new_password`.".to_owned(),
            )]);
            return Err(Problem::invalid_fields(errors).into());
        }
    };
    match state.accounts.confirm(&request.token, proof).await? {
        Confirmation::Confirmed { .. } => Ok(status_json(StatusCode::OK, "confirmed")),
        Confirmation::WrongPassword { .. } => Err(Problem::invalid_fields(BTreeMap::from([(
            "password",
            "That is not the password chosen at sign-up; send `new_password` to replace it."
                .to_owned(),
        )]))
        .into()),
        Confirmation::NewPasswordRejected { reason, .. } => Err(Problem::invalid_fields(
            BTreeMap::from([("new_password", reason.to_string())]),
        )
        .into()),
        Confirmation::Link(LinkStatus::AlreadyUsed) => {
            Ok(status_json(StatusCode::OK, "already_confirmed"))
        }
        Confirmation::Link(LinkStatus::Expired { .. }) => {
            Err(Problem::new(StatusCode::GONE, "Link expired", "Signature has expired.").into())
        }
        Confirmation::Link(LinkStatus::Invalid | LinkStatus::Usable { .. }) => Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "Invalid link",
            "Error decoding signature.",
        )
        .into()),
    }
}

/// `202` whether or not the address exists.
pub async fn resend(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ResendRequest>,
) -> Result<Response, ApiError> {
    if let Ok(email) = Email::parse(&request.email) {
        state.accounts.resend_confirmation(&email).await?;
    }
    Ok(accepted("accepted"))
}

pub async fn not_found() -> ApiError {
    AppError::NotFound.into()
}

pub async fn method_not_allowed() -> ApiError {
    AppError::MethodNotAllowed.into()
}

fn accepted(status: &str) -> Response {
    status_json(StatusCode::ACCEPTED, status)
}

fn status_json(code: StatusCode, status: &str) -> Response {
    (code, Json(json!({ "status": status }))).into_response()
}
