//! Confirming an account (SPEC §3, §9): the check-email page with its code form and
//! "Continue", the emailed link's page and form, resending the email, and the JSON API's
//! confirmations.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::{no_store, token_page};
use crate::accounts::{
    AccountsError, AttemptOrigin, CodeConfirmation, CodeProof, Confirmation, ConfirmationFields,
    ConfirmationProof, Continuation, Email, LinkProblem, LoginMethod,
};
use crate::http::AppState;
use crate::http::api::{ApiJson, HashingProblems, Outcome, RequestProblems, accepted, status_json};
use crate::http::csrf::CsrfToken;
use crate::http::devices::Origin;
use crate::http::error::{AppError, FieldErrors, Problem, ProblemJson};
use crate::http::forms::{CodeForm, ConfirmForm, EmailForm, HtmlForm, address_if_valid};
use crate::http::handlers::login::log_in;
use crate::http::pages::{CheckEmailPage, ConfirmPage, ResendPage};
use crate::http::return_to::{ReturnTo, ReturnToQuery, hidden, landing};
use crate::http::usable_link::{ConfirmLink, UsableLink, link_token};
use crate::i18n::{self, Localize};
use crate::sessions::{SignupState, TypedSession};
use crate::tokens::{CodeAttempt, LinkToken, Purpose};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/signup/check-email", get(check_email))
        .route("/signup/continue", post(continue_here))
        .route("/confirm/code", post(confirm_with_code))
        .route("/confirm/resend", get(resend_form).post(resend))
        .route("/confirm/{token}", get(show))
        .route("/confirm", post(submit))
}

