//! The extractor behind every page a link opens: the token from the path, checked against
//! the account as it is now. A handler that takes a [`UsableLink`] only runs for a link
//! that can be used; any other is answered by `link_pages` before the handler runs.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use super::AppState;
use super::error::AppError;
use crate::accounts::{LinkProblem, SessionGrant};
use crate::tokens::{LinkToken, Purpose};

/// Which kind of link a route opens.
pub(crate) trait LinkRoute {
    const PURPOSE: Purpose;
}

pub(crate) struct ConfirmLink;
pub(crate) struct ResetLink;
pub(crate) struct EmailChangeLink;
pub(crate) struct LoginLink;

impl LinkRoute for ConfirmLink {
    const PURPOSE: Purpose = Purpose::Confirm;
}

impl LinkRoute for ResetLink {
    const PURPOSE: Purpose = Purpose::Reset;
}

impl LinkRoute for EmailChangeLink {
    const PURPOSE: Purpose = Purpose::EmailChange;
}

impl LinkRoute for LoginLink {
    const PURPOSE: Purpose = Purpose::Login;
}

/// A link that can be used: its token as it came (for the page's form) and the address it
/// is for (for an address change, the new one).
pub(crate) struct UsableLink<Route> {
    pub(crate) token: String,
    pub(crate) email: String,
    /// The account as it is now, to compare with a sign-up session's binding.
    pub(crate) account: SessionGrant,
    /// False for an account that signs in only by email.
    pub(crate) has_password: bool,
    route: PhantomData<Route>,
}

/// A link token from a path or a form: text too long to be one of ours is an invalid link.
pub(crate) fn link_token(raw: &str, purpose: Purpose) -> Result<LinkToken, AppError> {
    LinkToken::parse(raw).ok_or(AppError::Link(purpose, LinkProblem::Invalid))
}

impl<Route: LinkRoute> FromRequestParts<AppState> for UsableLink<Route> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Link(Route::PURPOSE, LinkProblem::Invalid))?;
        let token = link_token(&raw, Route::PURPOSE)?;
        let view = state.accounts.inspect_link(&token, Route::PURPOSE).await?;
        Ok(Self {
            token: raw,
            email: view.email.as_str().to_owned(),
            account: view.account,
            has_password: view.has_password,
            route: PhantomData,
        })
    }
}
