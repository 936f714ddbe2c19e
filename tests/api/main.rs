//! Integration tests: the real server, a real database and a real SMTP server.

mod account;
mod cli;
mod confirm;
mod delivery;
mod helpers;
mod json_api;
mod login;
mod pages;
mod recovery;
mod security;
mod signup;
