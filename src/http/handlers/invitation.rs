//! Accepting an invitation (SPEC §16): the link's page asks for a password; its form
//! creates the confirmed account and logs this browser in.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::token_page;
use crate::accounts::{InvitationAcceptance, InvitationView, LoginMethod};
use crate::http::AppState;
use crate::http::csrf::CsrfToken;
use crate::http::error::AppError;
use crate::http::forms::HtmlForm;
use crate::http::handlers::login::log_in;
use crate::http::language::RequestLanguage;
use crate::http::pages::{InviteExistsPage, InvitePage};
use crate::http::return_to::{ReturnToQuery, carried, hidden, landing};
use crate::http::usable_link::link_token;
use crate::i18n::Localize;
use crate::passwords::NewPassword;
use crate::sessions::TypedSession;
use crate::tokens::Purpose;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/invite/{token}", get(show))
        .route("/invite", post(accept))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct InviteForm {
    token: String,
    password: String,
    return_to: String,
}

/// An address that has an account by now: say so, with the way to log in.
fn account_exists(email: &str, return_to: &str) -> Response {
    let page = InviteExistsPage {
        email: email.to_owned(),
        login_href: carried("/login", return_to),
    };
    token_page(page.into_response())
}

/// `GET /invite/{token}`: the password form, or why the invitation cannot be used.
pub(crate) async fn show(
    State(state): State<AppState>,
    CsrfToken(csrf_token): CsrfToken,
    Path(raw): Path<String>,
    Query(query): Query<ReturnToQuery>,
) -> Result<Response, AppError> {
    let token = link_token(&raw, Purpose::Invite)?;
    let return_to = hidden(state.return_policy.accept(&query.return_to).as_ref());
    Ok(match state.accounts.inspect_invitation(&token).await? {
        InvitationView::AccountExists { email } => account_exists(email.as_str(), &return_to),
        InvitationView::Open { email } => token_page(
            InvitePage {
                csrf_token,
                token: raw,
                email: email.as_str().to_owned(),
                password_min_length: state.accounts.rules().password_min_length,
                return_to,
                password_error: None,
            }
            .into_response(),
        ),
    })
}

/// `POST /invite`: creates the account, confirmed, and logs this browser in.
pub(crate) async fn accept(
    State(state): State<AppState>,
    session: TypedSession,
    CsrfToken(csrf_token): CsrfToken,
    RequestLanguage(language): RequestLanguage,
    HtmlForm(form): HtmlForm<InviteForm>,
) -> Result<Response, AppError> {
    let token = link_token(&form.token, Purpose::Invite)?;
    let return_to = state.return_policy.accept(&form.return_to);
    let min_length = state.accounts.rules().password_min_length;
    let email = match state.accounts.inspect_invitation(&token).await? {
        InvitationView::Open { email } => email,
        InvitationView::AccountExists { email } => {
            return Ok(account_exists(email.as_str(), &hidden(return_to.as_ref())));
        }
    };
    let password = match NewPassword::parse(&form.password, email.as_str(), min_length) {
        Ok(password) => password,
        Err(reason) => {
            let page = InvitePage {
                csrf_token,
                token: form.token,
                email: email.as_str().to_owned(),
                password_error: Some(reason.localize()),
                password_min_length: min_length,
                return_to: hidden(return_to.as_ref()),
            };
            return Ok(token_page(
                (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
            ));
        }
    };
    match state
        .accounts
        .accept_invitation(&token, &password, language)
        .await?
    {
        InvitationAcceptance::Created(grant) => {
            log_in(
                &state,
                &session,
                &grant,
                LoginMethod::Invitation,
                landing(return_to.as_ref()),
            )
            .await
        }
        InvitationAcceptance::AccountExists { email } => {
            Ok(account_exists(email.as_str(), &hidden(return_to.as_ref())))
        }
    }
}
