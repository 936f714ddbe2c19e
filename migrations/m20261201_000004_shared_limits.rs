//! Limits shared by every instance (SPEC §12): counters in the database, a credential
//! version that sessions are tied to, and the normalised recipient the per-address email
//! cap counts by.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Limits::Table)
                    .if_not_exists()
                    .col(string_len(Limits::Key, 200).primary_key())
                    .col(big_integer(Limits::WindowStart))
                    .col(integer(Limits::Count))
                    .col(integer(Limits::PreviousCount).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("limits_by_window")
                    .table(Limits::Table)
                    .col(Limits::WindowStart)
                    .to_owned(),
            )
            .await?;
        // Bumped whenever the password changes: a session made with an older version,
        // even one saved after the change, is no longer logged in.
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(integer(Users::CredentialVersion).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .add_column(string_len_null(Outbox::RecipientNormalized, 254))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("UPDATE outbox SET recipient_normalized = LOWER(recipient)")
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("outbox_by_normalized_recipient")
                    .table(Outbox::Table)
                    .col(Outbox::RecipientNormalized)
                    .col(Outbox::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("outbox_by_normalized_recipient")
                    .table(Outbox::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .drop_column(Outbox::RecipientNormalized)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::CredentialVersion)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Limits::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Limits {
    Table,
    Key,
    WindowStart,
    Count,
    PreviousCount,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    CredentialVersion,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    RecipientNormalized,
    CreatedAt,
}
