//! The transactional outbox (SPEC §6).
//!
//! A row asking for an email is written in the same transaction as the change that causes
//! it, so an email is never lost and never sent for a change that rolled back. The row holds
//! the intent (kind, user, recipient), never a token: tokens are minted when the email is
//! composed for sending. [`worker`] claims due rows and delivers them.

pub(crate) mod smtp;
pub(crate) mod webhooks;
pub(crate) mod worker;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::{DeriveActiveEnum, EnumIter, StringLen};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend,
    DbErr, EntityTrait, FromQueryResult, IdenStatic, Iterable, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::db::entities::outbox::{self, Entity as OutboxRow};
use crate::events::AccountEvent;

pub(crate) use smtp::SmtpMailer;
pub(crate) use worker::DeliveryWorker;

/// Failed sends are retried until the row is this old, then given up.
const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);
const FIRST_RETRY: Duration = Duration::from_secs(1);
const LONGEST_RETRY: Duration = Duration::from_secs(10 * 60);

/// What an outbox row asks for: an email of one kind, or an account event for
/// `WEBHOOK_URL`. The string is what the `kind` column holds; rows outlive releases, so
/// these never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
pub enum OutboxKind {
    #[sea_orm(string_value = "confirmation")]
    Confirmation,
    #[sea_orm(string_value = "already_registered")]
    AlreadyRegistered,
    #[sea_orm(string_value = "password_reset")]
    PasswordReset,
    #[sea_orm(string_value = "password_changed")]
    PasswordChanged,
    /// The link that moves an account to a new address, sent to that address.
    #[sea_orm(string_value = "email_change_confirmation")]
    EmailChangeConfirmation,
    /// "Your address is being changed", sent to the old address.
    #[sea_orm(string_value = "email_change_notice")]
    EmailChangeNotice,
    /// Someone tried to move their account to this address, which has an account.
    #[sea_orm(string_value = "email_taken")]
    EmailTaken,
    /// A code and link that sign the account in (SPEC §14); to an address without an
    /// account, an email saying so.
    #[sea_orm(string_value = "sign_in")]
    SignIn,
    /// An invitation to create an account, to an address without one (SPEC §16).
    #[sea_orm(string_value = "invitation")]
    Invitation,
    /// An account event, delivered to `WEBHOOK_URL`.
    #[sea_orm(string_value = "webhook")]
    Webhook,
}

impl OutboxKind {
    /// The column's value, for logs and listings.
    pub(crate) fn label(self) -> String {
        self.to_value()
    }

    /// `kind IN (…)` of every kind this release knows. Rows of a kind written by a newer
    /// release are left to the workers of that release, never claimed and failed here.
    fn known_sql_list() -> String {
        OutboxKind::iter()
            .map(|kind| format!("'{}'", kind.to_value()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where an outbox row stands, as the operator CLI and the dev mailbox show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeliveryStatus {
    /// Waiting for its first attempt, or for a retry after `attempts` failed ones.
    Pending {
        attempts: i32,
        last_error: Option<String>,
    },
    Sent,
    /// Closed without sending: the email no longer made sense.
    Skipped {
        reason: String,
    },
    /// Failures for 24 hours; no more attempts.
    GivenUp {
        last_error: Option<String>,
    },
}

impl DeliveryStatus {
    pub(crate) fn of(row: &outbox::Model) -> Self {
        match (row.sent_at, &row.skip_reason, row.failed_at) {
            (Some(_), _, _) => DeliveryStatus::Sent,
            (None, Some(reason), _) => DeliveryStatus::Skipped {
                reason: reason.clone(),
            },
            (None, None, Some(_)) => DeliveryStatus::GivenUp {
                last_error: row.last_error.clone(),
            },
            (None, None, None) => DeliveryStatus::Pending {
                attempts: row.attempts,
                last_error: row.last_error.clone(),
            },
        }
    }

    /// One word, for tables and JSON.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            DeliveryStatus::Pending { .. } => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Skipped { .. } => "skipped",
            DeliveryStatus::GivenUp { .. } => "failed",
        }
    }
}

impl std::fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeliveryStatus::Pending {
                last_error: None, ..
            } => f.write_str("queued"),
            DeliveryStatus::Pending {
                attempts,
                last_error: Some(error),
            } => write!(f, "retrying after {attempts} attempts: {error}"),
            DeliveryStatus::Sent => f.write_str("sent"),
            DeliveryStatus::Skipped { reason } => write!(f, "skipped: {reason}"),
            DeliveryStatus::GivenUp { last_error } => write!(
                f,
                "failed: given up after 24 hours ({})",
                last_error.as_deref().unwrap_or("no error recorded")
            ),
        }
    }
}

