//! The page header's login state (SPEC §10: "Account" and "Log out" for a logged-in
//! person, on every page). The middleware reads it once per page request and every
//! template's base layout asks [`logged_in`] and [`logout_token`] while it renders, so no
//! page struct has to carry it.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

use super::csrf::CsrfToken;
use crate::sessions::USER_ID_KEY;

#[derive(Clone, Default)]
struct Nav {
    logged_in: bool,
    csrf_token: String,
}

tokio::task_local! {
    static NAV: Nav;
}

/// Middleware, inside the session and CSRF layers and outside `link_pages`, so every page
/// (link pages too) renders within it. A visitor without a session cookie costs nothing.
pub(super) async fn remember(session: Session, request: Request, next: Next) -> Response {
    let logged_in = session
        .get::<i64>(USER_ID_KEY)
        .await
        .ok()
        .flatten()
        .is_some();
    let csrf_token = request
        .extensions()
        .get::<CsrfToken>()
        .map(|token| token.0.clone())
        .unwrap_or_default();
    NAV.scope(
        Nav {
            logged_in,
            csrf_token,
        },
        next.run(request),
    )
    .await
}

/// True when the page being rendered belongs to a logged-in session.
pub(crate) fn logged_in() -> bool {
    NAV.try_with(|nav| nav.logged_in).unwrap_or(false)
}

/// The CSRF token for the header's "Log out" form.
pub(crate) fn logout_token() -> String {
    NAV.try_with(|nav| nav.csrf_token.clone())
        .unwrap_or_default()
}
