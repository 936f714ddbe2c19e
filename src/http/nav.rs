//! The page header's login state (SPEC §10: "Account" and "Log out" for a logged-in
//! person, on every page). The middleware asks [`auth::logged_in`](super::auth::logged_in)
//! once per page request, keeps the answer for the handler, and every template's base
//! layout asks [`logged_in`] and [`logout_token`] while it renders, so no page struct has
//! to carry it.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::auth::{LoggedIn, logged_in as account_of};
use super::csrf::CsrfToken;
use crate::accounts::SignupMode;
use crate::sessions::TypedSession;

#[derive(Clone, Default)]
struct Nav {
    logged_in: bool,
    csrf_token: String,
    /// `SIGNUP=open`: pages offer sign-up only then.
    signup_open: bool,
}

tokio::task_local! {
    static NAV: Nav;
}

/// Middleware, inside the session and CSRF layers and outside `link_pages`, so every page
/// (link pages too) renders within it. A visitor without a session cookie costs nothing.
pub(super) async fn remember(
    State(state): State<AppState>,
    session: TypedSession,
    mut request: Request,
    next: Next,
) -> Response {
    let account = match account_of(&state, &session).await {
        Ok(account) => account,
        Err(error) => return error.into_response(),
    };
    let csrf_token = request
        .extensions()
        .get::<CsrfToken>()
        .map(|token| token.0.clone())
        .unwrap_or_default();
    let nav = Nav {
        logged_in: account.is_some(),
        csrf_token,
        signup_open: state.accounts.rules().signup == SignupMode::Open,
    };
    request.extensions_mut().insert(LoggedIn(account));
    NAV.scope(nav, next.run(request)).await
}

/// True when the page being rendered belongs to a logged-in session.
pub(crate) fn logged_in() -> bool {
    NAV.try_with(|nav| nav.logged_in).unwrap_or(false)
}

/// True when anyone may sign up (`SIGNUP=open`), so pages link to `/signup`.
pub(crate) fn signup_open() -> bool {
    NAV.try_with(|nav| nav.signup_open).unwrap_or(true)
}

/// The CSRF token for the header's "Log out" form.
pub(crate) fn logout_token() -> String {
    NAV.try_with(|nav| nav.csrf_token.clone())
        .unwrap_or_default()
}
