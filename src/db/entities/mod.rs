//! SeaORM entities, one per table. Behaviour lives in the modules that own each table
//! (accounts, outbox, session store), not here.

pub mod admin_keys;
pub mod audit_events;
pub mod limits;
pub mod oidc_clients;
pub mod oidc_consents;
pub mod oidc_grants;
pub mod oidc_keys;
pub mod oidc_refresh_tokens;
pub mod outbox;
pub mod sessions;
pub mod users;
