//! The device cookie of OWASP's "slow down online guessing" scheme: a browser that logged
//! in to an account gets a signed cookie naming that account and a random nonce. Failed
//! attempts from it count against its own small allowance, not the account's, so strangers
//! guessing the password cannot lock the owner out.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tower_sessions::cookie::{Cookie, SameSite, time};

use super::AppState;
use super::client_ip::ClientIp;
use super::error::AppError;
use crate::accounts::{AttemptOrigin, KnownDevice, SessionGrant};
use crate::keys::{MacKey, random_bytes};

/// A device cookie lasts a year; a new login renews it.
const LIFETIME_DAYS: i64 = 365;

#[derive(Clone)]
pub(crate) struct DeviceCookies {
    key: MacKey,
    cookie_name: &'static str,
    secure: bool,
}

impl DeviceCookies {
    /// Over https the cookie takes the `__Host-` prefix, like the CSRF cookie.
    pub(crate) fn new(key: MacKey, secure: bool) -> Self {
        Self {
            key,
            cookie_name: if secure {
                "__Host-doorman_device"
            } else {
                "doorman_device"
            },
            secure,
        }
    }

    /// The device this request's cookie names, if its signature holds.
    fn read(&self, headers: &HeaderMap) -> Option<KnownDevice> {
        let value = super::request_cookie(headers, self.cookie_name)?;
        let mut parts = value.split('.');
        let (user_id, version, nonce, tag) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        if parts.next().is_some()
            || tag.len() != 32
            || !self
                .key
                .verify(&signed_parts(user_id, version, nonce), &tag)
        {
            return None;
        }
        Some(KnownDevice {
            user_id: user_id.parse().ok()?,
            credential_version: version.parse().ok()?,
            nonce: nonce.to_owned(),
        })
    }

    /// A fresh device cookie for a browser that just proved the account's credentials,
    /// as they are in `grant`: a later password change or reset makes it a stranger's.
    pub(crate) fn issue(&self, grant: &SessionGrant) -> HeaderValue {
        let user_id = grant.user_id.to_string();
        let version = grant.credential_version.to_string();
        let nonce = URL_SAFE_NO_PAD.encode(random_bytes::<16>());
        let tag = URL_SAFE_NO_PAD.encode(self.key.tag(&signed_parts(&user_id, &version, &nonce)));
        let cookie = Cookie::build((
            self.cookie_name,
            format!("{user_id}.{version}.{nonce}.{tag}"),
        ))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(self.secure)
        .max_age(time::Duration::days(LIFETIME_DAYS));
        HeaderValue::from_str(&cookie.to_string()).expect("digits and base64 are valid header text")
    }
}

fn signed_parts<'a>(user_id: &'a str, version: &'a str, nonce: &'a str) -> [&'a [u8]; 4] {
    [
        b"device",
        user_id.as_bytes(),
        version.as_bytes(),
        nonce.as_bytes(),
    ]
}

/// Where a password attempt comes from: the client address and the device cookie.
pub(crate) struct Origin(pub(crate) AttemptOrigin);

impl FromRequestParts<AppState> for Origin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ClientIp(client) = ClientIp::from_request_parts(parts, state).await?;
        Ok(Origin(AttemptOrigin {
            client,
            device: state.devices.read(&parts.headers),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{Keyring, SecretKey};
    use axum::http::header;

    fn cookies(secret: u8) -> DeviceCookies {
        let keyring = Keyring::new(&SecretKey::new(vec![secret; 32]), &[]);
        DeviceCookies::new(keyring.current().device().clone(), false)
    }

    fn request_with(cookie: &HeaderValue) -> HeaderMap {
        let pair = cookie
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(&pair).unwrap());
        headers
    }

    #[test]
    fn an_issued_cookie_reads_back_and_a_forged_one_does_not() {
        let devices = cookies(1);
        let issued = devices.issue(&SessionGrant {
            user_id: 42,
            credential_version: 3,
        });
        let device = devices.read(&request_with(&issued)).unwrap();
        assert_eq!((device.user_id, device.credential_version), (42, 3));
        assert!(
            cookies(2).read(&request_with(&issued)).is_none(),
            "another key"
        );
        let forged = issued.to_str().unwrap().replacen("42.3.", "42.4.", 1);
        let forged = HeaderValue::from_str(&forged).unwrap();
        assert!(
            devices.read(&request_with(&forged)).is_none(),
            "another credential version"
        );
        assert!(issued.to_str().unwrap().contains("HttpOnly"));
    }
}
