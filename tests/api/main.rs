//! Integration tests: the real server, a real database and a real SMTP server.

mod confirm;
mod delivery;
mod helpers;
mod login;
mod pages;
mod security;
mod signup;
