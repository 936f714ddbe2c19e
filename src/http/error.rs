//! The one error type of the web layer. Each variant is a status and a readable page; a
//! JSON caller gets an `application/problem+json` document instead ([`ProblemJson`]).
//! Internal failures log their cause chain and show a generic page: no internal text
//! reaches the browser.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::link_pages::UnusableLink;
use super::pages::ErrorPage;
use crate::accounts::{AccountsError, LinkProblem, NewAccountRejection};
use crate::i18n::{self, Localize};
use crate::tokens::Purpose;

/// Each refused field and why, as a form shows it next to the field and a problem
/// document lists it under `errors`.
pub(super) type FieldErrors = BTreeMap<&'static str, String>;

/// How long a client should wait before retrying after a `503 Busy`.
const BUSY_RETRY_AFTER_SECONDS: u64 = 5;

#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
    /// 400: the request could not be read (bad encoding, malformed form, invalid UTF-8).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 401: this needs a logged-in session (the session API).
    #[error("not logged in")]
    Unauthorized,
    /// 401: the admin API needs a valid key (`WWW-Authenticate: Bearer`).
    #[error("no valid admin key")]
    AdminKeyRequired,
    /// 403: the CSRF token is missing or does not match the cookie.
    #[error("CSRF check failed")]
    CsrfRejected,
    /// 403: `SIGNUP` is `invite` (`by_invitation`) or `closed`.
    #[error("sign-up is not open")]
    SignupNotOpen { by_invitation: bool },
    /// 404.
    #[error("not found")]
    NotFound,
    /// 405.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 421: development mode answers only a loopback `Host` (DNS rebinding).
    #[error("not a loopback host")]
    MisdirectedRequest,
    /// 422: fields that break a rule, each with its reason.
    #[error("invalid fields: {0:?}")]
    Invalid(FieldErrors),
    /// A link that cannot be used: `200` for one already used, `410` expired, `400`
    /// otherwise. Pages render it in `link_pages`, which knows the request's CSRF token.
    #[error("unusable {0:?} link: {1:?}")]
    Link(Purpose, LinkProblem),
    /// 413: the body is over 16 KiB.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 415: a form post that is not `application/x-www-form-urlencoded`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 429 with `Retry-After`: a rate limit or the failed-login throttle.
    #[error("too many requests")]
    TooManyRequests { retry_after: std::time::Duration },
    /// 503 with `Retry-After`: the password hasher's queue is full.
    #[error("busy")]
    Busy,
    /// 503: something this request depends on (the sign-up hook) did not answer.
    #[error("unavailable")]
    Unavailable,
    /// 500: logged with its cause chain; the page says only that something went wrong.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub(crate) fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        AppError::Internal(Box::new(error))
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::AdminKeyRequired => StatusCode::UNAUTHORIZED,
            AppError::CsrfRejected | AppError::SignupNotOpen { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::MisdirectedRequest => StatusCode::MISDIRECTED_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Link(_, LinkProblem::AlreadyUsed) => StatusCode::OK,
            AppError::Link(_, LinkProblem::Expired { .. }) => StatusCode::GONE,
            AppError::Link(_, LinkProblem::Invalid) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy | AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The page's title and message, in the visitor's language.
    fn page_text(&self) -> (String, String) {
        let (title, message) = match self {
            AppError::BadRequest(_) | AppError::Invalid(_) | AppError::Link(..) => {
                ("error-bad-request-title", "error-bad-request")
            }
            AppError::Unauthorized | AppError::AdminKeyRequired => {
                ("error-unauthorized-title", "error-unauthorized")
            }
            AppError::CsrfRejected => ("error-csrf-title", "error-csrf"),
            AppError::SignupNotOpen {
                by_invitation: true,
            } => ("signup-invite-only-title", "signup-invite-only"),
            AppError::SignupNotOpen {
                by_invitation: false,
            } => ("signup-closed-title", "signup-closed"),
            AppError::NotFound => ("error-not-found-title", "error-not-found"),
            AppError::MethodNotAllowed => ("error-method-title", "error-method"),
            AppError::MisdirectedRequest => ("error-dev-host-title", "error-dev-host"),
            AppError::PayloadTooLarge => ("error-too-large-title", "error-too-large"),
            AppError::UnsupportedMediaType => ("error-media-type-title", "error-media-type"),
            AppError::TooManyRequests { .. } => ("error-throttled-title", "error-throttled"),
            AppError::Busy => ("error-busy-title", "error-busy"),
            AppError::Unavailable => ("error-unavailable-title", "error-unavailable"),
            AppError::Internal(_) => ("error-internal-title", "error-internal"),
        };
        (i18n::t(title), i18n::t(message))
    }

    /// The problem document's title and detail. The API speaks English whatever the
    /// request's language: clients match on these words (the link texts are the original
    /// system's).
    fn problem_text(&self) -> (&'static str, &'static str) {
        match self {
            AppError::BadRequest(_) => (
                "Bad request",
                "The request could not be read. Go back, check what you entered and try again.",
            ),
            AppError::Unauthorized => ("Not logged in", "Log in first."),
            AppError::AdminKeyRequired => (
                "Admin key required",
                "Send `Authorization: Bearer <key>` with a key from `doorman admin-keys create`.",
            ),
            AppError::CsrfRejected => (
                "Form expired",
                "This form could not be verified, perhaps because it was open for a long time or cookies are blocked. Go back, reload the page and try again.",
            ),
            AppError::SignupNotOpen {
                by_invitation: true,
            } => (
                "Sign-up by invitation",
                "Accounts here are created by invitation only: ask the people who run this site for one.",
            ),
            AppError::SignupNotOpen {
                by_invitation: false,
            } => (
                "Sign-up closed",
                "New accounts cannot be created here at the moment.",
            ),
            AppError::NotFound => ("Page not found", "There is no page at this address."),
            AppError::MethodNotAllowed => (
                "Not allowed",
                "This page cannot be used that way. Go back and use the form on the page.",
            ),
            AppError::MisdirectedRequest => (
                "Development server",
                "This development server answers only requests for localhost.",
            ),
            AppError::Invalid(_) => ("Invalid request", "Some fields were refused; see `errors`."),
            AppError::Link(_, LinkProblem::AlreadyUsed) => (
                "Link already used",
                "This link was already used; there is nothing more to do with it.",
            ),
            // The wording of the original system's API, which its clients match on.
            AppError::Link(_, LinkProblem::Expired { .. }) => {
                ("Link expired", "Signature has expired.")
            }
            AppError::Link(_, LinkProblem::Invalid) => {
                ("Invalid link", "Error decoding signature.")
            }
            AppError::PayloadTooLarge => (
                "Too much data",
                "The form sent more data than any field needs. Go back and shorten what you entered.",
            ),
            AppError::UnsupportedMediaType => (
                "Unsupported form",
                "The form was sent in a format this page does not accept.",
            ),
            AppError::TooManyRequests { .. } => (
                "Too many attempts",
                "There have been too many attempts from here in a short time. Please wait a minute and try again.",
            ),
            AppError::Busy => (
                "Busy right now",
                "Many people are signing up at once. Please wait a few seconds and try again.",
            ),
            AppError::Unavailable => (
                "Try again later",
                "Sign-up cannot be decided right now. Please try again in a few minutes.",
            ),
            AppError::Internal(_) => (
                "Something went wrong",
                "Something went wrong on our side. Please try again in a moment.",
            ),
        }
    }
}

