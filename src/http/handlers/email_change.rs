//! Moving an account to another address: asked for on the account page, done from the
//! link sent to the new address.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::account::{account_page, current_password, proof_refused, refused};
use super::token_page;
use crate::accounts::{EmailChange, EmailChangeRequest};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::devices::Origin;
use crate::http::error::AppError;
use crate::http::forms::{ChangeEmailForm, CurrentPasswordForm, HtmlForm};
use crate::http::pages::{AccountPage, AddressTakenPage, EmailChangeConfirmPage};
use crate::http::usable_link::{EmailChangeLink, UsableLink, link_token};
use crate::i18n::{self, Localize};
use crate::sessions::TypedSession;
use crate::tokens::Purpose;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/email", post(change_email))
        .route(
            "/account/email/confirm/{token}",
            get(email_confirm_form).post(email_confirm),
        )
}

pub(crate) async fn change_email(
    State(state): State<AppState>,
    user: CurrentUser,
    Origin(origin): Origin,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<ChangeEmailForm>,
) -> Result<Response, AppError> {
    let page = AccountPage {
        new_email: form.email.trim().to_owned(),
        ..account_page(&state, &user.account, csrf_token).await?
    };
    let email = match state.accounts.rules().addresses.parse(&form.email) {
        Ok(email) => email,
        Err(reason) => {
            return Ok(refused(AccountPage {
                new_email_error: Some(reason.localize()),
                ..page
            }));
        }
    };
    let outcome = state
        .accounts
        .request_email_change(
            user.account.id,
            &current_password(
                &form.current_password,
                origin,
                user.session.signed_in_at().await?,
            ),
            &email,
        )
        .await?;
    Ok(match outcome {
        EmailChangeRequest::Sent => Redirect::to("/account?notice=email-sent").into_response(),
        EmailChangeRequest::WrongPassword => refused(AccountPage {
            email_password_error: Some(proof_refused(&user.account)),
            ..page
        }),
        EmailChangeRequest::SameAddress => refused(AccountPage {
            new_email_error: Some(i18n::t("account-same-email")),
            ..page
        }),
    })
}

/// The page behind the link sent to a new address. Like `/confirm/{token}`, it changes
/// nothing; the POST with the password does. It needs no session: the link may be opened
/// on another device.
pub(crate) async fn email_confirm_form(
    CsrfToken(csrf_token): CsrfToken,
    link: UsableLink<EmailChangeLink>,
) -> Response {
    let page = EmailChangeConfirmPage {
        csrf_token,
        token: link.token,
        email: link.email,
        has_password: link.has_password,
        password_error: None,
    };
    token_page(page.into_response())
}

pub(crate) async fn email_confirm(
    State(state): State<AppState>,
    session: TypedSession,
    Origin(origin): Origin,
    CsrfToken(csrf_token): CsrfToken,
    Path(raw_token): Path<String>,
    HtmlForm(form): HtmlForm<CurrentPasswordForm>,
) -> Result<Response, AppError> {
    let token = link_token(&raw_token, Purpose::EmailChange)?;
    let outcome = state
        .accounts
        .confirm_email_change(
            &token,
            &current_password(
                &form.current_password,
                origin,
                session.signed_in_at().await?,
            ),
        )
        .await?;
    let response = match outcome {
        EmailChange::Changed => Redirect::to("/account?notice=email-changed").into_response(),
        EmailChange::WrongPassword {
            email,
            has_password,
        } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            EmailChangeConfirmPage {
                csrf_token,
                token: raw_token,
                email: email.as_str().to_owned(),
                has_password,
                password_error: Some(i18n::t(if has_password {
                    "account-wrong-password"
                } else {
                    "account-sign-in-again"
                })),
            },
        )
            .into_response(),
        EmailChange::AddressTaken => (StatusCode::CONFLICT, AddressTakenPage).into_response(),
    };
    Ok(token_page(response))
}
