//! The OpenID Connect provider's endpoints (SPEC §13). The pages (authorization, consent,
//! logout) sit with the other pages, in their language, with CSRF on the forms Doorman
//! renders; the authorization and logout endpoints themselves also take a `POST` from a
//! relying party's page, which no CSRF token can come with. The protocol endpoints
//! (discovery, JWKS, token, userinfo, revocation) answer JSON to the relying party.
//!
//! Every OpenID Connect error is answered by [`answer`], and only a request whose client
//! and redirect URI were verified is ever redirected back.

use axum::Json;
use axum::Router;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::no_store;
use crate::http::AppState;
use crate::http::auth::{CurrentUser, logged_in};
use crate::http::client_ip::ClientIp;
use crate::http::csrf::CsrfToken;
use crate::http::error::AppError;
use crate::http::forms::{HtmlForm, body_of_type};
use crate::http::pages::{ConsentPage, ErrorPage, LoggedOutPage, LogoutConfirmPage};
use crate::i18n::{self, Language};
use crate::oidc::{
    Authorization, AuthorizationParams, AuthorizationRequest, AuthorizeFailure,
    ClientAuthentication, OidcError, SignedIn, VerifiedRedirect, with_query,
};
use crate::sessions::TypedSession;

/// The endpoints a person's browser reaches (pages, with the page layers).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth2/authorize", get(authorize_get).post(authorize_post))
        .route("/oauth2/consent", post(consent))
        .route("/oauth2/logout", get(logout_get).post(logout_post))
        .route("/oauth2/logout/confirm", post(logout_confirm))
        .route("/account/apps/remove", post(remove_app))
}

/// The endpoints a relying party calls: JSON, no cookies, open to other origins.
pub(crate) fn protocol_routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/oauth2/jwks", get(jwks))
        .route("/oauth2/token", post(token))
        .route("/oauth2/revoke", post(revoke))
}

/// Userinfo, which an application may ask on each of its own requests, like forward auth.
pub(crate) fn userinfo_routes() -> Router<AppState> {
    Router::new().route("/oauth2/userinfo", get(userinfo).post(userinfo))
}

/// Paths that take a cross-site `POST` by design (a relying party's form): no CSRF token
/// can come with it, and neither changes anything a `GET` of the same could not.
pub(crate) const CROSS_SITE_POSTS: [&str; 2] = ["/oauth2/authorize", "/oauth2/logout"];

/// Where an error is answered.
enum Answer<'a> {
    /// A page at Doorman: the client or its redirect URI could not be verified.
    AtDoorman,
    /// Back at the client's verified redirect URI, with `state` and `iss`.
    Redirect(&'a VerifiedRedirect),
    /// The token or revocation endpoint's JSON.
    Json,
    /// The userinfo endpoint: `WWW-Authenticate: Bearer`.
    Bearer,
}

/// The one place an OpenID Connect error becomes a response.
fn answer(state: &AppState, error: OidcError, at: Answer<'_>) -> Response {
    if error.is_internal() {
        tracing::error!(error = %crate::telemetry::error_chain(&error), "OpenID Connect request failed");
    }
    match at {
        Answer::AtDoorman if error.is_internal() => AppError::internal(error).into_response(),
        Answer::AtDoorman => {
            let page = ErrorPage {
                title: i18n::t("oidc-error-title"),
                message: i18n::t(match error {
                    OidcError::UnknownClient => "oidc-error-unknown-client",
                    OidcError::UnregisteredRedirectUri => "oidc-error-redirect-uri",
                    _ => "oidc-error-request",
                }),
            };
            no_store((StatusCode::BAD_REQUEST, page).into_response())
        }
        Answer::Redirect(back) => {
            let description = error.description();
            let mut pairs = vec![("error", error.code()), ("error_description", &description)];
            if let Some(state_param) = back.state.as_deref() {
                pairs.push(("state", state_param));
            }
            pairs.push(("iss", state.oidc.issuer()));
            no_store(Redirect::to(&with_query(&back.redirect_uri, &pairs)).into_response())
        }
        Answer::Json => {
            let status = match error {
                OidcError::InvalidClient => StatusCode::UNAUTHORIZED,
                OidcError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ if error.is_internal() => StatusCode::INTERNAL_SERVER_ERROR,
                _ => StatusCode::BAD_REQUEST,
            };
            let mut response = (
                status,
                Json(serde_json::json!({
                    "error": error.code(),
                    "error_description": error.description(),
                })),
            )
                .into_response();
            if let OidcError::Throttled { retry_after } = error {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(retry_after.as_secs().max(1)),
                );
            }
            no_store(response)
        }
        Answer::Bearer => {
            let challenge = if error.is_internal() {
                "Bearer error=\"server_error\""
            } else {
                "Bearer error=\"invalid_token\""
            };
            let status = if error.is_internal() {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::UNAUTHORIZED
            };
            no_store(
                (
                    status,
                    [(
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static(challenge),
                    )],
                    Json(serde_json::json!({
                        "error": "invalid_token",
                        "error_description": error.description(),
                    })),
                )
                    .into_response(),
            )
        }
    }
}

