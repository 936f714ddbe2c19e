//! Signing in with an emailed code or link (SPEC §14). Like the confirmation code, the
//! code is never stored: the account records which sign-in email's code is the valid one
//! (the newest composed), until when (`NULL` once used), and how many wrong codes that
//! email has seen. An address with no account gets an email in the language of the
//! browser that asked, which the outbox row now keeps.
//!
//! An account can now be without a password (it signed in by email before confirming, so
//! the password nobody proved was removed): `password_hash` is then the empty string,
//! because SQLite cannot drop a `NOT NULL` without rebuilding the table.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut failures = integer(Users::LoginCodeFailures);
        failures.default(0);
        for column in [
            big_integer_null(Users::LoginCodeEmail),
            timestamp_with_time_zone_null(Users::LoginCodeExpiresAt),
            failures,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // A code is checked by its email's row: found by index, however many accounts.
        manager
            .create_index(
                Index::create()
                    .name("users_by_login_code_email")
                    .table(Users::Table)
                    .col(Users::LoginCodeEmail)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .add_column(string_len_null(Outbox::Locale, 16))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .drop_column(Outbox::Locale)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name("users_by_login_code_email").to_owned())
            .await?;
        for column in [
            Users::LoginCodeEmail,
            Users::LoginCodeExpiresAt,
            Users::LoginCodeFailures,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    /// The outbox row of the newest sign-in email composed for the account.
    LoginCodeEmail,
    /// Until when its code and link work; `NULL` once either was used.
    LoginCodeExpiresAt,
    /// Wrong codes that email has seen.
    LoginCodeFailures,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    /// The language of the browser that asked, for an email to an address without an
    /// account (an account's emails speak its own).
    Locale,
}
