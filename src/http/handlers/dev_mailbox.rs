//! `/dev/mailbox`: in development, every queued email, readable with working links, so the
//! whole sign-up loop works on a machine with no SMTP catcher. Not routed in production.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use super::no_store;
use crate::http::AppState;
use crate::http::error::AppError;
use crate::http::pages::{DevMailboxPage, MailboxEntry};
use crate::i18n::Localize;
use crate::mail::RenderedEmail;
use axum::Router;
use axum::routing::get;

/// Development only: the caller routes these only when `APP_ENV=development`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/dev/mailbox", get(list))
        .route("/dev/mailbox/{id}", get(html))
        .route("/dev/mailbox/{id}/text", get(text))
}

const SHOWN: u64 = 100;

pub(crate) async fn list(State(state): State<AppState>) -> Result<Response, AppError> {
    let messages = state
        .accounts
        .dev_mailbox(SHOWN)
        .await?
        .into_iter()
        .map(|message| MailboxEntry {
            id: message.id,
            recipient: message.recipient,
            subject: message.email.map_or_else(
                || format!("({})", message.kind.label()),
                |email| email.subject,
            ),
            status: message.status.localize(),
        })
        .collect();
    Ok(no_store(DevMailboxPage { messages }.into_response()))
}

pub(crate) async fn html(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let email = message(&state, &id).await?;
    let mut response = no_store(Html(email.html).into_response());
    // Email HTML carries inline styles, which the site-wide policy forbids; scripts stay off.
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"),
    );
    Ok(response)
}

pub(crate) async fn text(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let email = message(&state, &id).await?;
    let body = format!(
        "To: {}\nSubject: {}\n\n{}",
        email.recipient, email.subject, email.text
    );
    Ok(no_store(
        ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response(),
    ))
}

async fn message(state: &AppState, id: &str) -> Result<RenderedEmail, AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    state
        .accounts
        .dev_mailbox_message(id)
        .await?
        .ok_or(AppError::NotFound)
}