/// The dev mailbox's wording; the reasons and errors inside stay the technical English the
/// CLI prints.
impl crate::i18n::Localize for DeliveryStatus {
    fn localize(&self) -> String {
        use crate::i18n::{t, t_with, t1};
        match self {
            DeliveryStatus::Pending {
                last_error: None, ..
            } => t("mailbox-status-queued"),
            DeliveryStatus::Pending {
                attempts,
                last_error: Some(error),
            } => t_with(
                "mailbox-status-retrying",
                &[("attempts", attempts), ("error", error)],
            ),
            DeliveryStatus::Sent => t("mailbox-status-sent"),
            DeliveryStatus::Skipped { reason } => t1("mailbox-status-skipped", "reason", reason),
            DeliveryStatus::GivenUp { last_error } => t1(
                "mailbox-status-given-up",
                "error",
                last_error.as_deref().unwrap_or("-"),
            ),
        }
    }
}

/// An email to queue: its kind, its account when known, where it goes, the checked
/// `return_to` its link carries, and the language of the browser that asked (for an
/// address that may have no account; an account's emails speak its own).
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewEmail<'a> {
    pub(crate) kind: OutboxKind,
    pub(crate) user_id: Option<i64>,
    pub(crate) recipient: &'a str,
    pub(crate) return_to: Option<&'a str>,
    pub(crate) locale: Option<&'a str>,
}

impl<'a> NewEmail<'a> {
    /// An email of `kind` to `recipient`, nothing else known.
    pub(crate) fn to(kind: OutboxKind, recipient: &'a str) -> Self {
        Self {
            kind,
            user_id: None,
            recipient,
            return_to: None,
            locale: None,
        }
    }

    /// The same email, for the account `user_id`.
    pub(crate) fn of_user(self, user_id: i64) -> Self {
        Self {
            user_id: Some(user_id),
            ..self
        }
    }
}

/// Whether [`Outbox::enqueue_email`] queued the email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Enqueued {
    /// As this row.
    Queued(i64),
    /// `MAIL_PER_ADDRESS_PER_HOUR` emails already went to this address in the last hour.
    CapReached,
}

/// Handle on the outbox table, shared by the web layer, the worker and the CLI. Every
/// write to the table goes through it.
#[derive(Clone)]
pub(crate) struct Outbox {
    db: DatabaseConnection,
    clock: Clock,
    wake: Arc<Notify>,
    per_address_per_hour: u32,
    /// Where account events go, as rows record it (the URL without its query, which may
    /// hold a secret); `None` when `WEBHOOK_URL` is not set and events are not queued.
    webhook_recipient: Option<String>,
}

impl Outbox {
    pub(crate) fn new(
        db: DatabaseConnection,
        clock: Clock,
        per_address_per_hour: u32,
        webhook_recipient: Option<String>,
    ) -> Self {
        Self {
            db,
            clock,
            wake: Arc::new(Notify::new()),
            per_address_per_hour,
            webhook_recipient,
        }
    }

