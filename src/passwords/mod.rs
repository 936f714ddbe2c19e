//! Passwords: the policy a new password must meet, and argon2id hashing kept off the async
//! runtime.

mod hasher;
mod policy;

pub use hasher::{HashError, PasswordHasher, Verification};
pub use policy::{NewPassword, PasswordAttempt, PasswordRejection};
