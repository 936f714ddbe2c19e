use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::token_page;
use crate::accounts::{Confirmation, ConfirmationProof, LinkStatus};
use crate::http::AppState;
use crate::http::csrf::CsrfToken;
use crate::http::error::AppError;
use crate::http::forms::{ConfirmForm, HtmlForm};
use crate::http::handlers::login::log_in;
use crate::http::pages::{AlreadyConfirmedPage, ConfirmPage, LinkExpiredPage, LinkInvalidPage};
use crate::tokens::Purpose;

const WRONG_PASSWORD: &str =
    "That is not the password chosen at sign-up. Try again, or choose a new password below.";

/// Shows what the link is for. Never changes anything: mail scanners fetch links, and some
/// even press buttons, so only the POST with the password acts.
pub async fn show(
    State(state): State<AppState>,
    CsrfToken(csrf_token): CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let status = state
        .accounts
        .inspect_link(&token, Purpose::Confirm)
        .await?;
    let response = match status {
        LinkStatus::Usable { email } => ConfirmPage {
            csrf_token,
            token,
            email,
            password_min_length: state.accounts.rules().password_min_length,
            ..ConfirmPage::default()
        }
        .into_response(),
        other => link_page(other, csrf_token),
    };
    Ok(token_page(response))
}

pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<ConfirmForm>,
) -> Result<Response, AppError> {
    let proof = if form.new_password.is_empty() {
        ConfirmationProof::Password(form.password)
    } else {
        ConfirmationProof::NewPassword(form.new_password)
    };
    let outcome = state.accounts.confirm(&form.token, proof).await?;
    let page = ConfirmPage {
        csrf_token: csrf_token.clone(),
        token: form.token,
        offer_new_password: true,
        password_min_length: state.accounts.rules().password_min_length,
        ..ConfirmPage::default()
    };
    let response = match outcome {
        Confirmation::Confirmed { user_id } => {
            log_in(&session, user_id).await?;
            Redirect::to("/account").into_response()
        }
        Confirmation::WrongPassword { email } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ConfirmPage {
                email,
                password_error: Some(WRONG_PASSWORD.to_owned()),
                ..page
            },
        )
            .into_response(),
        Confirmation::NewPasswordRejected { email, reason } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ConfirmPage {
                email,
                new_password_error: Some(reason.to_string()),
                ..page
            },
        )
            .into_response(),
        Confirmation::Link(status) => link_page(status, csrf_token),
    };
    Ok(token_page(response))
}

/// The page for a confirmation link that cannot be used.
fn link_page(status: LinkStatus, csrf_token: String) -> Response {
    match status {
        LinkStatus::AlreadyUsed => AlreadyConfirmedPage.into_response(),
        LinkStatus::Expired { email } => (
            StatusCode::GONE,
            LinkExpiredPage {
                csrf_token,
                resend_email: email,
            },
        )
            .into_response(),
        LinkStatus::Invalid | LinkStatus::Usable { .. } => (
            StatusCode::BAD_REQUEST,
            LinkInvalidPage {
                csrf_token,
                resend_email: String::new(),
            },
        )
            .into_response(),
    }
}
