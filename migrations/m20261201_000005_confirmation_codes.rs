//! The six-digit code in a confirmation email (SPEC §9). The code itself is never stored:
//! it is derived from a key, the account and the outbox row of the email that carried it,
//! so the account records only which email's code is the valid one, until when, and how
//! many wrong codes were tried in the account's whole unconfirmed life.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut failures = integer(Users::ConfirmCodeFailures);
        failures.default(0);
        for column in [
            big_integer_null(Users::ConfirmCodeEmail),
            timestamp_with_time_zone_null(Users::ConfirmCodeExpiresAt),
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
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Users::ConfirmCodeEmail,
            Users::ConfirmCodeExpiresAt,
            Users::ConfirmCodeFailures,
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
    /// The outbox row whose email carries the valid code.
    ConfirmCodeEmail,
    ConfirmCodeExpiresAt,
    ConfirmCodeFailures,
}
