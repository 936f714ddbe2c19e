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
        Some(account) => {
            session.note_seen(state.clock.unix_now()).await?;
            Ok(Some(account))
        }
        None => {
            session.log_out().await?;
            Ok(None)
        }
    }
}

/// How long a proof of the password (or an emailed code) lets an admin use the console
/// before it is asked for again (SPEC §15).
pub(super) const ADMIN_PROOF_LIFETIME: i64 = 15 * 60;

/// A logged-in admin whose last proof is recent: what every console page and action
/// needs. Anyone else never learns the console is there: anonymous visitors are sent to
/// log in, other accounts get the `404` page; an admin whose proof is older than
/// [`ADMIN_PROOF_LIFETIME`] is sent to prove it again.
pub(super) struct Admin {
    pub account: Account,
}

/// A logged-in admin, however old the proof: the re-check page itself.
pub(super) struct StaleAdmin {
    pub account: Account,
    pub session: TypedSession,
}

impl FromRequestParts<AppState> for StaleAdmin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let here = parts
            .uri
            .path_and_query()
            .map_or("/admin", |path| path.as_str())
            .to_owned();
        let user = match CurrentUser::from_request_parts(parts, state).await {
            Ok(user) => user,
            Err(_) if parts.method == axum::http::Method::GET => {
                return Err(
                    Redirect::to(&super::return_to::carried("/login", &here)).into_response()
                );
            }
            Err(_) => {
                return Err(
                    Redirect::to(&super::return_to::carried("/login", "/admin")).into_response()
                );
            }
        };
        if !user.account.is_admin {
            return Err(AppError::NotFound.into_response());
        }
        Ok(Self {
            account: user.account,
            session: user.session,
        })
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let admin = StaleAdmin::from_request_parts(parts, state).await?;
        let proved_at = admin
            .session
            .authenticated_at()
            .await
            .map_err(|error| AppError::from(error).into_response())?
            .unwrap_or_default();
        if state.clock.unix_now() - proved_at > ADMIN_PROOF_LIFETIME {
            // An action is not done; the page it came from is where to go back to.
            let back = if parts.method == axum::http::Method::GET {
                parts
                    .uri
                    .path_and_query()
                    .map_or("/admin", |path| path.as_str())
                    .to_owned()
            } else {
                "/admin".to_owned()
            };
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("return_to", &back)
                .finish();
            return Err(Redirect::to(&format!("/admin/reauth?{query}")).into_response());
        }
        Ok(Self {
            account: admin.account,
        })
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