    /// Queues an email inside the caller's transaction. Call [`Outbox::wake`] after commit.
    /// `user_id` is `None` for a request about whatever account `recipient` may have (a
    /// reset or resend for an address as typed): the worker looks the account up when it
    /// composes, so the request costs the same whether or not the address has an account.
    ///
    /// The per-address cap is counted in the database by the lowercased address, so case
    /// variants share it and it holds across instances. On PostgreSQL a transaction-scoped
    /// advisory lock on the address makes concurrent requests count one after the other;
    /// on SQLite the insert comes first, which takes the single write lock at once.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn enqueue_email<C: ConnectionTrait>(
        &self,
        connection: &C,
        email: &NewEmail<'_>,
    ) -> Result<Enqueued, DbErr> {
        debug_assert_ne!(
            email.kind,
            OutboxKind::Webhook,
            "events go through enqueue_event"
        );
        let recipient = email.recipient;
        let normalized = recipient.to_lowercase();
        if connection.get_database_backend() == DbBackend::Postgres {
            connection
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                    [format!("outbox recipient {normalized}").into()],
                ))
                .await?;
        }
        let now = self.clock.now();
        let inserted = OutboxRow::insert(outbox::ActiveModel {
            recipient_normalized: Set(Some(normalized.clone())),
            return_to: Set(email.return_to.map(str::to_owned)),
            locale: Set(email.locale.map(str::to_owned)),
            ..due_now(email.kind, email.user_id, recipient, now)
        })
        .exec(connection)
        .await?;
        let sent_last_hour = OutboxRow::find()
            .filter(outbox::Column::RecipientNormalized.eq(normalized))
            .filter(outbox::Column::CreatedAt.gt(now - chrono::Duration::hours(1)))
            .count(connection)
            .await?;
        if sent_last_hour > u64::from(self.per_address_per_hour) {
            OutboxRow::delete_by_id(inserted.last_insert_id)
                .exec(connection)
                .await?;
            return Ok(Enqueued::CapReached);
        }
        Ok(Enqueued::Queued(inserted.last_insert_id))
    }

    /// Queues `event` for `WEBHOOK_URL` inside the caller's transaction, when webhooks are
    /// on; the per-address email cap does not apply. Call [`Outbox::wake`] after commit.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn enqueue_event<C: ConnectionTrait>(
        &self,
        connection: &C,
        event: &AccountEvent,
    ) -> Result<(), DbErr> {
        let Some(recipient) = &self.webhook_recipient else {
            return Ok(());
        };
        let now = self.clock.now();
        OutboxRow::insert(outbox::ActiveModel {
            payload: Set(Some(event.body(now))),
            event: Set(Some(event.name().to_owned())),
            // Random, not the row number: receivers deduplicate on it, and row numbers
            // repeat across databases (a restore, a second installation).
            webhook_id: Set(Some(format!(
                "msg_{}",
                hex::encode(crate::keys::random_bytes::<16>())
            ))),
            ..due_now(
                OutboxKind::Webhook,
                Some(event.account().user_id),
                recipient,
                now,
            )
        })
        .exec_without_returning(connection)
        .await?;
        Ok(())
    }

    /// Drops the unsent emails of a deleted account, inside the deletion's transaction. Its
    /// account events stay: the application must still hear what happened.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn cancel_unsent_emails<C: ConnectionTrait>(
        &self,
        connection: &C,
        user_id: i64,
    ) -> Result<(), DbErr> {
        OutboxRow::delete_many()
            .filter(outbox::Column::UserId.eq(user_id))
            .filter(outbox::Column::SentAt.is_null())
            .filter(outbox::Column::Kind.ne(OutboxKind::Webhook))
            .exec(connection)
            .await?;
        Ok(())
    }

    /// Wakes the worker in this process so a queued email leaves within milliseconds.
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) fn wake_signal(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Claims up to `limit` due rows for `lease`. Another worker skips claimed rows until
    /// the lease lapses; on PostgreSQL `FOR UPDATE SKIP LOCKED` keeps concurrent claims
    /// apart, on SQLite the single writer does.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn claim_due(
        &self,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<outbox::Model>, DbErr> {
        let backend = self.db.get_database_backend();
        let (p, lock) = match backend {
            DbBackend::Postgres => ("$", "FOR UPDATE SKIP LOCKED"),
            _ => ("?", ""),
        };
        let sql = format!(
            "UPDATE outbox SET claimed_until = {p}1 \
             WHERE id IN (SELECT id FROM outbox \
                 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= {p}2 \
                 AND (claimed_until IS NULL OR claimed_until < {p}2) \
                 AND kind IN ({known}) \
                 ORDER BY next_attempt_at, id LIMIT {p}3 {lock}) \
             RETURNING {columns}",
            known = OutboxKind::known_sql_list(),
            // Named, not `*`: SQLite re-expands `*` if it ever re-prepares the statement,
            // and a cached statement whose column count moved is not one sqlx can read.
            columns = outbox::Column::iter()
                .map(|column| column.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
        let now = self.clock.now();
        let lease_end = now + chrono::Duration::from_std(lease).unwrap_or_default();
        let statement = Statement::from_sql_and_values(
            backend,
            sql,
            [lease_end.into(), now.into(), i64::from(limit).into()],
        );
        outbox::Model::find_by_statement(statement)
            .all(&self.db)
            .await
    }

    /// # Errors
    /// Database errors.
    pub(crate) async fn mark_sent(&self, id: i64) -> Result<(), DbErr> {
        release(id)
            .col_expr(outbox::Column::SentAt, Expr::value(self.clock.now()))
            .col_expr(
                outbox::Column::Attempts,
                sea_orm::sea_query::ExprTrait::add(Expr::col(outbox::Column::Attempts), 1),
            )
            .col_expr(
                outbox::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Records a failed attempt and schedules the next one with exponential backoff, or
    /// gives the row up once it is a day old. Returns whether it was given up.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn mark_failed(
        &self,
        row: &outbox::Model,
        error: &str,
    ) -> Result<bool, DbErr> {
        let now = self.clock.now();
        let attempts = row.attempts + 1;
        let age = (now - row.created_at).to_std().unwrap_or_default();
        let failed_at = (age >= GIVE_UP_AFTER).then_some(now);
        let next_attempt_at =
            now + chrono::Duration::from_std(retry_delay(attempts)).unwrap_or_default();
        release(row.id)
            .col_expr(outbox::Column::Attempts, Expr::value(attempts))
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(next_attempt_at))
            .col_expr(outbox::Column::FailedAt, Expr::value(failed_at))
            .col_expr(outbox::Column::LastError, Expr::value(truncate(error, 500)))
            .exec(&self.db)
            .await?;
        Ok(failed_at.is_some())
    }

    /// Closes a row whose email no longer makes sense (the account was confirmed or
    /// deleted meanwhile) without sending it.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn mark_skipped(&self, id: i64, reason: &str) -> Result<(), DbErr> {
        release(id)
            .col_expr(outbox::Column::FailedAt, Expr::value(self.clock.now()))
            .col_expr(outbox::Column::SkipReason, Expr::value(reason))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The newest emails first, for `/dev/mailbox`.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn newest_emails(&self, limit: u64) -> Result<Vec<outbox::Model>, DbErr> {
        OutboxRow::find()
            .filter(outbox::Column::Kind.ne(OutboxKind::Webhook))
            .order_by_desc(outbox::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
    }

    /// Rows oldest first; only those given up on when asked.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn list(&self, failed_only: bool) -> Result<Vec<outbox::Model>, DbErr> {
        let mut query = OutboxRow::find().order_by_asc(outbox::Column::Id);
        if failed_only {
            query = given_up(query);
        }
        query.all(&self.db).await
    }

    /// Puts given-up rows back in the queue, due now, with a fresh day before giving up.
    /// `None` retries every given-up row (skipped ones stay closed: they made no sense).
    /// Returns how many were requeued.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn retry_failed(&self, id: Option<i64>) -> Result<u64, DbErr> {
        let requeued = self.retry_failed_in(&self.db, id).await?;
        if requeued > 0 {
            self.wake();
        }
        Ok(requeued)
    }

    /// [`Self::retry_failed`] inside the caller's transaction; call [`Outbox::wake`] after
    /// commit.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn retry_failed_in<C: ConnectionTrait>(
        &self,
        connection: &C,
        id: Option<i64>,
    ) -> Result<u64, DbErr> {
        let now = self.clock.now();
        let mut update = given_up(
            OutboxRow::update_many()
                .col_expr(
                    outbox::Column::FailedAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(outbox::Column::NextAttemptAt, Expr::value(now))
                .col_expr(outbox::Column::CreatedAt, Expr::value(now)),
        );
        if let Some(id) = id {
            update = update.filter(outbox::Column::Id.eq(id));
        }
        Ok(update.exec(connection).await?.rows_affected)
    }

    /// The newest rows of `user_id`'s account (its emails and events), for the console.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn of_user(
        &self,
        user_id: i64,
        limit: u64,
    ) -> Result<Vec<outbox::Model>, DbErr> {
        OutboxRow::find()
            .filter(outbox::Column::UserId.eq(user_id))
            .order_by_desc(outbox::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
    }

    /// Rows still waiting to be sent or given up, newest first, older than `before` when
    /// given: what the console's outbox page shows.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn unsent(
        &self,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<outbox::Model>, DbErr> {
        let mut query = OutboxRow::find()
            .filter(outbox::Column::SentAt.is_null())
            .filter(outbox::Column::SkipReason.is_null())
            .order_by_desc(outbox::Column::Id);
        if let Some(before) = before {
            query = query.filter(outbox::Column::Id.lt(before));
        }
        query.limit(limit).all(&self.db).await
    }

    /// Rows waiting to be sent, and the age of the oldest, for `/metrics`.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn depth(&self) -> Result<(u64, Option<Duration>), DbErr> {
        let pending = || {
            OutboxRow::find()
                .filter(outbox::Column::SentAt.is_null())
                .filter(outbox::Column::FailedAt.is_null())
        };
        let count = pending().count(&self.db).await?;
        let oldest = pending()
            .order_by_asc(outbox::Column::CreatedAt)
            .one(&self.db)
            .await?
            .and_then(|row| (self.clock.now() - row.created_at).to_std().ok());
        Ok((count, oldest))
    }

    /// # Errors
    /// Database errors.
    pub(crate) async fn find(&self, id: i64) -> Result<Option<outbox::Model>, DbErr> {
        OutboxRow::find_by_id(id).one(&self.db).await
    }
}

