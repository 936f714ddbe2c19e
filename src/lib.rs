//! Doorman: self-hosted sign-up with email confirmation.
//!
//! See `ARCHITECTURE.md` for how the modules fit together.

pub mod accounts;
pub mod config;
pub mod db;
pub mod housekeeping;
pub mod http;
pub mod keys;
pub mod mail;
pub mod metrics;
#[path = "../migrations/mod.rs"]
pub mod migrations;
pub mod operator;
pub mod outbox;
pub mod passwords;
pub mod server;
pub mod sessions;
pub mod startup;
pub mod telemetry;
pub mod throttle;
pub mod tokens;
