//! Outbox rows say what they are in columns of their own: `event`, the type of an account
//! event (it used to hide in `recipient`); `skip_reason`, why an email was closed without
//! sending (it used to be a `skipped: ` prefix of `last_error`); and `webhook_id`, the
//! Standard Webhooks `webhook-id`, random so that it is unique across databases (it used
//! to be `msg_` and the row number). Rows already delivered keep the id they were sent
//! with, so a retry of an old event still deduplicates.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Outbox::Event, Outbox::SkipReason, Outbox::WebhookId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Outbox::Table)
                        .add_column(text_null(column))
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE outbox SET event = recipient, webhook_id = 'msg_' || CAST(id AS TEXT) \
             WHERE kind = 'webhook'",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE outbox SET skip_reason = SUBSTR(last_error, 10), last_error = NULL \
             WHERE last_error LIKE 'skipped: %'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE outbox SET last_error = 'skipped: ' || skip_reason \
             WHERE skip_reason IS NOT NULL",
        )
        .await?;
        for column in [Outbox::Event, Outbox::SkipReason, Outbox::WebhookId] {
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
    Event,
    SkipReason,
    WebhookId,
}
