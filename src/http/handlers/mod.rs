//! Request handlers: extract, call the accounts module, render or redirect.

pub mod account;
pub mod confirm;
pub mod dev_mailbox;
pub mod health;
pub mod home;
pub mod login;
pub mod signup;
