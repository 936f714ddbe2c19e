//! Doorman: self-hosted sign-up with email confirmation.
//!
//! See `ARCHITECTURE.md` for how the modules fit together. The crate's public surface is
//! what the `doorman` binary needs (configuration, start-up, the operator's commands,
//! telemetry, migrations) plus [`internals`] for the fuzz targets and integration tests;
//! everything else is `pub(crate)`.
#![warn(unreachable_pub)]

mod accounts;
mod admin_keys;
mod audit;
mod brand;
mod clock;
pub mod config;
pub mod db;
mod events;
mod housekeeping;
mod http;
pub mod i18n;
mod keys;
mod limits;
mod mail;
mod metrics;
#[path = "../migrations/mod.rs"]
mod migrations;
mod oidc;
pub mod operator;
mod outbox;
mod passwords;
mod server;
mod sessions;
pub mod startup;
pub mod telemetry;
mod tokens;

/// Pieces the fuzz targets and the integration tests reach into. Not a stable API.
#[doc(hidden)]
pub mod internals {
    pub use crate::accounts::Email;
    pub use crate::clock::Clock;
    pub use crate::http::forms::{ConfirmForm, EmailPasswordForm};
    pub use crate::keys::{Keyring, SecretKey, random_bytes};
    pub use crate::passwords::{HashError, NewPassword, PasswordAttempt, PasswordHasher};
    pub use crate::startup::install_crypto_provider;
    pub use crate::tokens::{LinkToken, Purpose, TokenError, Tokens};

    /// Decodes a form body as the web layer does; `None` where it would answer `4xx`.
    pub fn decode_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
        crate::http::forms::parse_form(body).ok()
    }
}