fn failed(state: &AppState, failure: AuthorizeFailure) -> Response {
    match &failure.back_to {
        Some(back) => answer(state, failure.error, Answer::Redirect(back)),
        None => answer(state, failure.error, Answer::AtDoorman),
    }
}

/// Who is logged in, as the provider needs to know it.
async fn signed_in(state: &AppState, session: &TypedSession) -> Result<Option<SignedIn>, AppError> {
    let Some(account) = logged_in(state, session).await? else {
        return Ok(None);
    };
    let (Some(grant), auth_time) = (session.login().await?, session.authenticated_at().await?)
    else {
        return Ok(None);
    };
    Ok(Some(SignedIn {
        account,
        grant,
        // Sessions from before `auth_time` was recorded: as old as can be, so `max_age`
        // asks them to log in again.
        auth_time: auth_time.unwrap_or(0),
    }))
}

async fn authorize_get(
    State(state): State<AppState>,
    session: TypedSession,
    CsrfToken(csrf_token): CsrfToken,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    match serde_urlencoded::from_str::<AuthorizationParams>(query.as_deref().unwrap_or_default()) {
        Ok(params) => authorize(&state, &session, csrf_token, params).await,
        Err(_) => Ok(answer(
            &state,
            OidcError::InvalidRequest("the request's parameters cannot be read"),
            Answer::AtDoorman,
        )),
    }
}

async fn authorize_post(
    State(state): State<AppState>,
    session: TypedSession,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(params): HtmlForm<AuthorizationParams>,
) -> Result<Response, AppError> {
    authorize(&state, &session, csrf_token, params).await
}

async fn authorize(
    state: &AppState,
    session: &TypedSession,
    csrf_token: String,
    params: AuthorizationParams,
) -> Result<Response, AppError> {
    let request = match state.oidc.authorization_request(params).await {
        Ok(request) => request,
        Err(failure) => return Ok(failed(state, failure)),
    };
    let signed_in = signed_in(state, session).await?;
    Ok(
        match state.oidc.authorize(&request, signed_in.as_ref()).await {
            Ok(Authorization::LogIn { create }) => log_in_first(&request, create),
            Ok(Authorization::AskConsent) => consent_page(&request, csrf_token),
            Ok(Authorization::Code(code)) => back_with_code(state, &request.back_to(), &code),
            Err(failure) => failed(state, failure),
        },
    )
}

/// To the login page (or, with `prompt=create`, the sign-up page), coming back to this
/// request afterwards: `return_to` survives the email too, so a person who signs up and
/// confirms on another device ends up back in the application there.
fn log_in_first(request: &AuthorizationRequest, create: bool) -> Response {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("return_to", &request.resume_path());
    if let Some(hint) = request.login_hint.as_deref() {
        query.append_pair("login_hint", hint);
    }
    // `ui_locales`: the first shipped language it names, picked as the footer would.
    if let Some(language) = request
        .ui_locales
        .as_deref()
        .and_then(|locales| locales.split_whitespace().find_map(Language::from_tag))
    {
        query.append_pair("lang", language.tag());
    }
    let page = if create { "/signup" } else { "/login" };
    no_store(Redirect::to(&format!("{page}?{}", query.finish())).into_response())
}

fn back_with_code(state: &AppState, back: &VerifiedRedirect, code: &str) -> Response {
    let mut pairs = vec![("code", code)];
    if let Some(state_param) = back.state.as_deref() {
        pairs.push(("state", state_param));
    }
    pairs.push(("iss", state.oidc.issuer()));
    no_store(Redirect::to(&with_query(&back.redirect_uri, &pairs)).into_response())
}

