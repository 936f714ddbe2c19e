//! Addresses whose domain was stored as typed (`x@bücher.example`, `x@ｅxample.com`) take
//! the ASCII form the sign-up form now stores (SPEC §7), so a look-alike typed later finds
//! the same account. Should two rows turn out to be one address, the older keeps it and
//! the newer is left as it was (and logged): deleting or merging accounts is an
//! operator's decision, not a migration's.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::prelude::*;

use crate::accounts::Email;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, email FROM users ORDER BY id",
            ))
            .await?;
        let p = |n: usize| match backend {
            DbBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        };
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let stored: String = row.try_get("", "email")?;
            let domain_is_ascii = stored.rsplit('@').next().is_some_and(str::is_ascii);
            if domain_is_ascii {
                continue;
            }
            let Ok(email) = Email::parse(&stored) else {
                continue;
            };
            let moved = db
                .execute_raw(Statement::from_sql_and_values(
                    backend,
                    format!(
                        "UPDATE users SET email = {}, email_normalized = {} WHERE id = {} \
                         AND NOT EXISTS (SELECT 1 FROM users other \
                             WHERE other.email_normalized = {} AND other.id <> {})",
                        p(1),
                        p(2),
                        p(3),
                        p(4),
                        p(5)
                    ),
                    [
                        email.as_str().into(),
                        email.normalized().into(),
                        id.into(),
                        email.normalized().into(),
                        id.into(),
                    ],
                ))
                .await?;
            if moved.rows_affected() == 0 {
                tracing::warn!(
                    user_id = id,
                    "an account's address is another account's in ASCII form; left as it was"
                );
            }
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The typed forms are gone; the ASCII ones name the same inboxes.
        Ok(())
    }
}
