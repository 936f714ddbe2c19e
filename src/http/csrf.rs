//! CSRF protection for every HTML form, without a session: a signed double-submit cookie.
//!
//! The cookie holds random bytes; each form carries `HMAC(key, cookie)` in a hidden
//! `csrf_token` field. A cross-site page can make the browser send the cookie but can neither
//! read it nor compute the HMAC. Nothing is stored, so an anonymous visitor's GET writes
//! nothing to the database.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tower_sessions::cookie::{Cookie, SameSite};

use super::error::AppError;
use super::forms::read_body;
use super::request_cookie;
use crate::keys::{MacKey, random_bytes};

#[derive(Clone)]
pub(crate) struct CsrfConfig {
    key: MacKey,
    cookie_name: &'static str,
    secure: bool,
}

impl CsrfConfig {
    /// Over https the cookie takes the `__Host-` prefix, which browsers only accept from
    /// this exact host over a secure connection.
    pub(crate) fn new(key: MacKey, secure: bool) -> Self {
        Self {
            key,
            cookie_name: if secure {
                "__Host-doorman_csrf"
            } else {
                "doorman_csrf"
            },
            secure,
        }
    }

    fn form_token(&self, cookie_value: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.key.tag(&[cookie_value.as_bytes()]))
    }

    /// True when `submitted` is the form token for `cookie_value` (constant time).
    fn accepts(&self, cookie_value: &str, submitted: &str) -> bool {
        URL_SAFE_NO_PAD
            .decode(submitted)
            .is_ok_and(|tag| tag.len() == 32 && self.key.verify(&[cookie_value.as_bytes()], &tag))
    }

    fn cookie_header(&self, value: &str) -> HeaderValue {
        let cookie = Cookie::build((self.cookie_name, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure);
        HeaderValue::from_str(&cookie.to_string())
            .expect("base64 cookie values are valid header text")
    }
}

/// The token to put in this page's forms.
#[derive(Clone)]
pub(super) struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or_else(|| AppError::BadRequest("missing CSRF context".into()))
    }
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

/// Gives every request a CSRF token and checks it on every POST outside the JSON API, but
/// the OpenID Connect authorization and logout endpoints, which a relying party's page may
/// post to (they act as their `GET` does).
pub(super) async fn protect(
    State(config): State<CsrfConfig>,
    request: Request,
    next: Next,
) -> Response {
    let existing = request_cookie(request.headers(), config.cookie_name)
        .filter(|value| value.len() == 43 && URL_SAFE_NO_PAD.decode(value).is_ok());
    let (cookie, is_new) = match existing {
        Some(value) => (value, false),
        None => (URL_SAFE_NO_PAD.encode(random_bytes::<32>()), true),
    };

    let cross_site_entry = super::handlers::oidc::CROSS_SITE_POSTS.contains(&request.uri().path());
    let request = if request.method() == Method::POST && !cross_site_entry {
        let (parts, body) = request.into_parts();
        let bytes = match read_body(body).await {
            Ok(bytes) => bytes,
            Err(error) => return error.into_response(),
        };
        let submitted = serde_urlencoded::from_bytes::<CsrfField>(&bytes)
            .map(|field| field.csrf_token)
            .unwrap_or_default();
        if is_new || !config.accepts(&cookie, &submitted) {
            let mut response = AppError::CsrfRejected.into_response();
            if is_new {
                response
                    .headers_mut()
                    .append(header::SET_COOKIE, config.cookie_header(&cookie));
            }
            return response;
        }
        Request::from_parts(parts, Body::from(bytes))
    } else {
        request
    };

    let mut request = request;
    request
        .extensions_mut()
        .insert(CsrfToken(config.form_token(&cookie)));
    let mut response = next.run(request).await;
    if is_new {
        response
            .headers_mut()
            .append(header::SET_COOKIE, config.cookie_header(&cookie));
    }
    response
}
