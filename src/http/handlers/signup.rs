use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use tower_sessions::Session;

use super::{ask_by_address, no_store, token_page};
use crate::accounts::{AddressRequest, CodeConfirmation, CodeProof, Continuation, NewAccount};
use crate::http::AppState;
use crate::http::csrf::CsrfToken;
use crate::http::error::AppError;
use crate::http::forms::{CodeForm, EmailPasswordForm, HtmlForm};
use crate::http::handlers::login::log_in;
use crate::http::language::RequestLanguage;
use crate::http::pages::{CheckEmailPage, ConfirmPage, ResendPage, SignupPage};
use crate::http::return_to::{ReturnTo, ReturnToQuery, hidden, landing};
use crate::http::signup_session;
use crate::i18n::{self, Localize};
use crate::tokens::CodeAttempt;
use axum::Router;
use axum::routing::{get, post};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/signup", get(form).post(submit))
        .route("/signup/check-email", get(check_email))
        .route("/signup/continue", post(continue_here))
        .route("/confirm/code", post(confirm_with_code))
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
    Query(query): Query<ReturnToQuery>,
) -> SignupPage {
    SignupPage {
        csrf_token,
        password_min_length: state.accounts.rules().password_min_length,
        return_to: hidden(state.return_policy.accept(&query.return_to).as_ref()),
        ..SignupPage::default()
    }
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    session: Session,
    CsrfToken(csrf_token): CsrfToken,
    RequestLanguage(language): RequestLanguage,
    HtmlForm(form): HtmlForm<EmailPasswordForm>,
) -> Result<Response, AppError> {
    let min_length = state.accounts.rules().password_min_length;
    let return_to = state.return_policy.accept(&form.return_to);
    let account = match NewAccount::parse(&form.email, &form.password, min_length) {
        Ok(account) => account,
        Err(rejection) => {
            let page = SignupPage {
                csrf_token,
                email: form.email.trim().to_owned(),
                email_error: rejection.email.map(|reason| reason.localize()),
                password_error: rejection.password.map(|reason| reason.localize()),
                password_min_length: min_length,
                return_to: hidden(return_to.as_ref()),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let email = account.email.clone();
    let registration = state
        .accounts
        .register(account, language, return_to.as_ref().map(ReturnTo::as_str))
        .await?;
    signup_session::record(&session, &email, registration, return_to.as_ref()).await?;
    Ok(Redirect::to("/signup/check-email").into_response())
}

pub(crate) async fn check_email(CsrfToken(csrf_token): CsrfToken) -> CheckEmailPage {
    CheckEmailPage {
        csrf_token,
        ..CheckEmailPage::default()
    }
}

/// `POST /confirm/code`: the code from the email, in the browser that signed up.
pub(crate) async fn confirm_with_code(
    State(state): State<AppState>,
    session: Session,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<CodeForm>,
) -> Result<Response, AppError> {
    let outcome = match signup_session::address(&session).await? {
        Some(email) => {
            let proof = CodeProof::Session(signup_session::binding(&session).await?);
            state
                .accounts
                .confirm_with_code(&email, CodeAttempt::parse(&form.code), proof)
                .await?
        }
        // Never signed up here: the answer of a wrong code.
        None => CodeConfirmation::WrongCode,
    };
    let return_to = signup_session::return_to(&session, &state.return_policy).await?;
    Ok(match outcome {
        CodeConfirmation::Confirmed(grant) => {
            signup_session::forget(&session).await?;
            log_in(&state, &session, &grant, landing(return_to.as_ref())).await?
        }
        CodeConfirmation::NeedsPassword { token, email } => token_page(
            ConfirmPage {
                csrf_token,
                token: token.expose().to_owned(),
                email: email.as_str().to_owned(),
                offer_new_password: true,
                password_min_length: state.accounts.rules().password_min_length,
                return_to: hidden(return_to.as_ref()),
                ..ConfirmPage::default()
            }
            .into_response(),
        ),
        CodeConfirmation::WrongCode | CodeConfirmation::Refused(_) => no_store(
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                CheckEmailPage {
                    csrf_token,
                    code_error: Some(i18n::t("code-wrong")),
                    ..CheckEmailPage::default()
                },
            )
                .into_response(),
        ),
    })
}

/// `POST /signup/continue`: someone confirmed on another device and comes back here.
pub(crate) async fn continue_here(
    State(state): State<AppState>,
    session: Session,
    CsrfToken(csrf_token): CsrfToken,
) -> Result<Response, AppError> {
    let binding = signup_session::binding(&session).await?;
    let return_to = signup_session::return_to(&session, &state.return_policy).await?;
    Ok(match state.accounts.continue_signup(binding).await? {
        Continuation::LoggedIn(grant) => {
            signup_session::forget(&session).await?;
            log_in(&state, &session, &grant, landing(return_to.as_ref())).await?
        }
        Continuation::Pending => CheckEmailPage {
            csrf_token,
            notice: Some(i18n::t("code-not-confirmed-yet")),
            ..CheckEmailPage::default()
        }
        .into_response(),
        Continuation::Spent => Redirect::to("/login").into_response(),
    })
}

pub(crate) async fn resend_form(CsrfToken(csrf_token): CsrfToken) -> ResendPage {
    ResendPage {
        csrf_token,
        resend_email: String::new(),
    }
}
