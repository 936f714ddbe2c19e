//! What a browser's session remembers of its sign-up (SPEC §9): the address it signed up
//! with, and, only if that request created the account, the binding to it.

use tower_sessions::Session;

use super::error::AppError;
use super::return_to::{ReturnPolicy, ReturnTo};
use crate::accounts::{Email, Registration, SessionGrant};
use crate::sessions::{SIGNUP_ADDRESS_KEY, SIGNUP_BINDING_KEY, SIGNUP_RETURN_TO_KEY};

/// Records a sign-up. Every sign-up writes the address, so a new and a known address get
/// the same session cookie; only a sign-up that created the account writes the binding,
/// and any other sign-up drops an older one.
pub(crate) async fn record(
    session: &Session,
    email: &Email,
    registration: Registration,
    return_to: Option<&ReturnTo>,
) -> Result<(), AppError> {
    session
        .insert(SIGNUP_ADDRESS_KEY, email.as_str())
        .await
        .map_err(AppError::internal)?;
    session
        .insert(SIGNUP_RETURN_TO_KEY, return_to.map(ReturnTo::as_str))
        .await
        .map_err(AppError::internal)?;
    match registration {
        Registration::Created(binding) => session.insert(SIGNUP_BINDING_KEY, binding).await,
        Registration::Existing => session
            .remove::<SessionGrant>(SIGNUP_BINDING_KEY)
            .await
            .map(|_| ()),
    }
    .map_err(AppError::internal)
}

/// The binding, if this session's sign-up created an account.
pub(crate) async fn binding(session: &Session) -> Result<Option<SessionGrant>, AppError> {
    session
        .get::<SessionGrant>(SIGNUP_BINDING_KEY)
        .await
        .map_err(AppError::internal)
}

/// The address this session signed up with.
pub(crate) async fn address(session: &Session) -> Result<Option<Email>, AppError> {
    let address = session
        .get::<String>(SIGNUP_ADDRESS_KEY)
        .await
        .map_err(AppError::internal)?;
    Ok(address.and_then(|address| Email::parse(&address).ok()))
}

/// Where this session's sign-up was headed, checked again against today's rules.
pub(crate) async fn return_to(
    session: &Session,
    policy: &ReturnPolicy,
) -> Result<Option<ReturnTo>, AppError> {
    let stored = session
        .get::<Option<String>>(SIGNUP_RETURN_TO_KEY)
        .await
        .map_err(AppError::internal)?
        .flatten();
    Ok(stored.and_then(|raw| policy.accept(&raw)))
}

/// Forgets the sign-up once the browser is logged in.
pub(crate) async fn forget(session: &Session) -> Result<(), AppError> {
    session
        .remove::<String>(SIGNUP_ADDRESS_KEY)
        .await
        .map_err(AppError::internal)?;
    session
        .remove::<SessionGrant>(SIGNUP_BINDING_KEY)
        .await
        .map_err(AppError::internal)?;
    session
        .remove::<Option<String>>(SIGNUP_RETURN_TO_KEY)
        .await
        .map_err(AppError::internal)?;
    Ok(())
}
