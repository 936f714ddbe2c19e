//! Who is logged in. [`logged_in`] answers it for a request's session, with the one rule of
//! [`Account::logged_in`]; the page layers ask it once per request (`nav`), and handlers
//! that take [`CurrentUser`] are only reached with a logged-in session.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::error::AppError;
use crate::accounts::Account;
use crate::sessions::TypedSession;

/// The request's answer to "who is logged in", kept in its extensions by `nav` so the
/// header and the handler ask the database once.
#[derive(Clone)]
pub(super) struct LoggedIn(pub(super) Option<Account>);

pub(super) struct CurrentUser {
    pub account: Account,
    pub session: TypedSession,
}

/// The confirmed account `session` is logged in to, if any. A session whose login no
/// longer holds (its password changed since, say) is logged out here. A browser without
/// a session cookie costs no database work.
///
/// # Errors
/// Session store and database errors.
pub(super) async fn logged_in(
    state: &AppState,
    session: &TypedSession,
) -> Result<Option<Account>, AppError> {
    if session.id().is_none() {
        return Ok(None);
    }
    let Some(grant) = session.login().await? else {
        return Ok(None);
    };
    match state.accounts.logged_in(&grant).await? {
        Some(account) => Ok(Some(account)),
        None => {
            session.log_out().await?;
            Ok(None)
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    /// A `303` to `/login` without a logged-in session, or an error page.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session = TypedSession::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let account = match parts.extensions.get::<LoggedIn>() {
            Some(LoggedIn(account)) => account.clone(),
            None => logged_in(state, &session)
                .await
                .map_err(IntoResponse::into_response)?,
        };
        match account {
            Some(account) => Ok(Self { account, session }),
            None => Err(Redirect::to("/login").into_response()),
        }
    }
}
