//! Forgotten passwords: ask for a link, open it, set a new password.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::token_page;
use crate::accounts::{Email, LinkStatus, PasswordReset};
use crate::http::AppState;
use crate::http::csrf::CsrfToken;
use crate::http::error::AppError;
use crate::http::forms::{EmailForm, HtmlForm, TokenPasswordForm};
use crate::http::pages::{ForgotPage, ForgotSentPage, LinkProblemPage, ResetPage};
use crate::tokens::Purpose;

pub async fn forgot_form(CsrfToken(csrf_token): CsrfToken) -> ForgotPage {
    ForgotPage { csrf_token }
}

/// The same redirect whether or not the address has an account.
pub async fn forgot(
    State(state): State<AppState>,
    HtmlForm(form): HtmlForm<EmailForm>,
) -> Result<Redirect, AppError> {
    if let Ok(email) = Email::parse(&form.email) {
        state.accounts.request_password_reset(&email).await?;
    }
    Ok(Redirect::to("/password/forgot/sent"))
}

pub async fn forgot_sent() -> ForgotSentPage {
    ForgotSentPage
}

pub async fn reset_form(
    State(state): State<AppState>,
    CsrfToken(csrf_token): CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let response = match state.accounts.inspect_link(&token, Purpose::Reset).await? {
        LinkStatus::Usable { email } => ResetPage {
            csrf_token,
            token,
            email,
            password_min_length: state.accounts.rules().password_min_length,
            ..ResetPage::default()
        }
        .into_response(),
        other => link_problem(other),
    };
    Ok(token_page(response))
}

pub async fn reset(
    State(state): State<AppState>,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<TokenPasswordForm>,
) -> Result<Response, AppError> {
    let response = match state
        .accounts
        .reset_password(&form.token, &form.password)
        .await?
    {
        // No automatic login: the person logs in with the new password, which a password
        // manager then saves.
        PasswordReset::Done => Redirect::to("/login").into_response(),
        PasswordReset::Rejected { email, reason } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ResetPage {
                csrf_token,
                token: form.token,
                email,
                password_error: Some(reason.to_string()),
                password_min_length: state.accounts.rules().password_min_length,
            },
        )
            .into_response(),
        PasswordReset::Link(status) => link_problem(status),
    };
    Ok(token_page(response))
}

fn link_problem(status: LinkStatus) -> Response {
    let expired = matches!(status, LinkStatus::Expired { .. });
    let page = LinkProblemPage {
        title: if expired {
            "This link has expired"
        } else {
            "This link is not valid"
        },
        message: if expired {
            "Reset links work for a limited time. Ask for a new one."
        } else {
            "Reset links work once, and a newer link or a password change replaces them. Ask for a new one."
        },
        next_href: "/password/forgot",
        next_label: "Ask for a new reset link",
    };
    let status = if expired {
        StatusCode::GONE
    } else {
        StatusCode::BAD_REQUEST
    };
    (status, page).into_response()
}