impl From<AccountsError> for AppError {
    fn from(error: AccountsError) -> Self {
        match error {
            AccountsError::Busy => AppError::Busy,
            AccountsError::Throttled { retry_after } => AppError::TooManyRequests { retry_after },
            AccountsError::Link(purpose, problem) => AppError::Link(purpose, problem),
            AccountsError::HookUnavailable => AppError::Unavailable,
            AccountsError::SignupClosed => AppError::SignupNotOpen {
                by_invitation: false,
            },
            other => AppError::internal(other),
        }
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(error: tower_sessions::session::Error) -> Self {
        AppError::internal(error)
    }
}

impl From<NewAccountRejection> for AppError {
    fn from(rejection: NewAccountRejection) -> Self {
        let email = rejection.email.map(|reason| ("email", reason.localize()));
        let password = rejection
            .password
            .map(|reason| ("password", reason.localize()));
        AppError::Invalid(email.into_iter().chain(password).collect())
    }
}

impl AppError {
    /// Logs an internal failure's whole cause chain; the response never shows it.
    fn log_if_internal(&self) {
        if let AppError::Internal(cause) = self {
            let chain = crate::telemetry::error_chain(cause.as_ref());
            tracing::error!(error = %chain, "request failed");
        }
    }

    fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            AppError::Busy => Some(BUSY_RETRY_AFTER_SECONDS),
            // The limits round their waits up to whole seconds already.
            AppError::TooManyRequests { retry_after } => Some(retry_after.as_secs().max(1)),
            _ => None,
        }
    }

    /// The same error as an RFC 9457 problem document, for the JSON API.
    pub(crate) fn into_problem(self) -> Response {
        self.log_if_internal();
        let (title, detail) = self.problem_text();
        let retry_after = self.retry_after_seconds();
        let challenges_bearer = matches!(self, AppError::AdminKeyRequired);
        let mut problem = Problem::new(self.status(), title, detail);
        match self {
            // A client needs to know what in its JSON was wrong; a page visitor does not.
            AppError::BadRequest(reason) => problem.detail = reason,
            AppError::Invalid(errors) => problem.errors = errors,
            _ => {}
        }
        let mut response = with_retry_after(problem.into_response(), retry_after);
        if challenges_bearer {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

fn with_retry_after(mut response: Response, seconds: Option<u64>) -> Response {
    if let Some(seconds) = seconds {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Link(purpose, problem) = self {
            return UnusableLink { purpose, problem }.into_response();
        }
        self.log_if_internal();
        let (title, message) = self.page_text();
        let page = (self.status(), ErrorPage { title, message }).into_response();
        with_retry_after(page, self.retry_after_seconds())
    }
}

/// An [`AppError`] answered as a problem document: what the JSON API's handlers return.
pub(crate) struct ProblemJson(pub AppError);

impl<E: Into<AppError>> From<E> for ProblemJson {
    fn from(error: E) -> Self {
        ProblemJson(error.into())
    }
}

impl IntoResponse for ProblemJson {
    fn into_response(self) -> Response {
        self.0.into_problem()
    }
}

/// An `application/problem+json` document (RFC 9457), with per-field messages on `422`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    kind: &'static str,
    #[schema(example = "Link expired")]
    title: &'static str,
    #[serde(serialize_with = "serialize_status")]
    #[schema(value_type = u16, example = 410)]
    status: StatusCode,
    #[schema(example = "Signature has expired.")]
    detail: String,
    /// On `422`: what was wrong with each refused field, by field name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    errors: FieldErrors,
}

fn serialize_status<S: serde::Serializer>(
    status: &StatusCode,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_u16(status.as_u16())
}

impl Problem {
    fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank",
            title,
            status,
            detail: detail.into(),
            errors: FieldErrors::new(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self).expect("a problem document always serializes");
        (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::i18n::{Language, sync_scope};

    #[test]
    fn every_error_page_has_its_texts_in_every_language() {
        for language in Language::ALL {
            let texts: Vec<String> = sync_scope(language, || {
                [
                    AppError::BadRequest(String::new()),
                    AppError::Unauthorized,
                    AppError::CsrfRejected,
                    AppError::NotFound,
                    AppError::MethodNotAllowed,
                    AppError::MisdirectedRequest,
                    AppError::PayloadTooLarge,
                    AppError::UnsupportedMediaType,
                    AppError::TooManyRequests {
                        retry_after: Duration::from_secs(1),
                    },
                    AppError::Busy,
                    AppError::internal(std::io::Error::other("disk on fire")),
                ]
                .iter()
                .flat_map(|error| {
                    let (title, message) = error.page_text();
                    [title, message]
                })
                .collect()
            });
            crate::i18n::tests::assert_all_found(&texts);
        }
    }
}
