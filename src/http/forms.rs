//! Reading HTML form posts. Every field is optional at this stage, so a missing field is
//! answered like an empty one, next to its input, rather than with a bare 422 from serde.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

use super::MAX_BODY_BYTES;
use super::error::AppError;
use crate::accounts::{ConfirmationFields, Email};

/// An `application/x-www-form-urlencoded` body, refused with a readable page when it is
/// not one: `415` for another content type, `413` past the size limit, `400` for text that
/// is not UTF-8 once percent-decoded (form decoders would silently replace it).
pub(crate) struct HtmlForm<T>(pub T);

impl<T, S> FromRequest<S> for HtmlForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let body = body_of_type(request, "application/x-www-form-urlencoded").await?;
        parse_form(&body).map(HtmlForm)
    }
}

/// The whole body of a request that says it is `mime`: `415` when it says otherwise,
/// `413` past [`MAX_BODY_BYTES`], `400` when it does not arrive in time (a slow body must
/// not hold its connection) or the connection breaks.
pub(crate) async fn body_of_type(request: Request, mime: &str) -> Result<Bytes, AppError> {
    let declared = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|declared| declared.trim().eq_ignore_ascii_case(mime));
    if !declared {
        return Err(AppError::UnsupportedMediaType);
    }
    read_body(request.into_body()).await
}

/// The whole of `body`, up to [`MAX_BODY_BYTES`].
pub(crate) async fn read_body(body: Body) -> Result<Bytes, AppError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|error| {
            let too_long = std::iter::successors(
                Some(&error as &(dyn std::error::Error + 'static)),
                |error| error.source(),
            )
            .any(|cause| cause.is::<http_body_util::LengthLimitError>());
            if too_long {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest(format!(
                    "the body could not be read: {}",
                    crate::telemetry::error_chain(&error)
                ))
            }
        })
}

/// Decodes an urlencoded body into `T`.
///
/// # Errors
/// [`AppError::BadRequest`] for text that is not UTF-8 once percent-decoded, or a body
/// that does not fit `T` (a field given twice, say).
pub(crate) fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    if !decodes_to_utf8(body) {
        return Err(AppError::BadRequest("form data is not UTF-8".into()));
    }
    serde_urlencoded::from_bytes(body).map_err(|error| AppError::BadRequest(error.to_string()))
}

/// True when every name and value, percent-decoded, is valid UTF-8.
fn decodes_to_utf8(body: &[u8]) -> bool {
    body.split(|byte| *byte == b'&').all(|pair| {
        let mut decoded = Vec::with_capacity(pair.len());
        let mut rest = pair;
        while let Some((&byte, tail)) = rest.split_first() {
            match byte {
                b'%' if tail.len() >= 2 => match std::str::from_utf8(&tail[..2])
                    .ok()
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                {
                    Some(value) => {
                        decoded.push(value);
                        rest = &tail[2..];
                        continue;
                    }
                    None => decoded.push(byte),
                },
                b'+' => decoded.push(b' '),
                _ => decoded.push(byte),
            }
            rest = tail;
        }
        std::str::from_utf8(&decoded).is_ok()
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct EmailPasswordForm {
    pub email: String,
    pub password: String,
    /// Where to go afterwards; checked before it is followed.
    pub return_to: String,
}

/// A form whose one field is an address someone typed to ask for an email.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct EmailForm {
    #[serde(deserialize_with = "address_if_valid")]
    pub(crate) email: Option<Email>,
}

/// An address field acted on only if it parses: anything else (JSON's `null` too) is
/// answered exactly like an address without an account, so the field never earns an error
/// of its own.
pub(crate) fn address_if_valid<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Email>, D::Error> {
    let typed = <Option<String> as serde::Deserialize>::deserialize(deserializer)?;
    Ok(typed.and_then(|typed| Email::parse(&typed).ok()))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct TokenPasswordForm {
    pub token: String,
    pub password: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct CurrentPasswordForm {
    pub current_password: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct ChangeEmailForm {
    pub email: String,
    pub current_password: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct ChangePasswordForm {
    pub current_password: String,
    pub password: String,
}

/// An address to send something to, from a form that goes on to `return_to` afterwards.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct EmailReturnToForm {
    #[serde(deserialize_with = "address_if_valid")]
    pub(crate) email: Option<Email>,
    pub(crate) return_to: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct TokenReturnToForm {
    pub(crate) token: String,
    pub(crate) return_to: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct CodeForm {
    pub(crate) code: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    pub token: String,
    pub password: Option<String>,
    pub new_password: Option<String>,
    pub return_to: String,
}

impl ConfirmForm {
    pub(crate) fn fields(&self) -> ConfirmationFields {
        ConfirmationFields {
            password: self.password.clone(),
            new_password: self.new_password.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::decodes_to_utf8;

    #[test]
    fn spots_invalid_utf8_after_percent_decoding() {
        assert!(decodes_to_utf8(
            b"email=a%40b.example&password=caf%C3%A9+au+lait"
        ));
        assert!(decodes_to_utf8(b"odd=%zz&x=100%"));
        assert!(!decodes_to_utf8(b"email=%FF%FE"));
        assert!(!decodes_to_utf8(b"email=%C3"));
        assert!(!decodes_to_utf8(b"\xff=1"));
    }
}
