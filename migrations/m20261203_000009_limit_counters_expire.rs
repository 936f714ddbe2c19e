//! Each limit counter records when it stops counting for anything (two of its windows
//! after the current one began), so housekeeping deletes counters of every limit alike,
//! however long its window. Counters from before get 0 and go at the next sweep: they
//! lived minutes at most.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Limits::Table)
                    .add_column(big_integer(Limits::ExpiresAt).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("limits_by_expiry")
                    .table(Limits::Table)
                    .col(Limits::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("limits_by_expiry").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Limits::Table)
                    .drop_column(Limits::ExpiresAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Limits {
    Table,
    ExpiresAt,
}
