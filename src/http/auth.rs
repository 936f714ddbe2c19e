//! The logged-in account of a request, as an extractor: handlers that take
//! [`CurrentUser`] are only reached with a session whose account is confirmed.

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

impl FromRequestParts<AppState> for CurrentUser {
    /// A `303` to `/login` without a session, or an error page.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let internal = |error| AppError::internal(error).into_response();
        let user_id = session.get::<i64>(USER_ID_KEY).await.map_err(internal)?;
        let version = session
            .get::<i32>(CREDENTIAL_VERSION_KEY)
            .await
            .map_err(internal)?;
        let account = match user_id {
            Some(user_id) => state
                .accounts
                .find_account(user_id)
                .await
                .map_err(|error| AppError::from(error).into_response())?,
            None => None,
        };
        match account {
            Some(account) if Some(account.credential_version) == version => {
                Ok(Self { account, session })
            }
            // Logged in before the password changed (or never): not logged in now.
            Some(_) => {
                session
                    .flush()
                    .await
                    .map_err(|error| AppError::internal(error).into_response())?;
                Err(Redirect::to("/login").into_response())
            }
            None => Err(Redirect::to("/login").into_response()),
        }
    }
}
