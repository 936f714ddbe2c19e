//! Confirming an account from the emailed link.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::token_page;
use crate::accounts::{Confirmation, ConfirmationProof};
use crate::http::AppState;
use crate::http::csrf::CsrfToken;
use crate::http::error::AppError;
use crate::http::forms::{ConfirmForm, HtmlForm};
use crate::http::handlers::login::log_in;
use crate::http::pages::ConfirmPage;
use crate::http::return_to::{ReturnToQuery, hidden, landing};
use crate::http::signup_session;
use crate::http::usable_link::{ConfirmLink, UsableLink, link_token};
use crate::i18n::{self, Localize};
use crate::tokens::Purpose;
use axum::Router;
use axum::routing::{get, post};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/confirm/{token}", get(show))
        .route("/confirm", post(submit))
}

/// Shows what the link is for. Never changes anything: mail scanners fetch links, and some
/// even press buttons, so only the POST acts, and only with the second proof: the password,
/// or (one button) the session of the browser whose sign-up created the account.
pub(crate) async fn show(
    State(state): State<AppState>,
    session: Session,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<ReturnToQuery>,
    link: UsableLink<ConfirmLink>,
) -> Result<Response, AppError> {
    let binding = signup_session::binding(&session).await?;
    let page = ConfirmPage {
        csrf_token,
        return_to: hidden(state.return_policy.accept(&query.return_to).as_ref()),
        one_click: binding == Some(link.account),
        token: link.token,
        email: link.email,
        password_min_length: state.accounts.rules().password_min_length,
        ..ConfirmPage::default()
    };
    Ok(token_page(page.into_response()))
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    session: Session,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<ConfirmForm>,
) -> Result<Response, AppError> {
    let return_to = state.return_policy.accept(&form.return_to);
    let page = ConfirmPage {
        csrf_token,
        return_to: hidden(return_to.as_ref()),
        token: form.token.clone(),
        offer_new_password: true,
        password_min_length: state.accounts.rules().password_min_length,
        ..ConfirmPage::default()
    };
    let token = link_token(&form.token, Purpose::Confirm)?;
    let proof = match (
        ConfirmationProof::try_from(form.fields()),
        signup_session::binding(&session).await?,
    ) {
        (Ok(proof), _) => proof,
        // The one-button form: no password, the sign-up session instead.
        (Err(_), Some(binding)) => ConfirmationProof::SignupSession(binding),
        (Err(missing), None) => {
            return Ok(refused(password_refused(page, missing.localize())));
        }
    };
    Ok(match state.accounts.confirm(&token, proof).await? {
        Confirmation::Confirmed(grant) => {
            signup_session::forget(&session).await?;
            log_in(&state, &session, &grant, landing(return_to.as_ref())).await?
        }
        Confirmation::WrongPassword { email } => refused(ConfirmPage {
            email: email.as_str().to_owned(),
            ..password_refused(page, i18n::t("confirm-wrong-password"))
        }),
        Confirmation::NewPasswordRejected { email, reason } => refused(ConfirmPage {
            email: email.as_str().to_owned(),
            new_password_error: Some(reason.localize()),
            ..page
        }),
    })
}

fn password_refused(page: ConfirmPage, message: String) -> ConfirmPage {
    ConfirmPage {
        password_error: Some(message),
        ..page
    }
}

/// The confirmation form again with an error next to a field.
fn refused(page: ConfirmPage) -> Response {
    token_page((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
