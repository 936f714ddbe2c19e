//! Signing in with an emailed code or link (SPEC §14): asking for the email from the login
//! page, the code in the browser that asked, and the link's one-button page.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::{no_store, token_page};
use crate::accounts::{EmailSignIn, LoginMethod};
use crate::http::AppState;
use crate::http::csrf::CsrfToken;
use crate::http::error::AppError;
use crate::http::forms::{CodeForm, EmailReturnToForm, HtmlForm, TokenReturnToForm};
use crate::http::handlers::login::log_in;
use crate::http::pages::{LoginCheckEmailPage, LoginLinkPage};
use crate::http::return_to::{ReturnToQuery, hidden, landing};
use crate::http::usable_link::{LoginLink, UsableLink, link_token};
use crate::i18n;
use crate::sessions::{EmailSignInState, TypedSession};
use crate::tokens::{CodeAttempt, Purpose};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/email", post(request))
        .route("/login/check-email", get(check_email))
        .route("/login/code", post(with_code))
        .route("/login/email/{token}", get(show_link))
        .route("/login/link", post(with_link))
}

/// `POST /login/email`: the same redirect, and a session cookie of the same shape, for a
/// confirmed, an unconfirmed and an unknown address, and for text that is not one.
pub(crate) async fn request(
    State(state): State<AppState>,
    session: TypedSession,
    HtmlForm(form): HtmlForm<EmailReturnToForm>,
) -> Result<Redirect, AppError> {
    let return_to = state.return_policy.accept(&form.return_to);
    let return_to = return_to.as_ref().map(|to| to.as_str());
    let email_row = state
        .accounts
        .request_sign_in_email(form.email.as_ref(), return_to, i18n::current())
        .await?;
    session
        .record_email_sign_in(&EmailSignInState {
            email_row,
            return_to: return_to.map(str::to_owned),
        })
        .await?;
    Ok(Redirect::to("/login/check-email"))
}

pub(crate) async fn check_email(CsrfToken(csrf_token): CsrfToken) -> LoginCheckEmailPage {
    LoginCheckEmailPage {
        csrf_token,
        ..LoginCheckEmailPage::default()
    }
}

/// `POST /login/code`: the code from the email, in the browser that asked for it.
pub(crate) async fn with_code(
    State(state): State<AppState>,
    session: TypedSession,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<CodeForm>,
) -> Result<Response, AppError> {
    let asked = session.email_sign_in().await?;
    let email_row = asked.as_ref().and_then(|asked| asked.email_row);
    let outcome = state
        .accounts
        .sign_in_with_code(email_row, &CodeAttempt::parse(&form.code))
        .await?;
    Ok(match outcome {
        EmailSignIn::SignedIn(grant) => {
            let return_to = asked
                .and_then(|asked| asked.return_to)
                .and_then(|raw| state.return_policy.accept(&raw));
            log_in(
                &state,
                &session,
                &grant,
                LoginMethod::EmailCode,
                landing(return_to.as_ref()),
            )
            .await?
        }
        EmailSignIn::WrongCode => no_store(
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                LoginCheckEmailPage {
                    csrf_token,
                    code_error: Some(i18n::t("login-code-wrong")),
                },
            )
                .into_response(),
        ),
    })
}

/// `GET /login/email/{token}`: "Log in as …?" and a button. Opening it signs nobody in:
/// mail scanners fetch links.
pub(crate) async fn show_link(
    State(state): State<AppState>,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<ReturnToQuery>,
    link: UsableLink<LoginLink>,
) -> Response {
    let page = LoginLinkPage {
        csrf_token,
        token: link.token,
        email: link.email,
        return_to: hidden(state.return_policy.accept(&query.return_to).as_ref()),
    };
    token_page(page.into_response())
}

/// `POST /login/link`: the button on the link's page signs in the browser that pressed it.
pub(crate) async fn with_link(
    State(state): State<AppState>,
    session: TypedSession,
    HtmlForm(form): HtmlForm<TokenReturnToForm>,
) -> Result<Response, AppError> {
    let token = link_token(&form.token, Purpose::Login)?;
    let grant = state.accounts.sign_in_with_link(&token).await?;
    let return_to = state.return_policy.accept(&form.return_to);
    log_in(
        &state,
        &session,
        &grant,
        LoginMethod::EmailLink,
        landing(return_to.as_ref()),
    )
    .await
}
