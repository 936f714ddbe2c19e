//! Two more parts of an outbox row's intent (SPEC §10): `return_to`, where a confirmation
//! link sends the person afterwards, so it survives the round trip through the email, also
//! to another device; and `payload`, the JSON body of an account event for webhooks,
//! written with the change so a retry sends exactly what happened then.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Outbox::ReturnTo, Outbox::Payload] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Outbox::Table)
                        .add_column(text_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Outbox::ReturnTo, Outbox::Payload] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Outbox::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    ReturnTo,
    Payload,
}
