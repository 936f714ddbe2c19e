//! The logged-in account of a request. Handlers that take [`CurrentUser`] are only reached
//! with a session whose account is confirmed and whose credential version is the
//! account's; forward auth and the session API ask [`current_account`] directly.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::AppState;
use super::error::AppError;
use crate::accounts::Account;
use crate::sessions::{CREDENTIAL_VERSION_KEY, USER_ID_KEY};

pub(super) struct CurrentUser {
    pub account: Account,
    pub session: Session,
}

/// The confirmed account `session` is logged in to, if any. A session from before the
/// last password change is logged out here.
///
/// # Errors
/// Session store and database errors.
pub(super) async fn current_account(
    state: &AppState,
    session: &Session,
) -> Result<Option<Account>, AppError> {
    let Some(user_id) = session
        .get::<i64>(USER_ID_KEY)
        .await
        .map_err(AppError::internal)?
    else {
        return Ok(None);
    };
    let version = session
        .get::<i32>(CREDENTIAL_VERSION_KEY)
        .await
        .map_err(AppError::internal)?;
    match state.accounts.find_account(user_id).await? {
        Some(account) if Some(account.credential_version) == version => Ok(Some(account)),
        _ => {
            session.flush().await.map_err(AppError::internal)?;
            Ok(None)
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    /// A `303` to `/login` without a logged-in session, or an error page.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match current_account(state, &session).await {
            Ok(Some(account)) => Ok(Self { account, session }),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(error) => Err(error.into_response()),
        }
    }
}
