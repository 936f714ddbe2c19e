//! The account page and what it lets a logged-in person change.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{no_store, token_page};
use crate::accounts::{
    Account, AccountDeletion, AttemptOrigin, CurrentPassword, Email, EmailChange,
    EmailChangeRequest, PasswordChange,
};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::devices::Origin;
use crate::http::error::AppError;
use crate::http::forms::{ChangeEmailForm, ChangePasswordForm, CurrentPasswordForm, HtmlForm};
use crate::http::handlers::login::remember;
use crate::http::pages::{AccountPage, AddressTakenPage, EmailChangeConfirmPage};
use crate::http::usable_link::{EmailChangeLink, UsableLink, link_token};
use crate::i18n::{self, Localize};
use crate::passwords::PasswordAttempt;
use crate::tokens::Purpose;
use axum::Router;
use axum::routing::{get, post};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/email", post(change_email))
        .route("/account/password", post(change_password))
        .route("/account/delete", post(delete))
        .route(
            "/account/email/confirm/{token}",
            get(email_confirm_form).post(email_confirm),
        )
}

#[derive(serde::Deserialize)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
}

fn notice_text(key: &str) -> Option<String> {
    let id = match key {
        "email-sent" => "account-email-change-sent",
        "email-changed" => "account-email-changed",
        "password-changed" => "account-password-changed",
        _ => return None,
    };
    Some(i18n::t(id))
}

fn account_page(state: &AppState, account: &Account, csrf_token: String) -> AccountPage {
    AccountPage {
        csrf_token,
        email: account.email.as_str().to_owned(),
        member_since: i18n::long_date(account.created_at),
        password_min_length: state.accounts.rules().password_min_length,
        ..AccountPage::default()
    }
}

fn current_password(typed: &str, origin: AttemptOrigin) -> CurrentPassword {
    CurrentPassword {
        attempt: PasswordAttempt::parse(typed),
        origin,
    }
}

/// The account page again, with an error next to one of its forms.
fn refused(page: AccountPage) -> Response {
    no_store((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<NoticeQuery>,
) -> Response {
    let page = AccountPage {
        notice: query.notice.as_deref().and_then(notice_text),
        ..account_page(&state, &user.account, csrf_token)
    };
    no_store(page.into_response())
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
        ..account_page(&state, &user.account, csrf_token)
    };
    let email = match Email::parse(&form.email) {
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
            &current_password(&form.current_password, origin),
            &email,
        )
        .await?;
    Ok(match outcome {
        EmailChangeRequest::Sent => Redirect::to("/account?notice=email-sent").into_response(),
        EmailChangeRequest::WrongPassword => refused(AccountPage {
            email_password_error: Some(i18n::t("account-wrong-password")),
            ..page
        }),
        EmailChangeRequest::SameAddress => refused(AccountPage {
            new_email_error: Some(i18n::t("account-same-email")),
            ..page
        }),
    })
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Origin(origin): Origin,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<ChangePasswordForm>,
) -> Result<Response, AppError> {
    let outcome = state
        .accounts
        .change_password(
            user.account.id,
            &current_password(&form.current_password, origin),
            &form.password,
            user.session.id().as_ref(),
        )
        .await?;
    let page = account_page(&state, &user.account, csrf_token);
    Ok(match outcome {
        PasswordChange::Changed(grant) => {
            // Other sessions ended with the old version; this one carries on with the new.
            remember(&user.session, &grant).await?;
            Redirect::to("/account?notice=password-changed").into_response()
        }
        PasswordChange::WrongPassword => refused(AccountPage {
            current_password_error: Some(i18n::t("account-wrong-password")),
            ..page
        }),
        PasswordChange::Rejected(reason) => refused(AccountPage {
            new_password_error: Some(reason.localize()),
            ..page
        }),
    })
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Origin(origin): Origin,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<CurrentPasswordForm>,
) -> Result<Response, AppError> {
    let outcome = state
        .accounts
        .delete_account(
            user.account.id,
            &current_password(&form.current_password, origin),
        )
        .await?;
    Ok(match outcome {
        AccountDeletion::Deleted => {
            user.session.flush().await.map_err(AppError::internal)?;
            Redirect::to("/").into_response()
        }
        AccountDeletion::WrongPassword => refused(AccountPage {
            delete_error: Some(i18n::t("account-wrong-password")),
            ..account_page(&state, &user.account, csrf_token)
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
        password_error: None,
    };
    token_page(page.into_response())
}

pub(crate) async fn email_confirm(
    State(state): State<AppState>,
    CsrfToken(csrf_token): CsrfToken,
    Path(raw_token): Path<String>,
    HtmlForm(form): HtmlForm<CurrentPasswordForm>,
) -> Result<Response, AppError> {
    let token = link_token(&raw_token, Purpose::EmailChange)?;
    let outcome = state
        .accounts
        .confirm_email_change(&token, &PasswordAttempt::parse(&form.current_password))
        .await?;
    let response = match outcome {
        EmailChange::Changed => Redirect::to("/account?notice=email-changed").into_response(),
        EmailChange::WrongPassword { email } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            EmailChangeConfirmPage {
                csrf_token,
                token: raw_token,
                email: email.as_str().to_owned(),
                password_error: Some(i18n::t("account-wrong-password")),
            },
        )
            .into_response(),
        EmailChange::AddressTaken => (StatusCode::CONFLICT, AddressTakenPage).into_response(),
    };
    Ok(token_page(response))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Language, sync_scope};

    #[test]
    fn every_notice_has_its_text_in_every_language() {
        for language in Language::ALL {
            let texts: Vec<String> = sync_scope(language, || {
                ["email-sent", "email-changed", "password-changed"]
                    .into_iter()
                    .map(|key| notice_text(key).expect("a known notice"))
                    .collect()
            });
            crate::i18n::tests::assert_all_found(&texts);
        }
        assert_eq!(notice_text("<script>"), None);
    }
}
