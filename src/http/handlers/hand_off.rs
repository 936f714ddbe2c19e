//! Handing off to the application behind Doorman (SPEC §10): forward auth for nginx
//! `auth_request`, Traefik `forwardAuth` and Caddy `forward_auth`, and who is logged in as
//! JSON. Neither hashes a password; forward auth reads the session and its account in
//! one query. Both ask [`Account::logged_in`], like every page.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::accounts::Account;
use crate::http::AppState;
use crate::http::auth::logged_in;
use crate::http::error::{AppError, Problem, ProblemJson};
use crate::http::verified_sessions::Verified;
use crate::sessions::TypedSession;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct VerifyQuery {
    /// `1`: answer an anonymous request with a redirect to the login page.
    redirect: String,
}

/// `GET /auth/verify`: `200` with `Remote-User` and `Remote-Email` for a confirmed
/// account's session, else `401`, or with `?redirect=1` a `302` to the login page.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/auth/verify", axum::routing::get(verify))
}

pub(crate) async fn verify(
    State(state): State<AppState>,
    session: TypedSession,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<VerifyQuery>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    let no_store = (header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let verified = match session.id() {
        Some(id) => match state.verified_sessions.get(&id) {
            Some(verified) => Some(verified),
            None => {
                let verified = state
                    .sessions
                    .login_with_account(&id)
                    .await
                    .map_err(AppError::internal)?
                    .and_then(|(grant, user)| Account::logged_in(user, &grant))
                    .map(|account| verified_headers(&account))
                    .transpose()?;
                if let Some(verified) = &verified {
                    state.verified_sessions.remember(id, verified.clone());
                }
                verified
            }
        },
        None => None,
    };
    let Some(verified) = verified else {
        if query.redirect != "1" {
            return Ok((StatusCode::UNAUTHORIZED, [no_store]).into_response());
        }
        let original = state
            .trusted_proxies
            .trusts(peer.ip())
            .then(|| original_url(request.headers()))
            .flatten();
        let login = state.links.login_to(
            original
                .and_then(|url| state.return_policy.accept(&url))
                .as_ref()
                .map(|to| to.as_str()),
        );
        let location = HeaderValue::from_str(&login).map_err(AppError::internal)?;
        return Ok((StatusCode::FOUND, [no_store, (header::LOCATION, location)]).into_response());
    };
    Ok((
        StatusCode::OK,
        [
            no_store,
            (
                header::HeaderName::from_static("remote-user"),
                verified.user,
            ),
            (
                header::HeaderName::from_static("remote-email"),
                verified.email,
            ),
        ],
    )
        .into_response())
}

/// `Remote-User` and `Remote-Email` for `account`.
fn verified_headers(account: &Account) -> Result<Verified, AppError> {
    Ok(Verified {
        user: HeaderValue::from(account.id),
        email: HeaderValue::from_str(&header_safe(account.email.as_str()))
            .map_err(AppError::internal)?,
    })
}

/// An address as a header carries it: ASCII. The domain is ASCII already (IDNA, where the
/// address entered); a local part in UTF-8 is percent-encoded, byte by byte, so
/// `jörg@xn--bcher-kva.example` is `j%C3%B6rg@xn--bcher-kva.example`.
fn header_safe(address: &str) -> String {
    percent_encoding::utf8_percent_encode(address, NOT_ASCII_OR_PERCENT).to_string()
}

/// Bytes outside printable ASCII, and `%` itself so that decoding is exact.
const NOT_ASCII_OR_PERCENT: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b'%').add(b' ');

/// The URL the proxy was asked for, from its `X-Forwarded-Proto`, `-Host` and `-Uri`.
fn original_url(headers: &HeaderMap) -> Option<String> {
    let get = |name: &str| headers.get(name)?.to_str().ok();
    let proto = get("x-forwarded-proto")?;
    let host = get("x-forwarded-host")?;
    let uri = get("x-forwarded-uri").unwrap_or("/");
    Some(format!("{proto}://{host}{uri}"))
}

/// The logged-in account.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SessionAccount {
    #[schema(example = 42)]
    user_id: i64,
    #[schema(example = "ada@example.com")]
    email: String,
    /// When the address was confirmed (RFC 3339); only confirmed accounts log in.
    #[schema(value_type = String, format = DateTime)]
    confirmed_at: chrono::DateTime<chrono::Utc>,
}

/// The account logged in with the session cookie (`doorman_session`), for the application
/// behind Doorman; `401` without a valid session.
#[utoipa::path(
    get,
    path = "/session",
    tag = "hand-off",
    responses(
        (status = 200, description = "The logged-in account.", body = SessionAccount),
        (status = 401, description = "No valid session.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn session(
    State(state): State<AppState>,
    session: TypedSession,
) -> Result<Response, ProblemJson> {
    let account = logged_in(&state, &session)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let body = SessionAccount {
        user_id: account.id,
        email: account.email.as_str().to_owned(),
        confirmed_at: account.confirmed_at,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::header_safe;

    #[test]
    fn addresses_in_headers_are_ascii_and_decode_exactly() {
        assert_eq!(header_safe("ada@example.com"), "ada@example.com");
        assert_eq!(
            header_safe("jörg@xn--bcher-kva.example"),
            "j%C3%B6rg@xn--bcher-kva.example"
        );
        assert_eq!(header_safe("100%@example.com"), "100%25@example.com");
    }
}
