//! The JSON API (SPEC §4): JSON in, JSON out, errors as `application/problem+json`.
//! No cookies and no CSRF: nothing here reads ambient credentials. This module holds what
//! the operations share (the JSON extractor, the shared responses, the OpenAPI document);
//! each operation lives with its flow's pages in `handlers`.

use crate::http::forms::body_of_type;
use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::handlers::{confirmation, signup};
use crate::http::AppState;
use crate::http::error::{AppError, Problem, ProblemJson};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes mounted at `/api/v1` that take JSON, each with its OpenAPI operation: the
/// document is generated from these same declarations, so it cannot miss a route. (The
/// router adds `/session` with the session layer it needs.)
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup::register))
        .routes(routes!(confirmation::confirm))
        .routes(routes!(confirmation::resend_api))
        .routes(routes!(document))
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
             /session, which reads the session cookie of a logged-in browser. \
             /admin/… takes an admin key as a bearer token."
                .to_owned(),
        );
        let mut document = utoipa::openapi::OpenApiBuilder::new()
            .info(info)
            .build()
            .nest("/api/v1", api);
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let mut admin_key = Http::new(HttpAuthScheme::Bearer);
        admin_key.description =
            Some("An admin key from `doorman admin-keys create NAME` (SPEC §15).".to_owned());
        document
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("admin_key", SecurityScheme::Http(admin_key));
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

    async fn from_request(request: Request, _state: &S) -> Result<Self, ProblemJson> {
        let body = body_of_type(request, "application/json").await?;
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
pub(crate) enum RequestProblems {
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
pub(crate) enum HashingProblems {
    /// Too many passwords are being hashed at once; try again shortly.
    #[response(status = 503, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait.")))]
    Busy(Problem),
}

pub(crate) async fn not_found() -> ProblemJson {
    AppError::NotFound.into()
}

pub(crate) async fn method_not_allowed() -> ProblemJson {
    AppError::MethodNotAllowed.into()
}

pub(crate) fn accepted(status: Outcome) -> Response {
    status_json(StatusCode::ACCEPTED, status)
}

pub(crate) fn status_json(code: StatusCode, status: Outcome) -> Response {
    (code, Json(StatusBody { status })).into_response()
}