fn consent_page(request: &AuthorizationRequest, csrf_token: String) -> Response {
    let params = serde_urlencoded::to_string(request.params())
        .ok()
        .map(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    no_store(
        ConsentPage {
            csrf_token,
            client_name: request.client.name.clone(),
            offline: request.scope.contains("offline_access"),
            params,
        }
        .into_response(),
    )
}

#[derive(serde::Deserialize)]
struct ConsentForm {
    #[serde(flatten)]
    params: AuthorizationParams,
    #[serde(default)]
    decision: String,
}

/// `POST /oauth2/consent`: the person's Allow or Deny.
async fn consent(
    State(state): State<AppState>,
    session: TypedSession,
    HtmlForm(form): HtmlForm<ConsentForm>,
) -> Result<Response, AppError> {
    let request = match state.oidc.authorization_request(form.params).await {
        Ok(request) => request,
        Err(failure) => return Ok(failed(&state, failure)),
    };
    let Some(signed_in) = signed_in(&state, &session).await? else {
        return Ok(log_in_first(&request, false));
    };
    let allowed = form.decision == "allow";
    Ok(
        match state
            .oidc
            .answer_consent(&request, &signed_in, allowed)
            .await
        {
            Ok(code) => back_with_code(&state, &request.back_to(), &code),
            Err(failure) => failed(&state, failure),
        },
    )
}

/// RP-initiated logout's parameters.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct LogoutParams {
    id_token_hint: Option<String>,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

async fn logout_get(
    State(state): State<AppState>,
    session: TypedSession,
    CsrfToken(csrf_token): CsrfToken,
    Query(params): Query<LogoutParams>,
) -> Result<Response, AppError> {
    logout(&state, &session, csrf_token, params, false).await
}

async fn logout_post(
    State(state): State<AppState>,
    session: TypedSession,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(params): HtmlForm<LogoutParams>,
) -> Result<Response, AppError> {
    logout(&state, &session, csrf_token, params, false).await
}

/// `POST /oauth2/logout/confirm`: "Log out of Doorman?" answered yes.
async fn logout_confirm(
    State(state): State<AppState>,
    session: TypedSession,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(params): HtmlForm<LogoutParams>,
) -> Result<Response, AppError> {
    logout(&state, &session, csrf_token, params, true).await
}

/// Ends the Doorman session at once when the `id_token_hint` names its account (or the
/// person confirmed), else asks first; then to the registered post-logout URI with
/// `state`, or a "you are logged out" page.
async fn logout(
    state: &AppState,
    session: &TypedSession,
    csrf_token: String,
    params: LogoutParams,
    confirmed: bool,
) -> Result<Response, AppError> {
    let plan = match state
        .oidc
        .logout_plan(
            params.id_token_hint.as_deref(),
            params.client_id.as_deref(),
            params.post_logout_redirect_uri.as_deref(),
            params.state.as_deref(),
        )
        .await
    {
        Ok(plan) => plan,
        Err(error) => return Ok(answer(state, error, Answer::AtDoorman)),
    };
    if let Some(account) = logged_in(state, session).await? {
        if !confirmed && plan.hinted_user != Some(account.id) {
            return Ok(no_store(
                LogoutConfirmPage {
                    csrf_token,
                    id_token_hint: params.id_token_hint.unwrap_or_default(),
                    client_id: params.client_id.unwrap_or_default(),
                    post_logout_redirect_uri: params.post_logout_redirect_uri.unwrap_or_default(),
                    state: params.state.unwrap_or_default(),
                }
                .into_response(),
            ));
        }
        if let Some(id) = session.id() {
            state.verified_sessions.forget(&id);
        }
        session.log_out().await?;
    }
    Ok(match plan.redirect {
        Some(to) => no_store(Redirect::to(&to).into_response()),
        None => no_store(LoggedOutPage.into_response()),
    })
}

#[derive(serde::Deserialize)]
struct RemoveAppForm {
    #[serde(default)]
    client_id: String,
}

/// "Remove access" on the account page.
async fn remove_app(
    State(state): State<AppState>,
    user: CurrentUser,
    HtmlForm(form): HtmlForm<RemoveAppForm>,
) -> Result<Redirect, AppError> {
    state
        .oidc
        .remove_access(user.account.id, &form.client_id)
        .await
        .map_err(AppError::internal)?;
    Ok(Redirect::to("/account?notice=app-removed"))
}

/// `GET /.well-known/openid-configuration` (Discovery 1.0).
async fn discovery(State(state): State<AppState>) -> Response {
    let issuer = state.oidc.issuer();
    let endpoint = |path: &str| format!("{issuer}{path}");
    let methods = ["client_secret_basic", "client_secret_post", "none"];
    Json(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": endpoint("/oauth2/authorize"),
        "token_endpoint": endpoint("/oauth2/token"),
        "userinfo_endpoint": endpoint("/oauth2/userinfo"),
        "jwks_uri": endpoint("/oauth2/jwks"),
        "revocation_endpoint": endpoint("/oauth2/revoke"),
        "end_session_endpoint": endpoint("/oauth2/logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": crate::oidc::SUPPORTED_SCOPES,
        "token_endpoint_auth_methods_supported": methods,
        "revocation_endpoint_auth_methods_supported": methods,
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["none", "login", "consent", "create"],
        "authorization_response_iss_parameter_supported": true,
        "claims_supported": [
            "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
            "email", "email_verified", "locale"
        ],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
    }))
    .into_response()
}

