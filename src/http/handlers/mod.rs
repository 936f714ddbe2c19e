//! Request handlers: extract, call the accounts module, render or redirect.

pub(super) mod account;
pub(super) mod api;
pub(super) mod confirm;
pub(super) mod dev_mailbox;
pub(super) mod forward_auth;
pub(super) mod health;
pub(super) mod home;
pub(super) mod login;
pub(super) mod password;
pub(super) mod signup;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Redirect, Response};
use axum::routing::{MethodRouter, post};

use super::AppState;
use super::error::AppError;
use super::forms::{EmailForm, HtmlForm};
use crate::accounts::AddressRequest;

/// The `POST` of a form that asks for an email by address (a resend, a reset link): the
/// same redirect to `then` whether or not the address has an account.
fn ask_by_address(request: AddressRequest, then: &'static str) -> MethodRouter<AppState> {
    post(
        move |State(state): State<AppState>, HtmlForm(form): HtmlForm<EmailForm>| async move {
            state
                .accounts
                .request_by_address(request, form.email.as_ref())
                .await?;
            Ok::<_, AppError>(Redirect::to(then))
        },
    )
}

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
