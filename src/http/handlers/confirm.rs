use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::accounts::{Confirmation, ConfirmationLink, ConfirmationProof};
use crate::http::AppState;
use crate::http::csrf::CsrfToken;
use crate::http::error::AppError;
use crate::http::forms::{ConfirmForm, HtmlForm};
use crate::http::handlers::login::log_in;
use crate::http::pages::{AlreadyConfirmedPage, ConfirmPage, LinkExpiredPage, LinkInvalidPage};

const WRONG_PASSWORD: &str =
    "That is not the password chosen at sign-up. Try again, or choose a new password below.";

/// Shows what the link is for. Never changes anything: mail scanners fetch links, and some
/// even press buttons, so only the POST with the password acts.
pub async fn show(
    State(state): State<AppState>,
    CsrfToken(csrf_token): CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let link = state.accounts.inspect_confirmation(&token).await?;
    let response = match link {
        ConfirmationLink::Pending { email } => ConfirmPage {
            csrf_token,
            token,
            email,
            password_min_length: state.accounts.rules().password_min_length,
            ..ConfirmPage::default()
        }
        .into_response(),
        other => link_page(other, csrf_token),
    };
    Ok(token_page(response))
}

pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<ConfirmForm>,
) -> Result<Response, AppError> {
    let proof = if form.new_password.is_empty() {
        ConfirmationProof::Password(form.password)
    } else {
        ConfirmationProof::NewPassword(form.new_password)
    };
    let outcome = state.accounts.confirm(&form.token, proof).await?;
    let password_min_length = state.accounts.rules().password_min_length;
    let response = match outcome {
        Confirmation::Confirmed { user_id } => {
            log_in(&session, user_id).await?;
            Redirect::to("/account").into_response()
        }
        Confirmation::WrongPassword { email } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ConfirmPage {
                csrf_token,
                token: form.token,
                email,
                password_error: Some(WRONG_PASSWORD.to_owned()),
                offer_new_password: true,
                password_min_length,
                ..ConfirmPage::default()
            },
        )
            .into_response(),
        Confirmation::NewPasswordRejected { email, reason } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ConfirmPage {
                csrf_token,
                token: form.token,
                email,
                offer_new_password: true,
                new_password_error: Some(reason.to_string()),
                password_min_length,
                ..ConfirmPage::default()
            },
        )
            .into_response(),
        Confirmation::Link(link) => link_page(link, csrf_token),
    };
    Ok(token_page(response))
}

/// The page for a link that cannot be used to confirm.
fn link_page(link: ConfirmationLink, csrf_token: String) -> Response {
    match link {
        ConfirmationLink::AlreadyConfirmed => AlreadyConfirmedPage.into_response(),
        ConfirmationLink::Expired { email } => (
            StatusCode::GONE,
            LinkExpiredPage {
                csrf_token,
                resend_email: email,
            },
        )
            .into_response(),
        ConfirmationLink::Invalid | ConfirmationLink::Pending { .. } => (
            StatusCode::BAD_REQUEST,
            LinkInvalidPage {
                csrf_token,
                resend_email: String::new(),
            },
        )
            .into_response(),
    }
}

/// A page whose URL or form holds a token must not leak it through `Referer` or a cache.
fn token_page(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
