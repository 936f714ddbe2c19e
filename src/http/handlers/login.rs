//! Logging in and out.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::accounts::{Login, LoginMethod, SessionGrant};
use crate::http::AppState;
use crate::http::csrf::CsrfToken;
use crate::http::devices::Origin;
use crate::http::error::AppError;
use crate::http::forms::{EmailPasswordForm, HtmlForm};
use crate::http::pages::{LoginPage, LoginUnconfirmedPage};
use crate::http::return_to::{ReturnToQuery, hidden, landing};
use crate::i18n;
use crate::passwords::PasswordAttempt;
use crate::sessions::{LoginPlace, TypedSession};
use axum::Router;
use axum::routing::{get, post};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(form).post(submit))
        .route("/logout", post(logout))
}

pub(crate) async fn form(
    State(state): State<AppState>,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<ReturnToQuery>,
) -> LoginPage {
    LoginPage {
        csrf_token,
        return_to: hidden(state.return_policy.accept(&query.return_to).as_ref()),
        email: query.login_hint.trim().to_owned(),
        ..LoginPage::default()
    }
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    session: TypedSession,
    Origin(origin): Origin,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<EmailPasswordForm>,
) -> Result<Response, AppError> {
    let outcome = state
        .accounts
        .login(
            &form.email,
            &PasswordAttempt::parse(&form.password),
            &origin,
        )
        .await?;
    Ok(match outcome {
        Login::LoggedIn(grant) => {
            let return_to = state.return_policy.accept(&form.return_to);
            log_in(
                &state,
                &session,
                &grant,
                LoginMethod::Password,
                landing(return_to.as_ref()),
            )
            .await?
        }
        Login::InvalidCredentials => (
            StatusCode::UNAUTHORIZED,
            LoginPage {
                csrf_token,
                email: form.email.trim().to_owned(),
                error: Some(i18n::t("login-invalid")),
                return_to: hidden(state.return_policy.accept(&form.return_to).as_ref()),
            },
        )
            .into_response(),
        Login::Disabled => (
            StatusCode::FORBIDDEN,
            LoginPage {
                csrf_token,
                email: form.email.trim().to_owned(),
                error: Some(i18n::t("login-disabled")),
                return_to: hidden(state.return_policy.accept(&form.return_to).as_ref()),
            },
        )
            .into_response(),
        Login::Unconfirmed { email } => (
            StatusCode::FORBIDDEN,
            LoginUnconfirmedPage {
                csrf_token,
                resend_email: email.as_str().to_owned(),
            },
        )
            .into_response(),
    })
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    session: TypedSession,
) -> Result<Redirect, AppError> {
    if let Some(id) = session.id() {
        state.verified_sessions.forget(&id);
    }
    session.log_out().await?;
    Ok(Redirect::to("/"))
}

/// Starts an authenticated session under a new id, so an id planted before login (session
/// fixation) is worth nothing after it, and redirects to `to` with a fresh device cookie:
/// this browser has now proved it belongs to the account.
pub(crate) async fn log_in(
    state: &AppState,
    session: &TypedSession,
    grant: &SessionGrant,
    method: LoginMethod,
    to: &str,
) -> Result<Response, AppError> {
    let context = crate::audit::current();
    let place = LoginPlace {
        started_at: state.clock.unix_now(),
        client_ip: context.client.map(|client| client.to_string()),
        user_agent: context.user_agent,
    };
    session.log_in(grant, &place).await?;
    state.accounts.record_login(grant, method).await?;
    let mut response = Redirect::to(to).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, state.devices.issue(grant));
    Ok(response)
}