/// `GET /oauth2/jwks`: the public signing keys.
async fn jwks(State(state): State<AppState>) -> Response {
    match state.oidc.keys().jwks().await {
        Ok(keys) => Json(keys).into_response(),
        Err(error) => answer(&state, error.into(), Answer::Json),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct TokenForm {
    grant_type: String,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    token: Option<String>,
}

/// A form body of the token or revocation endpoint, and who the client says it is.
async fn client_request(
    headers: &HeaderMap,
    request: axum::extract::Request,
) -> Result<(TokenForm, ClientAuthentication), OidcError> {
    let body = body_of_type(request, "application/x-www-form-urlencoded")
        .await
        .map_err(|_| {
            OidcError::InvalidRequest("the body must be an application/x-www-form-urlencoded form")
        })?;
    let form: TokenForm = serde_urlencoded::from_bytes(&body)
        .map_err(|_| OidcError::InvalidRequest("the form cannot be read"))?;
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .map(basic_credentials);
    let authentication = match (basic, &form.client_secret, &form.client_id) {
        (Some(Some((client_id, secret))), None, _) => {
            ClientAuthentication::Basic { client_id, secret }
        }
        (Some(_), _, _) => return Err(OidcError::InvalidClient),
        (None, Some(secret), Some(client_id)) => ClientAuthentication::Post {
            client_id: client_id.clone(),
            secret: secret.clone(),
        },
        (None, None, Some(client_id)) => ClientAuthentication::None {
            client_id: client_id.clone(),
        },
        (None, _, None) => return Err(OidcError::InvalidClient),
    };
    Ok((form, authentication))
}

/// `client_secret_basic` (RFC 6749 §2.3.1): the id and secret, each form-urlencoded,
/// joined by `:`, in base64.
fn basic_credentials(encoded: &str) -> Option<(String, String)> {
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (client_id, secret) = decoded.split_once(':')?;
    let unescape = |part: &str| {
        url::form_urlencoded::parse(format!("x={part}").as_bytes())
            .next()
            .map(|(_, value)| value.into_owned())
    };
    Some((unescape(client_id)?, unescape(secret)?))
}

/// `POST /oauth2/token`.
async fn token(
    State(state): State<AppState>,
    ClientIp(client_ip): ClientIp,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> Response {
    let result = async {
        let (form, authentication) = client_request(&headers, request).await?;
        let client = state
            .oidc
            .authenticate_client(&authentication, client_ip)
            .await?;
        match form.grant_type.as_str() {
            "authorization_code" => {
                let (Some(code), Some(redirect_uri)) = (&form.code, &form.redirect_uri) else {
                    return Err(OidcError::InvalidRequest(
                        "code and redirect_uri are required",
                    ));
                };
                state
                    .oidc
                    .exchange_code(&client, code, redirect_uri, form.code_verifier.as_deref())
                    .await
            }
            "refresh_token" => {
                let Some(refresh_token) = &form.refresh_token else {
                    return Err(OidcError::InvalidRequest("refresh_token is required"));
                };
                state.oidc.refresh(&client, refresh_token).await
            }
            "" => Err(OidcError::InvalidRequest("grant_type is required")),
            _ => Err(OidcError::UnsupportedGrantType),
        }
    }
    .await;
    match result {
        Ok(tokens) => {
            let mut response = no_store(Json(tokens).into_response());
            response
                .headers_mut()
                .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Err(OidcError::InvalidClient) if headers.contains_key(header::AUTHORIZATION) => {
            let mut response = answer(&state, OidcError::InvalidClient, Answer::Json);
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"doorman\""),
            );
            response
        }
        Err(error) => answer(&state, error, Answer::Json),
    }
}

/// `POST /oauth2/revoke` (RFC 7009): `200` for an authenticated client, whatever the token.
async fn revoke(
    State(state): State<AppState>,
    ClientIp(client_ip): ClientIp,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> Response {
    let result = async {
        let (form, authentication) = client_request(&headers, request).await?;
        let client = state
            .oidc
            .authenticate_client(&authentication, client_ip)
            .await?;
        let token = form
            .token
            .ok_or(OidcError::InvalidRequest("token is required"))?;
        state.oidc.revoke(&client, &token).await
    }
    .await;
    match result {
        Ok(()) => no_store(StatusCode::OK.into_response()),
        Err(error) => answer(&state, error, Answer::Json),
    }
}

/// `GET`/`POST /oauth2/userinfo`, with `Authorization: Bearer`.
async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    // RFC 6750 §2.1: the scheme's name is case-insensitive.
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let Some(bearer) = bearer.filter(|token| !token.is_empty()) else {
        return no_store(
            (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
            )
                .into_response(),
        );
    };
    match state.oidc.userinfo(bearer).await {
        Ok(info) => no_store(Json(info).into_response()),
        Err(error) => answer(&state, error, Answer::Bearer),
    }
}
