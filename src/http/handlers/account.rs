//! The account page, and what it lets a logged-in person change besides the address
//! (`email_change`): the password, and the account's existence.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::no_store;
use crate::accounts::{
    Account, AccountDeletion, AttemptOrigin, CurrentPassword, PasswordChange, SignedInAt,
};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::devices::Origin;
use crate::http::error::AppError;
use crate::http::forms::{ChangePasswordForm, CurrentPasswordForm, HtmlForm};
use crate::http::pages::{AccountPage, AppEntry};
use crate::i18n::{self, Localize};
use crate::passwords::PasswordAttempt;
use axum::Router;
use axum::routing::{get, post};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/password", post(change_password))
        .route("/account/delete", post(delete))
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
        "app-removed" => "account-app-removed",
        _ => return None,
    };
    Some(i18n::t(id))
}

/// The account page of `account`, with the applications that have access to it.
pub(super) async fn account_page(
    state: &AppState,
    account: &Account,
    csrf_token: String,
) -> Result<AccountPage, AppError> {
    let apps = state
        .oidc
        .apps_with_access(account.id)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|app| AppEntry {
            client_id: app.client_id,
            name: app.name,
        })
        .collect();
    Ok(AccountPage {
        csrf_token,
        email: account.email.as_str().to_owned(),
        member_since: i18n::long_date(account.created_at),
        has_password: account.has_password,
        password_min_length: state.accounts.rules().password_min_length,
        apps,
        ..AccountPage::default()
    })
}

pub(super) fn current_password(
    typed: &str,
    origin: AttemptOrigin,
    signed_in: Option<SignedInAt>,
) -> CurrentPassword {
    CurrentPassword {
        attempt: PasswordAttempt::parse(typed),
        origin,
        signed_in,
    }
}

/// What to say when the proof of a change on the account page did not hold: a wrong
/// password, or, for an account without one, a sign-in too long ago.
pub(super) fn proof_refused(account: &Account) -> String {
    i18n::t(if account.has_password {
        "account-wrong-password"
    } else {
        "account-sign-in-again"
    })
}

/// The account page again, with an error next to one of its forms.
pub(super) fn refused(page: AccountPage) -> Response {
    no_store((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let page = AccountPage {
        notice: query.notice.as_deref().and_then(notice_text),
        ..account_page(&state, &user.account, csrf_token).await?
    };
    Ok(no_store(page.into_response()))
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
            &current_password(
                &form.current_password,
                origin,
                user.session.signed_in_at().await?,
            ),
            &form.password,
            user.session.id().as_ref(),
        )
        .await?;
    let page = account_page(&state, &user.account, csrf_token).await?;
    Ok(match outcome {
        PasswordChange::Changed(grant) => {
            // Other sessions ended with the old version; this one carries on with the new.
            user.session.keep_login(&grant).await?;
            Redirect::to("/account?notice=password-changed").into_response()
        }
        PasswordChange::WrongPassword => refused(AccountPage {
            current_password_error: Some(proof_refused(&user.account)),
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
            &current_password(
                &form.current_password,
                origin,
                user.session.signed_in_at().await?,
            ),
        )
        .await?;
    Ok(match outcome {
        AccountDeletion::Deleted => {
            user.session.log_out().await?;
            Redirect::to("/").into_response()
        }
        AccountDeletion::WrongPassword => refused(AccountPage {
            delete_error: Some(proof_refused(&user.account)),
            ..account_page(&state, &user.account, csrf_token).await?
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Language, sync_scope};

    #[test]
    fn every_notice_has_its_text_in_every_language() {
        for language in Language::ALL {
            let texts: Vec<String> = sync_scope(language, || {
                [
                    "email-sent",
                    "email-changed",
                    "password-changed",
                    "app-removed",
                ]
                .into_iter()
                .map(|key| notice_text(key).expect("a known notice"))
                .collect()
            });
            crate::i18n::tests::assert_all_found(&texts);
        }
        assert_eq!(notice_text("<script>"), None);
    }
}
