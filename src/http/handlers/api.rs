//! The JSON API (SPEC §4): JSON in, JSON out, errors as `application/problem+json`.
//! No cookies and no CSRF: nothing here reads ambient credentials.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::accounts::{
    AccountsError, AddressRequest, CodeConfirmation, CodeProof, Confirmation, ConfirmationFields,
    ConfirmationProof, Email, LinkProblem, NewAccount,
};
use crate::http::AppState;
use crate::http::error::{AppError, FieldErrors, Problem, ProblemJson};
use crate::http::forms::address_if_valid;
use crate::http::language::RequestLanguage;
use crate::i18n::{self, Localize};
use crate::tokens::{CodeAttempt, LinkToken, Purpose};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes mounted at `/api/v1` that take JSON, each with its OpenAPI operation: the
/// document is generated from these same declarations, so it cannot miss a route.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(confirm))
        .routes(routes!(resend))
}

/// The JSON API's OpenAPI 3.1 document, as served at `/api/v1/openapi.json`.
#[derive(Clone)]
pub(crate) struct ApiDocument(pub std::sync::Arc<String>);

impl ApiDocument {
    /// The document for `api`, whose paths are relative to `/api/v1`, stating the
    /// configured `PASSWORD_MIN_LENGTH`.
    pub(crate) fn new(api: utoipa::openapi::OpenApi, password_min_length: usize) -> Self {
        let mut info = utoipa::openapi::Info::new("Doorman", env!("CARGO_PKG_VERSION"));
        info.description = Some(
            "Sign-up with email confirmation. JSON in, JSON out; errors are \
             application/problem+json (RFC 9457). No cookies or CSRF, except \
             /session, which reads the session cookie of a logged-in browser."
                .to_owned(),
        );
        let mut document = utoipa::openapi::OpenApiBuilder::new()
            .info(info)
            .build()
            .nest("/api/v1", api);
        state_minimum_length(&mut document, password_min_length);
        Self(std::sync::Arc::new(
            document.to_json().expect("an OpenAPI document serializes"),
        ))
    }
}

/// Writes the configured minimum into the sign-up password's schema, which the derive
/// cannot know.
fn state_minimum_length(document: &mut utoipa::openapi::OpenApi, password_min_length: usize) {
    use utoipa::openapi::{RefOr, Schema};
    let password = document
        .components
        .as_mut()
        .and_then(|components| components.schemas.get_mut("RegistrationRequest"))
        .and_then(|schema| match schema {
            RefOr::T(Schema::Object(object)) => object.properties.get_mut("password"),
            _ => None,
        });
    if let Some(RefOr::T(Schema::Object(password))) = password {
        password.min_length = Some(password_min_length);
    }
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of every /api/v1 route.",
        content_type = "application/json", body = Object)),
)]
pub(crate) async fn document(
    axum::Extension(ApiDocument(document)): axum::Extension<ApiDocument>,
) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.as_str().to_owned(),
    )
        .into_response()
}

/// A JSON object body: `415` without `Content-Type: application/json`, `413` past the
/// size limit, `400` for malformed JSON or JSON that is not an object (serde would
/// otherwise read `["a@b.c", "pw"]` as a struct's fields in order).
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
        let refused = |error: serde_json::Error| {
            ProblemJson(AppError::BadRequest(format!(
                "The body is not the JSON this endpoint takes: {error}."
            )))
        };
        let value: serde_json::Value = serde_json::from_slice(&body).map_err(refused)?;
        if !value.is_object() {
            return Err(AppError::BadRequest(
                "The body must be a JSON object with the fields this endpoint takes.".to_owned(),
            )
            .into());
        }
        serde_json::from_value(value).map(ApiJson).map_err(refused)
    }
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct RegistrationRequest {
    // Missing fields are read as empty, so each gets its own message in `errors`.
    #[serde(default)]
    #[schema(required = true, max_length = 254, example = "ada@example.com")]
    email: String,
    /// At least `PASSWORD_MIN_LENGTH` characters (the document states the configured
    /// minimum), not one of the most common passwords, not the address.
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 128,
        example = "correct horse battery staple"
    )]
    password: String,
}

/// The link's `token`, or the `email` and six-digit `code` from the confirmation email;
/// with the `password` chosen at sign-up, or a `new_password` that replaces it.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct ConfirmationRequest {
    #[serde(default)]
    token: String,
    email: Option<String>,
    #[schema(example = "042917")]
    code: Option<String>,
    password: Option<String>,
    new_password: Option<String>,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct ResendRequest {
    #[serde(default, deserialize_with = "address_if_valid")]
    #[schema(value_type = Option<String>, example = "ada@example.com")]
    email: Option<Email>,
}