/// Only the rows given up after a day of failures (not those closed as skipped).
fn given_up<Q: QueryFilter>(query: Q) -> Q {
    query
        .filter(outbox::Column::FailedAt.is_not_null())
        .filter(outbox::Column::SentAt.is_null())
        .filter(outbox::Column::SkipReason.is_null())
}

/// A new row, due at once.
fn due_now(
    kind: OutboxKind,
    user_id: Option<i64>,
    recipient: &str,
    now: DateTime<Utc>,
) -> outbox::ActiveModel {
    outbox::ActiveModel {
        kind: Set(kind),
        user_id: Set(user_id),
        recipient: Set(truncate(recipient, 254)),
        created_at: Set(now),
        attempts: Set(0),
        next_attempt_at: Set(now),
        ..Default::default()
    }
}

/// An update of row `id` that ends this worker's claim on it; the caller says how the
/// attempt ended.
fn release(id: i64) -> sea_orm::UpdateMany<OutboxRow> {
    OutboxRow::update_many()
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(outbox::Column::Id.eq(id))
}

/// 1 s, 2 s, 4 s … capped at 10 minutes, with up to 25 % jitter so that many instances
/// retrying after an SMTP outage do not hit the relay in lockstep.
fn retry_delay(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let base = FIRST_RETRY
        .saturating_mul(1u32 << exponent)
        .min(LONGEST_RETRY);
    let jitter_fraction = f64::from(crate::keys::random_bytes::<1>()[0]) / 255.0 * 0.25;
    base.mul_f64(1.0 + jitter_fraction)
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_a_cap() {
        let first = retry_delay(1);
        assert!(first >= Duration::from_secs(1) && first <= Duration::from_millis(1250));
        let fourth = retry_delay(4);
        assert!(fourth >= Duration::from_secs(8) && fourth <= Duration::from_secs(10));
        let late = retry_delay(60);
        assert!(late >= LONGEST_RETRY && late <= LONGEST_RETRY.mul_f64(1.25));
    }

    #[test]
    fn every_kind_round_trips_through_its_column_value() {
        for kind in OutboxKind::iter() {
            assert_eq!(
                OutboxKind::try_from_value(&kind.to_value()).ok(),
                Some(kind)
            );
        }
        assert!(OutboxKind::try_from_value(&"unknown".to_owned()).is_err());
        assert!(OutboxKind::known_sql_list().contains("'webhook'"));
    }
}
