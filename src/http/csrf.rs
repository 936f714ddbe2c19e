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

use super::MAX_BODY_BYTES;
use super::error::AppError;
use crate::keys::{hmac_sha256, macs_equal, random_bytes};

#[derive(Clone)]
pub(crate) struct CsrfConfig {
    key: [u8; 32],
    cookie_name: &'static str,
    secure: bool,
}

impl CsrfConfig {
    /// Over https the cookie takes the `__Host-` prefix, which browsers only accept from
    /// this exact host over a secure connection.
    pub(crate) fn new(key: [u8; 32], secure: bool) -> Self {
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
        URL_SAFE_NO_PAD.encode(hmac_sha256(&self.key, &[cookie_value.as_bytes()]))
    }

    fn cookie_header(&self, value: &str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax{secure}",
            self.cookie_name
        ))
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

/// Gives every request a CSRF token and checks it on every POST outside the JSON API.
pub(super) async fn protect(
    State(config): State<CsrfConfig>,
    request: Request,
    next: Next,
) -> Response {
    let existing = cookie_value(&request, config.cookie_name)
        .filter(|value| value.len() == 43 && URL_SAFE_NO_PAD.decode(value).is_ok());
    let (cookie, is_new) = match existing {
        Some(value) => (value, false),
        None => (URL_SAFE_NO_PAD.encode(random_bytes::<32>()), true),
    };
    let expected = config.form_token(&cookie);

    let request = if request.method() == Method::POST {
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
            Ok(bytes) => bytes,
            Err(_) => return AppError::PayloadTooLarge.into_response(),
        };
        let submitted = serde_urlencoded::from_bytes::<CsrfField>(&bytes)
            .map(|field| field.csrf_token)
            .unwrap_or_default();
        if is_new || !macs_equal(submitted.as_bytes(), expected.as_bytes()) {
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
    request.extensions_mut().insert(CsrfToken(expected));
    let mut response = next.run(request).await;
    if is_new {
        response
            .headers_mut()
            .append(header::SET_COOKIE, config.cookie_header(&cookie));
    }
    response
}

fn cookie_value(request: &Request, name: &str) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}
