//! Reading HTML form posts. Every field is optional at this stage, so a missing field is
//! answered like an empty one, next to its input, rather than with a bare 422 from serde.

use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::error::AppError;

/// `axum::Form`, with every rejection turned into a readable page.
pub struct HtmlForm<T>(pub T);

impl<T, S> FromRequest<S> for HtmlForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(FormRejection::InvalidFormContentType(_)) => Err(AppError::UnsupportedMediaType),
            Err(FormRejection::BytesRejection(_)) => Err(AppError::PayloadTooLarge),
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct EmailPasswordForm {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct EmailForm {
    pub email: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    pub token: String,
    pub password: String,
    pub new_password: String,
}
