//! The operators' console (SPEC §15): the admin role, disabled accounts, when each account
//! last logged in, the audit log and the admin API's keys; and the indexes that keep the
//! user list and its searches fast with a million accounts:
//!
//! - newest first, by cursor: the primary key;
//! - an address prefix: the addresses in byte order (on PostgreSQL an index of its own
//!   in the "C" collation, which a range query can use whatever the database's collation);
//! - `@domain`: the domain, in a column of its own, with the id for the order;
//! - a status: partial indexes of the ids that have it (unconfirmed, disabled, admin),
//!   small because those are few; "confirmed" is most accounts, which the primary key
//!   walks;
//! - the console's daily figures: sign-ups and confirmations by day, failed deliveries.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            boolean(Users::IsAdmin).default(false).to_owned(),
            timestamp_with_time_zone_null(Users::DisabledAt),
            timestamp_with_time_zone_null(Users::LastLoginAt),
            string_len(Users::EmailDomain, 254).default("").to_owned(),
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
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let domain_of = match backend {
            DbBackend::Postgres => "split_part(email_normalized, '@', 2)",
            _ => "substr(email_normalized, instr(email_normalized, '@') + 1)",
        };
        db.execute_unprepared(&format!("UPDATE users SET email_domain = {domain_of}"))
            .await?;
        let email_prefix_index = match backend {
            DbBackend::Postgres => {
                "CREATE INDEX users_by_email_bytes ON users ((email_normalized COLLATE \"C\"), id)"
            }
            // SQLite compares text byte by byte already: the unique index serves.
            _ => "SELECT 1",
        };
        for statement in [
            email_prefix_index,
            "CREATE INDEX users_by_domain ON users (email_domain, id)",
            "CREATE INDEX users_unconfirmed ON users (id) WHERE confirmed_at IS NULL",
            "CREATE INDEX users_disabled ON users (id) WHERE disabled_at IS NOT NULL",
            "CREATE INDEX users_admins ON users (id) WHERE is_admin",
            "CREATE INDEX users_by_created_at ON users (created_at)",
            "CREATE INDEX users_by_confirmed_at ON users (confirmed_at)",
            "CREATE INDEX outbox_by_failed_at ON outbox (failed_at)",
        ] {
            db.execute_unprepared(statement).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AuditEvents::Id))
                    .col(timestamp_with_time_zone(AuditEvents::CreatedAt))
                    // `account`, `api_key`, `cli` or `system`, and which (an account id as
                    // text, a key's name; empty for the other two).
                    .col(string_len(AuditEvents::ActorKind, 16))
                    .col(string_len(AuditEvents::Actor, 200))
                    .col(string_len(AuditEvents::Action, 64))
                    // The account concerned, kept after it is deleted (no foreign key),
                    // with its address at the time.
                    .col(big_integer_null(AuditEvents::UserId))
                    .col(string_len_null(AuditEvents::UserEmail, 254))
                    .col(string_len_null(AuditEvents::ClientIp, 64))
                    // JSON, never a secret.
                    .col(text_null(AuditEvents::Details))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("audit_by_time", vec![AuditEvents::CreatedAt]),
            (
                "audit_by_account",
                vec![AuditEvents::UserId, AuditEvents::Id],
            ),
            ("audit_by_actor", vec![AuditEvents::Actor, AuditEvents::Id]),
            (
                "audit_by_action",
                vec![AuditEvents::Action, AuditEvents::Id],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(AuditEvents::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AdminKeys::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AdminKeys::Id))
                    .col(string_len_uniq(AdminKeys::Name, 100))
                    // SHA-256 of the key, hex: 256 random bits need no slow hash.
                    .col(string_len_uniq(AdminKeys::KeyHash, 64))
                    .col(timestamp_with_time_zone(AdminKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(AdminKeys::LastUsedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AdminKeys::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuditEvents::Table).to_owned())
            .await?;
        let db = manager.get_connection();
        for index in [
            "users_by_email_bytes",
            "users_by_domain",
            "users_unconfirmed",
            "users_disabled",
            "users_admins",
            "users_by_created_at",
            "users_by_confirmed_at",
            "outbox_by_failed_at",
        ] {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                .await?;
        }
        for column in [
            Users::IsAdmin,
            Users::DisabledAt,
            Users::LastLoginAt,
            Users::EmailDomain,
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
    IsAdmin,
    DisabledAt,
    LastLoginAt,
    /// The part after `@` of `email_normalized`, for `@domain` searches.
    EmailDomain,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    CreatedAt,
    ActorKind,
    Actor,
    Action,
    UserId,
    UserEmail,
    ClientIp,
    Details,
}

#[derive(DeriveIden)]
enum AdminKeys {
    Table,
    Id,
    Name,
    KeyHash,
    CreatedAt,
    LastUsedAt,
}
