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
use super::return_to::ReturnTo;
use super::signup_session;
use crate::accounts::AddressRequest;
use tower_sessions::Session;

/// The `POST` of a form that asks for an email by address (a resend, a reset link): the
/// same redirect to `then` whether or not the address has an account. A resend from the
/// browser that signed up carries that sign-up's `return_to`, like its first email.
fn ask_by_address(request: AddressRequest, then: &'static str) -> MethodRouter<AppState> {
    post(
        move |State(state): State<AppState>,
              session: Session,
              HtmlForm(form): HtmlForm<EmailForm>| async move {
            let return_to = signup_session::return_to(&session, &state.return_policy).await?;
            state
                .accounts
                .request_by_address(
                    request,
                    form.email.as_ref(),
                    return_to.as_ref().map(ReturnTo::as_str),
                )
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