/// What a request achieved.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    PendingConfirmation,
    Confirmed,
    AlreadyConfirmed,
    Accepted,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct StatusBody {
    status: Outcome,
}

/// The problems every JSON-taking operation may answer with, documented once.
#[derive(utoipa::IntoResponses)]
#[expect(
    dead_code,
    reason = "only documents responses; ProblemJson writes them"
)]
enum RequestProblems {
    /// Not a JSON object of the operation's shape; for a confirmation also a link token that
    /// is not valid ("Error decoding signature.").
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// The body is larger than 16 KiB.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// `Content-Type` is not `application/json`.
    #[response(status = 415, content_type = "application/problem+json")]
    NotJson(Problem),
    /// Too many requests or attempts from this client.
    #[response(status = 429, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait.")))]
    TooMany(Problem),
}

/// What an operation that hashes a password may answer besides.
#[derive(utoipa::IntoResponses)]
#[expect(
    dead_code,
    reason = "only documents responses; ProblemJson writes them"
)]
enum HashingProblems {
    /// Too many passwords are being hashed at once; try again shortly.
    #[response(status = 503, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait.")))]
    Busy(Problem),
}

/// Creates an inactive account and emails its confirmation. `202` also for an address that
/// is already registered (no account enumeration); the token only ever travels by email.
#[utoipa::path(
    post,
    path = "/registrations",
    tag = "accounts",
    request_body = RegistrationRequest,
    responses(
        RequestProblems,
        HashingProblems,
        (status = 202, description = "Pending confirmation (or already registered).", body = StatusBody,
            example = json!({"status": "pending_confirmation"})),
        (status = 422, description = "A field was refused; `errors` says why.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn register(
    State(state): State<AppState>,
    RequestLanguage(language): RequestLanguage,
    ApiJson(request): ApiJson<RegistrationRequest>,
) -> Result<Response, ProblemJson> {
    let min_length = state.accounts.rules().password_min_length;
    let account =
        NewAccount::parse(&request.email, &request.password, min_length).map_err(AppError::from)?;
    state.accounts.register(account, language, None).await?;
    Ok(accepted(Outcome::PendingConfirmation))
}

/// Confirms an account, as `POST /confirm` does: proving the password chosen at sign-up, or
/// replacing it with a new one.
#[utoipa::path(
    post,
    path = "/confirmations",
    tag = "accounts",
    request_body = ConfirmationRequest,
    responses(
        RequestProblems,
        HashingProblems,
        (status = 200, description = "Confirmed, or already confirmed by this link.", body = StatusBody,
            example = json!({"status": "confirmed"})),
        (status = 410, description = "The link expired (\"Signature has expired.\").", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong password or code, or a refused new password.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn confirm(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ConfirmationRequest>,
) -> Result<Response, ProblemJson> {
    let fields = ConfirmationFields {
        password: request.password,
        new_password: request.new_password,
    };
    let proof = ConfirmationProof::try_from(fields)
        .map_err(|missing| invalid("password", missing.localize()))?;
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
        Ok(Confirmation::Confirmed { .. }) => Ok(status_json(StatusCode::OK, Outcome::Confirmed)),
        Ok(Confirmation::WrongPassword { .. }) => {
            Err(invalid("password", i18n::t("api-wrong-password")).into())
        }
        Ok(Confirmation::NewPasswordRejected { reason, .. }) => {
            Err(invalid("new_password", reason.localize()).into())
        }
        // Re-posting a spent link is an answer, not an error.
        Err(AccountsError::Link(_, LinkProblem::AlreadyUsed)) => {
            Ok(status_json(StatusCode::OK, Outcome::AlreadyConfirmed))
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
    let wrong_code = || invalid("code", i18n::t("api-wrong-code"));
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

/// Sends a fresh confirmation email. `202` whether or not the address has an account.
#[utoipa::path(
    post,
    path = "/confirmations/resend",
    tag = "accounts",
    request_body = ResendRequest,
    responses(
        RequestProblems,
        (status = 202, description = "Sent if the address has an account waiting.", body = StatusBody,
            example = json!({"status": "accepted"})),
    ),
)]
pub(crate) async fn resend(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ResendRequest>,
) -> Result<Response, ProblemJson> {
    state
        .accounts
        .request_by_address(AddressRequest::Confirmation, request.email.as_ref(), None)
        .await?;
    Ok(accepted(Outcome::Accepted))
}

pub(crate) async fn not_found() -> ProblemJson {
    AppError::NotFound.into()
}

pub(crate) async fn method_not_allowed() -> ProblemJson {
    AppError::MethodNotAllowed.into()
}

fn accepted(status: Outcome) -> Response {
    status_json(StatusCode::ACCEPTED, status)
}

fn status_json(code: StatusCode, status: Outcome) -> Response {
    (code, Json(StatusBody { status })).into_response()
}
