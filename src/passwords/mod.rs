//! Passwords: the policy a new password must meet, and argon2id hashing kept off the async
//! runtime.

mod hasher;
mod policy;
mod stored;

pub(crate) use hasher::Verification;
pub use hasher::{HashError, PasswordHasher};
pub(crate) use policy::PasswordRejection;
pub use policy::{NewPassword, PasswordAttempt};
pub(crate) use stored::is_recognised as is_recognised_hash;
