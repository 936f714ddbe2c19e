//! `/dev/mailbox`: in development, every queued email, readable with working links, so the
//! whole sign-up loop works on a machine with no SMTP catcher. Not routed in production.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use super::no_store;
use crate::db::entities::outbox;
use crate::http::AppState;
use crate::http::error::AppError;
use crate::http::pages::{DevMailboxPage, MailboxEntry};
use crate::mail::RenderedEmail;
use crate::outbox::worker::{Composed, Composer};

const SHOWN: u64 = 100;

pub async fn list(State(state): State<AppState>) -> Result<Response, AppError> {
    let rows = state
        .outbox
        .newest(SHOWN)
        .await
        .map_err(AppError::internal)?;
    let mut messages = Vec::with_capacity(rows.len());
    for row in rows {
        let subject = match compose(&state, &row).await? {
            Some(email) => email.subject,
            None => format!("({})", row.kind),
        };
        messages.push(MailboxEntry {
            id: row.id,
            status: status(&row),
            recipient: row.recipient,
            subject,
        });
    }
    Ok(no_store(DevMailboxPage { messages }.into_response()))
}

pub async fn html(
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

pub async fn text(
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
    let row = state
        .outbox
        .find(id)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    compose(state, &row).await?.ok_or(AppError::NotFound)
}

/// Composes the row as the worker would, minting a fresh token.
async fn compose(state: &AppState, row: &outbox::Model) -> Result<Option<RenderedEmail>, AppError> {
    match state
        .notifier
        .compose(row)
        .await
        .map_err(AppError::internal)?
    {
        Composed::Ready(email) => Ok(Some(email)),
        Composed::Obsolete(_) => Ok(None),
    }
}

fn status(row: &outbox::Model) -> String {
    match (&row.sent_at, &row.failed_at, &row.last_error) {
        (Some(_), _, _) => "sent".to_owned(),
        (None, Some(_), Some(error)) => error.clone(),
        (None, Some(_), None) => "given up".to_owned(),
        (None, None, Some(error)) => format!("retrying after {} attempts: {error}", row.attempts),
        (None, None, None) => "queued".to_owned(),
    }
}
