//! Integration tests: the real server, a real database and a real SMTP server.

mod account;
mod any_device;
mod apache_oidc;
mod audit;
mod browser;
mod cli;
mod confirm;
mod connections;
mod delivery;
mod hand_off;
mod hardening;
mod helpers;
mod json_api;
mod languages;
mod login;
mod oidc;
mod oidc_client;
mod openapi;
mod pages;
mod process;
mod proxy;
mod recovery;
mod scale_out;
mod security;
mod signup;
mod webhooks;
