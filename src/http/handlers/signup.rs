use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::ask_by_address;
use crate::accounts::{AddressRequest, NewAccount};
use crate::http::AppState;
use crate::http::csrf::CsrfToken;
use crate::http::error::AppError;
use crate::http::forms::{EmailPasswordForm, HtmlForm};
use crate::http::pages::{CheckEmailPage, ResendPage, SignupPage};
use axum::Router;
use axum::routing::get;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/signup", get(form).post(submit))
        .route("/signup/check-email", get(check_email))
        .route(
            "/confirm/resend",
            get(resend_form).merge(ask_by_address(
                AddressRequest::Confirmation,
                "/signup/check-email",
            )),
        )
}

pub(crate) async fn form(
    State(state): State<AppState>,
    CsrfToken(csrf_token): CsrfToken,
) -> SignupPage {
    SignupPage {
        csrf_token,
        password_min_length: state.accounts.rules().password_min_length,
        ..SignupPage::default()
    }
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<EmailPasswordForm>,
) -> Result<Response, AppError> {
    let min_length = state.accounts.rules().password_min_length;
    let account = match NewAccount::parse(&form.email, &form.password, min_length) {
        Ok(account) => account,
        Err(rejection) => {
            let page = SignupPage {
                csrf_token,
                email: form.email.trim().to_owned(),
                email_error: rejection.email.map(|reason| reason.to_string()),
                password_error: rejection.password.map(|reason| reason.to_string()),
                password_min_length: min_length,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    state.accounts.register(account).await?;
    Ok(Redirect::to("/signup/check-email").into_response())
}

pub(crate) async fn check_email(CsrfToken(csrf_token): CsrfToken) -> CheckEmailPage {
    CheckEmailPage {
        csrf_token,
        resend_email: String::new(),
    }
}

pub(crate) async fn resend_form(CsrfToken(csrf_token): CsrfToken) -> ResendPage {
    ResendPage {
        csrf_token,
        resend_email: String::new(),
    }
}