/// This browser's sign-up, and where it was headed (checked again against today's rules).
async fn signup_of(
    state: &AppState,
    session: &TypedSession,
) -> Result<(Option<SignupState>, Option<ReturnTo>), AppError> {
    let signup = session.signup().await?;
    let return_to = signup
        .as_ref()
        .and_then(|signup| signup.return_to.as_deref())
        .and_then(|raw| state.return_policy.accept(raw));
    Ok((signup, return_to))
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
    session: TypedSession,
    Origin(origin): Origin,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<CodeForm>,
) -> Result<Response, AppError> {
    let (signup, return_to) = signup_of(&state, &session).await?;
    let code = CodeAttempt::parse(&form.code);
    let outcome = match signup
        .and_then(|signup| Some((Email::parse(&signup.address).ok()?, signup.binding)))
    {
        Some((email, binding)) => {
            state
                .accounts
                .confirm_with_code(&email, &code, CodeProof::Session(binding), &origin)
                .await?
        }
        // Never signed up here: the answer of a wrong code.
        None => CodeConfirmation::WrongCode,
    };
    Ok(match outcome {
        CodeConfirmation::Confirmed(grant) => {
            log_in(
                &state,
                &session,
                &grant,
                LoginMethod::Confirmation,
                landing(return_to.as_ref()),
            )
            .await?
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
    session: TypedSession,
    CsrfToken(csrf_token): CsrfToken,
) -> Result<Response, AppError> {
    let (signup, return_to) = signup_of(&state, &session).await?;
    let binding = signup.and_then(|signup| signup.binding);
    Ok(match state.accounts.continue_signup(binding).await? {
        Continuation::LoggedIn(grant) => {
            log_in(
                &state,
                &session,
                &grant,
                LoginMethod::Confirmation,
                landing(return_to.as_ref()),
            )
            .await?
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

/// `POST /confirm/resend`: the same redirect whether or not the address has an account
/// waiting. A resend from the browser that signed up carries that sign-up's `return_to`,
/// like its first email, and renews its binding for as long as the new code lives.
pub(crate) async fn resend(
    State(state): State<AppState>,
    session: TypedSession,
    HtmlForm(form): HtmlForm<EmailForm>,
) -> Result<Redirect, AppError> {
    let (signup, return_to) = signup_of(&state, &session).await?;
    state
        .accounts
        .resend_confirmation(
            form.email.as_ref(),
            return_to.as_ref().map(ReturnTo::as_str),
        )
        .await?;
    let renewed = signup.and_then(|signup| {
        let same_address = form
            .email
            .as_ref()
            .is_some_and(|email| email.normalized() == signup.address.to_lowercase());
        let binding = signup.binding.filter(|_| same_address)?;
        Some(SignupState {
            binding: Some(state.accounts.bind_signup(binding.grant)),
            ..signup
        })
    });
    if let Some(signup) = renewed {
        session.record_signup(&signup).await?;
    }
    Ok(Redirect::to("/signup/check-email"))
}

/// Shows what the link is for. Never changes anything: mail scanners fetch links, and some
/// even press buttons, so only the POST acts, and only with the second proof: the password,
/// or (one button) the session of the browser whose sign-up created the account.
pub(crate) async fn show(
    State(state): State<AppState>,
    session: TypedSession,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<ReturnToQuery>,
    link: UsableLink<ConfirmLink>,
) -> Result<Response, AppError> {
    // Only a browser that sent a session cookie can hold a binding: others cost no read.
    let binding = match session.id() {
        Some(_) => session.signup().await?.and_then(|signup| signup.binding),
        None => None,
    };
    let page = ConfirmPage {
        csrf_token,
        return_to: hidden(state.return_policy.accept(&query.return_to).as_ref()),
        one_click: binding
            .is_some_and(|binding| state.accounts.binding_holds(&binding, &link.account)),
        token: link.token,
        email: link.email,
        password_min_length: state.accounts.rules().password_min_length,
        ..ConfirmPage::default()
    };
    Ok(token_page(page.into_response()))
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    session: TypedSession,
    Origin(origin): Origin,
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
    let binding = session.signup().await?.and_then(|signup| signup.binding);
    let proof = match (ConfirmationProof::try_from(form.fields()), binding) {
        (Ok(proof), _) => proof,
        // The one-button form: no password, the sign-up session instead.
        (Err(_), Some(binding)) => ConfirmationProof::SignupSession(binding),
        (Err(missing), None) => {
            return Ok(refused(password_refused(page, missing.localize())));
        }
    };
    Ok(
        match state.accounts.confirm(&token, proof, &origin).await? {
            Confirmation::Confirmed(grant) => {
                log_in(
                    &state,
                    &session,
                    &grant,
                    LoginMethod::Confirmation,
                    landing(return_to.as_ref()),
                )
                .await?
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
        },
    )
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

/// The link's `token`, or the `email` and six-digit `code` from the confirmation email;
/// with the `password` chosen at sign-up, or a `new_password` that replaces it.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct ConfirmationRequest {
    #[serde(default)]
    token: String,
    email: Option<String>,
    #[schema(example = "042917")]
    code: Option<String>,
    password: Option<String>,
    new_password: Option<String>,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct ResendRequest {
    #[serde(default, deserialize_with = "address_if_valid")]
    #[schema(value_type = Option<String>, example = "ada@example.com")]
    email: Option<Email>,
}

/// Confirms an account, as `POST /confirm` does: proving the password chosen at sign-up, or
/// replacing it with a new one.
#[utoipa::path(
    post,
    path = "/confirmations",
    tag = "accounts",
    request_body = ConfirmationRequest,
    responses(
        RequestProblems,
        HashingProblems,
        (status = 200, description = "Confirmed, or already confirmed by this link.", body = crate::http::api::StatusBody,
            example = json!({"status": "confirmed"})),
        (status = 410, description = "The link expired (\"Signature has expired.\").", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong password or code, or a refused new password.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn confirm(
    State(state): State<AppState>,
    Origin(origin): Origin,
    ApiJson(request): ApiJson<ConfirmationRequest>,
) -> Result<Response, ProblemJson> {
    let fields = ConfirmationFields {
        password: request.password,
        new_password: request.new_password,
    };
    let proof = ConfirmationProof::try_from(fields)
        .map_err(|missing| invalid("password", missing.localize()))?;
    let outcome = match request.code {
        Some(code) => {
            let email = Email::parse(request.email.as_deref().unwrap_or_default()).ok();
            confirm_with_code_api(&state, email, CodeAttempt::parse(&code), proof, &origin).await?
        }
        None => {
            let token = LinkToken::parse(&request.token)
                .ok_or(AppError::Link(Purpose::Confirm, LinkProblem::Invalid))?;
            state.accounts.confirm(&token, proof, &origin).await
        }
    };
    match outcome {
        Ok(Confirmation::Confirmed { .. }) => Ok(status_json(StatusCode::OK, Outcome::Confirmed)),
        Ok(Confirmation::WrongPassword { .. }) => {
            Err(invalid("password", i18n::t("api-wrong-password")).into())
        }
        Ok(Confirmation::NewPasswordRejected { reason, .. }) => {
            Err(invalid("new_password", reason.localize()).into())
        }
        // Re-posting a spent link is an answer, not an error.
        Err(AccountsError::Link(_, LinkProblem::AlreadyUsed)) => {
            Ok(status_json(StatusCode::OK, Outcome::AlreadyConfirmed))
        }
        Err(error) => Err(error.into()),
    }
}

/// The code path of `POST /api/v1/confirmations`: a code with no pending confirmation
/// behind it (unknown address, confirmed, expired, past the cap) is a wrong code.
async fn confirm_with_code_api(
    state: &AppState,
    email: Option<Email>,
    code: CodeAttempt,
    proof: ConfirmationProof,
    origin: &AttemptOrigin,
) -> Result<Result<Confirmation, AccountsError>, AppError> {
    let wrong_code = || invalid("code", i18n::t("api-wrong-code"));
    let Some(email) = email else {
        return Err(wrong_code());
    };
    match state
        .accounts
        .confirm_with_code(&email, &code, CodeProof::Confirmation(proof), origin)
        .await?
    {
        CodeConfirmation::Confirmed(grant) => Ok(Ok(Confirmation::Confirmed(grant))),
        CodeConfirmation::Refused(confirmation) => Ok(Ok(confirmation)),
        CodeConfirmation::WrongCode | CodeConfirmation::NeedsPassword { .. } => Err(wrong_code()),
    }
}

fn invalid(field: &'static str, reason: String) -> AppError {
    AppError::Invalid(FieldErrors::from([(field, reason)]))
}

/// Sends a fresh confirmation email. `202` whether or not the address has an account.
#[utoipa::path(
    post,
    path = "/confirmations/resend",
    tag = "accounts",
    request_body = ResendRequest,
    responses(
        RequestProblems,
        (status = 202, description = "Sent if the address has an account waiting.", body = crate::http::api::StatusBody,
            example = json!({"status": "accepted"})),
    ),
)]
pub(crate) async fn resend_api(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ResendRequest>,
) -> Result<Response, ProblemJson> {
    state
        .accounts
        .resend_confirmation(request.email.as_ref(), None)
        .await?;
    Ok(accepted(Outcome::Accepted))
}
