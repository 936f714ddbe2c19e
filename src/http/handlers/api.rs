//! The JSON API (SPEC §4): JSON in, JSON out, errors as `application/problem+json`.
//! No cookies and no CSRF: nothing here reads ambient credentials.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::accounts::{
    AccountsError, AddressRequest, CodeConfirmation, CodeProof, Confirmation, ConfirmationFields,
    ConfirmationProof, Email, LinkProblem, NewAccount,
};
use crate::http::AppState;
use crate::http::error::{AppError, FieldErrors, ProblemJson};
use crate::http::forms::address_if_valid;
use crate::http::language::RequestLanguage;
use crate::tokens::{CodeAttempt, LinkToken, Purpose};
use axum::Router;
use axum::routing::post;

/// Mounted at `/api/v1`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/registrations", post(register))
        .route("/confirmations", post(confirm))
        .route("/confirmations/resend", post(resend))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// A JSON body: `415` without `Content-Type: application/json`, `413` past the size
/// limit, `400` for malformed JSON.
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ProblemJson;

    async fn from_request(request: Request, state: &S) -> Result<Self, ProblemJson> {
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
            AppError::BadRequest(format!(
                "The body is not the JSON this endpoint takes: {error}."
            ))
            .into()
        })
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct RegistrationRequest {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

#[derive(serde::Deserialize)]
pub(crate) struct ConfirmationRequest {
    /// The link's token; or `email` and `code` from the confirmation email instead.
    #[serde(default)]
    token: String,
    email: Option<String>,
    code: Option<String>,
    password: Option<String>,
    new_password: Option<String>,
}

#[derive(serde::Deserialize)]
pub(crate) struct ResendRequest {
    #[serde(default, deserialize_with = "address_if_valid")]
    email: Option<Email>,
}

/// `202 {"status":"pending_confirmation"}`, also for an address that is already
/// registered. The token is only ever sent by email.
pub(crate) async fn register(
    State(state): State<AppState>,
    RequestLanguage(language): RequestLanguage,
    ApiJson(request): ApiJson<RegistrationRequest>,
) -> Result<Response, ProblemJson> {
    let min_length = state.accounts.rules().password_min_length;
    let account =
        NewAccount::parse(&request.email, &request.password, min_length).map_err(AppError::from)?;
    state.accounts.register(account, language, None).await?;
    Ok(accepted("pending_confirmation"))
}

pub(crate) async fn confirm(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ConfirmationRequest>,
) -> Result<Response, ProblemJson> {
    let fields = ConfirmationFields {
        password: request.password,
        new_password: request.new_password,
    };
    let proof = ConfirmationProof::try_from(fields)
        .map_err(|missing| invalid("password", missing.to_string()))?;
    let outcome = match request.code {
        Some(code) => {
            let email = Email::parse(request.email.as_deref().unwrap_or_default()).ok();
            confirm_with_code(&state, email, CodeAttempt::parse(&code), proof).await?
        }
        None => {
            let token = LinkToken::parse(&request.token)
                .ok_or(AppError::Link(Purpose::Confirm, LinkProblem::Invalid))?;
            state.accounts.confirm(&token, proof).await
        }
    };
    match outcome {
        Ok(Confirmation::Confirmed { .. }) => Ok(status_json(StatusCode::OK, "confirmed")),
        Ok(Confirmation::WrongPassword { .. }) => Err(invalid(
            "password",
            "That is not the password chosen at sign-up; send `new_password` to replace it."
                .to_owned(),
        )
        .into()),
        Ok(Confirmation::NewPasswordRejected { reason, .. }) => {
            Err(invalid("new_password", reason.to_string()).into())
        }
        // Re-posting a spent link is an answer, not an error.
        Err(AccountsError::Link(_, LinkProblem::AlreadyUsed)) => {
            Ok(status_json(StatusCode::OK, "already_confirmed"))
        }
        Err(error) => Err(error.into()),
    }
}

/// The code path of `POST /api/v1/confirmations`: a code with no pending confirmation
/// behind it (unknown address, confirmed, expired, past the cap) is a wrong code.
async fn confirm_with_code(
    state: &AppState,
    email: Option<Email>,
    code: CodeAttempt,
    proof: ConfirmationProof,
) -> Result<Result<Confirmation, AccountsError>, AppError> {
    let wrong_code = || {
        invalid(
            "code",
            "That code is not right; check the newest confirmation email.".to_owned(),
        )
    };
    let Some(email) = email else {
        return Err(wrong_code());
    };
    match state
        .accounts
        .confirm_with_code(&email, code, CodeProof::Confirmation(proof))
        .await?
    {
        CodeConfirmation::Confirmed(grant) => Ok(Ok(Confirmation::Confirmed(grant))),
        CodeConfirmation::Refused(confirmation) => Ok(Ok(confirmation)),
        CodeConfirmation::WrongCode | CodeConfirmation::NeedsPassword { .. } => Err(wrong_code()),
    }
}

fn invalid(field: &'static str, reason: String) -> AppError {
    AppError::Invalid(FieldErrors::from([(field, reason)]))
}

/// `202` whether or not the address exists.
pub(crate) async fn resend(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ResendRequest>,
) -> Result<Response, ProblemJson> {
    state
        .accounts
        .request_by_address(AddressRequest::Confirmation, request.email.as_ref())
        .await?;
    Ok(accepted("accepted"))
}

pub(crate) async fn not_found() -> ProblemJson {
    AppError::NotFound.into()
}

pub(crate) async fn method_not_allowed() -> ProblemJson {
    AppError::MethodNotAllowed.into()
}

fn accepted(status: &str) -> Response {
    status_json(StatusCode::ACCEPTED, status)
}

fn status_json(code: StatusCode, status: &str) -> Response {
    (code, Json(json!({ "status": status }))).into_response()
}
