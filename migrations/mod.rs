//! Schema migrations, applied at start-up and by `doorman migrate`.
//!
//! One migration per file: sea-orm names each after its file, and the name is what the
//! `seaql_migrations` table records.

use sea_orm_migration::prelude::*;

mod m20261129_000001_create_users;
mod m20261129_000002_create_outbox;
mod m20261129_000003_create_sessions;
mod m20261201_000004_shared_limits;
mod m20261201_000005_confirmation_codes;
mod m20261201_000006_outbox_return_to_and_payload;
mod m20261201_000007_account_language;
mod m20261203_000008_typed_outbox_rows;
mod m20261203_000009_limit_counters_expire;
mod m20261203_000010_ascii_email_domains;
mod m20261203_000011_openid_connect;
mod m20261204_000012_email_sign_in;
mod m20261204_000013_console;

pub(crate) struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_create_users::Migration),
            Box::new(m20261129_000002_create_outbox::Migration),
            Box::new(m20261129_000003_create_sessions::Migration),
            Box::new(m20261201_000004_shared_limits::Migration),
            Box::new(m20261201_000005_confirmation_codes::Migration),
            Box::new(m20261201_000006_outbox_return_to_and_payload::Migration),
            Box::new(m20261201_000007_account_language::Migration),
            Box::new(m20261203_000008_typed_outbox_rows::Migration),
            Box::new(m20261203_000009_limit_counters_expire::Migration),
            Box::new(m20261203_000010_ascii_email_domains::Migration),
            Box::new(m20261203_000011_openid_connect::Migration),
            Box::new(m20261204_000012_email_sign_in::Migration),
            Box::new(m20261204_000013_console::Migration),
        ]
    }
}
