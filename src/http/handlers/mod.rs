//! Request handlers, one module per flow with its pages and its JSON API side by side:
//! extract, call the accounts module, render or redirect. ARCHITECTURE.md's "Where each
//! flow lives" lists every route with its module; a test keeps it true.

pub(super) mod account;
pub(super) mod admin;
pub(super) mod admin_api;
pub(super) mod confirmation;
pub(super) mod dev_mailbox;
pub(super) mod email_change;
pub(super) mod email_sign_in;
pub(super) mod hand_off;
pub(super) mod health;
pub(super) mod home;
pub(super) mod invitation;
pub(super) mod login;
pub(super) mod oidc;
pub(super) mod password_reset;
pub(super) mod signup;

use axum::http::{HeaderValue, header};
use axum::response::Response;

/// Pages with account data must not be kept by caches or the back-forward history.
pub(super) fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A page whose URL or form holds a token must also not leak it through `Referer`.
pub(super) fn token_page(response: Response) -> Response {
    let mut response = no_store(response);
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
