//! Signing up: the form, and the JSON API's registrations.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::accounts::{NewAccount, Registration, SignupMode};
use crate::http::AppState;
use crate::http::api::{ApiJson, HashingProblems, Outcome, RequestProblems, accepted};
use crate::http::csrf::CsrfToken;
use crate::http::error::{AppError, Problem, ProblemJson};
use crate::http::forms::{EmailPasswordForm, HtmlForm};
use crate::http::language::RequestLanguage;
use crate::http::pages::SignupPage;
use crate::http::return_to::{ReturnTo, ReturnToQuery, hidden};
use crate::i18n::Localize;
use crate::sessions::{SignupState, TypedSession};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/signup", get(form).post(submit))
}

/// What a person reads when `SIGNUP_HOOK_URL` said no: its message, else ours.
fn refusal(message: Option<String>) -> String {
    message.unwrap_or_else(|| crate::i18n::t("signup-refused"))
}

/// Sign-up by anyone is on only when `SIGNUP` is `open`; the page and the API say why not.
fn refuse_unless_open(state: &AppState) -> Result<(), AppError> {
    match state.accounts.rules().signup {
        SignupMode::Open => Ok(()),
        mode => Err(AppError::SignupNotOpen {
            by_invitation: mode == SignupMode::Invite,
        }),
    }
}

pub(crate) async fn form(
    State(state): State<AppState>,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<ReturnToQuery>,
) -> Result<SignupPage, AppError> {
    refuse_unless_open(&state)?;
    Ok(SignupPage {
        csrf_token,
        password_min_length: state.accounts.rules().password_min_length,
        return_to: hidden(state.return_policy.accept(&query.return_to).as_ref()),
        email: query.login_hint.trim().to_owned(),
        ..SignupPage::default()
    })
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    session: TypedSession,
    CsrfToken(csrf_token): CsrfToken,
    RequestLanguage(language): RequestLanguage,
    HtmlForm(form): HtmlForm<EmailPasswordForm>,
) -> Result<Response, AppError> {
    refuse_unless_open(&state)?;
    let rules = state.accounts.rules();
    let min_length = rules.password_min_length;
    let return_to = state.return_policy.accept(&form.return_to);
    let account = match NewAccount::parse(&form.email, &form.password, rules) {
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
    let address = account.email.as_str().to_owned();
    let registration = state
        .accounts
        .register(account, language, return_to.as_ref().map(ReturnTo::as_str))
        .await?;
    // Every sign-up records the address, so a new and a known address get the same
    // cookie; only the one that created the account records the binding.
    let binding = match registration {
        Registration::Created(grant) => Some(state.accounts.bind_signup(grant)),
        Registration::Existing => None,
        Registration::Refused(message) => {
            let page = SignupPage {
                csrf_token,
                email: form.email.trim().to_owned(),
                email_error: Some(refusal(message)),
                password_min_length: min_length,
                return_to: hidden(return_to.as_ref()),
                ..SignupPage::default()
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    session
        .record_signup(&SignupState {
            address,
            binding,
            return_to: return_to.map(|to| to.as_str().to_owned()),
        })
        .await?;
    Ok(Redirect::to("/signup/check-email").into_response())
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct RegistrationRequest {
    // Missing fields are read as empty, so each gets its own message in `errors`.
    #[serde(default)]
    #[schema(required = true, max_length = 254, example = "ada@example.com")]
    email: String,
    /// At least `PASSWORD_MIN_LENGTH` characters (the document states the configured
    /// minimum), not one of the most common passwords, not the address.
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 128,
        example = "correct horse battery staple"
    )]
    password: String,
}

/// Creates an inactive account and emails its confirmation. `202` also for an address that
/// is already registered (no account enumeration); the token only ever travels by email.
#[utoipa::path(
    post,
    path = "/registrations",
    tag = "accounts",
    request_body = RegistrationRequest,
    responses(
        RequestProblems,
        HashingProblems,
        (status = 202, description = "Pending confirmation (or already registered).", body = crate::http::api::StatusBody,
            example = json!({"status": "pending_confirmation"})),
        (status = 403, description = "Sign-up is by invitation only, or closed (`SIGNUP`).", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused (an address whose domain may not sign up too); `errors` says why.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn register(
    State(state): State<AppState>,
    RequestLanguage(language): RequestLanguage,
    ApiJson(request): ApiJson<RegistrationRequest>,
) -> Result<Response, ProblemJson> {
    refuse_unless_open(&state)?;
    let account = NewAccount::parse(&request.email, &request.password, state.accounts.rules())
        .map_err(AppError::from)?;
    if let Registration::Refused(message) = state.accounts.register(account, language, None).await?
    {
        return Err(AppError::Invalid([("email", refusal(message))].into()).into());
    }
    Ok(accepted(Outcome::PendingConfirmation))
}
