//! Forgotten passwords: ask for a link, open it, set a new password.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::token_page;
use crate::accounts::PasswordReset;
use crate::http::AppState;
use crate::http::csrf::CsrfToken;
use crate::http::error::AppError;
use crate::http::forms::{EmailForm, HtmlForm, TokenPasswordForm};
use crate::http::pages::{ForgotPage, ForgotSentPage, ResetPage};
use crate::http::usable_link::{ResetLink, UsableLink, link_token};
use crate::i18n::Localize;
use crate::tokens::Purpose;
use axum::Router;
use axum::routing::{get, post};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/password/forgot", get(forgot_form).post(forgot))
        .route("/password/forgot/sent", get(forgot_sent))
        .route("/password/reset/{token}", get(reset_form))
        .route("/password/reset", post(reset))
}

pub(crate) async fn forgot_form(CsrfToken(csrf_token): CsrfToken) -> ForgotPage {
    ForgotPage { csrf_token }
}

/// `POST /password/forgot`: the same redirect whether or not the address has an account.
pub(crate) async fn forgot(
    State(state): State<AppState>,
    HtmlForm(form): HtmlForm<EmailForm>,
) -> Result<Redirect, AppError> {
    state
        .accounts
        .request_password_reset(form.email.as_ref())
        .await?;
    Ok(Redirect::to("/password/forgot/sent"))
}

pub(crate) async fn forgot_sent() -> ForgotSentPage {
    ForgotSentPage
}

pub(crate) async fn reset_form(
    State(state): State<AppState>,
    CsrfToken(csrf_token): CsrfToken,
    link: UsableLink<ResetLink>,
) -> Response {
    let page = ResetPage {
        csrf_token,
        token: link.token,
        email: link.email,
        password_min_length: state.accounts.rules().password_min_length,
        ..ResetPage::default()
    };
    token_page(page.into_response())
}

pub(crate) async fn reset(
    State(state): State<AppState>,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<TokenPasswordForm>,
) -> Result<Response, AppError> {
    let token = link_token(&form.token, Purpose::Reset)?;
    let response = match state
        .accounts
        .reset_password(&token, &form.password)
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
                email: email.as_str().to_owned(),
                password_error: Some(reason.localize()),
                password_min_length: state.accounts.rules().password_min_length,
            },
        )
            .into_response(),
    };
    Ok(token_page(response))
}
