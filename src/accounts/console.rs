//! What the operators' console does to accounts (SPEC §15): finds them, shows one with its
//! sessions, emails and audit events, and acts on it (disable, enable, end its sessions,
//! send it a confirmation or a reset, promote or demote it). Every action is recorded in
//! the audit log in the transaction of its change.
//!
//! The list is newest first, by a cursor (the last id shown), 50 to a page, and stays fast
//! with a million accounts (`bench/console.py`): each query walks an index in the order
//! it answers in, and an address prefix, which no index orders by id, is answered by
//! whichever of two plans reads less (see [`Accounts::search_users`]).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};

use super::{Accounts, AccountsError, Email, UserKey};
use crate::audit::{self, Action, AuditFilter, Concerned};
use crate::db::entities::users::{self, Entity as User};
use crate::db::entities::{audit_events, outbox};
use crate::outbox::{NewEmail, OutboxKind};
use crate::sessions;

/// At most this many accounts matching an address prefix are read by the address index
/// and sorted; a prefix matching more is common enough that walking the newest accounts
/// finds a page of them quickly.
const PREFIX_CANDIDATES: u64 = 5_000;

/// An account as the console, the admin API and `doorman users` show it.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct UserSummary {
    pub(crate) id: i64,
    pub(crate) email: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) confirmed_at: Option<DateTime<Utc>>,
    pub(crate) disabled_at: Option<DateTime<Utc>>,
    pub(crate) last_login_at: Option<DateTime<Utc>>,
    pub(crate) admin: bool,
}

impl From<users::Model> for UserSummary {
    fn from(user: users::Model) -> Self {
        Self {
            id: user.id,
            email: user.email,
            created_at: user.created_at,
            confirmed_at: user.confirmed_at,
            disabled_at: user.disabled_at,
            last_login_at: user.last_login_at,
            admin: user.is_admin,
        }
    }
}

/// The statuses the list filters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum UserStatus {
    Unconfirmed,
    /// Confirmed and not disabled.
    Confirmed,
    Disabled,
    Admin,
}

impl UserStatus {
    pub(crate) const ALL: [UserStatus; 4] = [
        UserStatus::Unconfirmed,
        UserStatus::Confirmed,
        UserStatus::Disabled,
        UserStatus::Admin,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "unconfirmed",
            UserStatus::Confirmed => "confirmed",
            UserStatus::Disabled => "disabled",
            UserStatus::Admin => "admin",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.name() == text)
    }

    /// Written out, not bound: a partial index is used only for a query whose condition
    /// is the index's own, word for word.
    fn condition(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "confirmed_at IS NULL",
            UserStatus::Confirmed => "confirmed_at IS NOT NULL AND disabled_at IS NULL",
            UserStatus::Disabled => "disabled_at IS NOT NULL",
            UserStatus::Admin => "is_admin",
        }
    }

    /// The status an account shows in the console.
    pub(crate) fn of(user: &UserSummary) -> Self {
        match (user.disabled_at, user.confirmed_at) {
            (Some(_), _) => UserStatus::Disabled,
            (None, None) => UserStatus::Unconfirmed,
            (None, Some(_)) => UserStatus::Confirmed,
        }
    }
}

/// What the search box asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Search {
    Everyone,
    /// Addresses starting with this, lowercased.
    Prefix(String),
    /// Addresses at this domain (`@example.com`), in its ASCII form.
    Domain(String),
}

impl Search {
    pub(crate) fn parse(q: &str) -> Self {
        let q = q.trim();
        match q.strip_prefix('@') {
            _ if q.is_empty() => Search::Everyone,
            Some(domain) => Search::Domain(
                idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_lowercase()),
            ),
            None => Search::Prefix(q.to_lowercase()),
        }
    }
}

/// One page of the list.
#[derive(Debug, Clone)]
pub(crate) struct UserQuery {
    pub(crate) search: Search,
    pub(crate) status: Option<UserStatus>,
    /// Only accounts older than this id: the cursor the page before ended with.
    pub(crate) before: Option<i64>,
    pub(crate) limit: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct UserPage {
    pub(crate) users: Vec<UserSummary>,
    /// The cursor of the next page, if there is one.
    pub(crate) next_cursor: Option<i64>,
}

/// A session of an account, as its page lists it.
#[derive(Debug, Clone)]
pub(crate) struct SessionView {
    pub(crate) started_at: Option<DateTime<Utc>>,
    pub(crate) last_seen_at: Option<DateTime<Utc>>,
    pub(crate) client_ip: Option<String>,
    pub(crate) user_agent: Option<String>,
}

/// Everything an account's page shows.
#[derive(Debug, Clone)]
pub(crate) struct UserDetails {
    pub(crate) user: UserSummary,
    pub(crate) locale: Option<String>,
    pub(crate) has_password: bool,
    pub(crate) sessions: Vec<SessionView>,
    pub(crate) emails: Vec<outbox::Model>,
    pub(crate) events: Vec<audit_events::Model>,
}

/// What an action on an account found.
#[derive(Debug, Clone)]
pub(crate) enum AdminOutcome {
    /// Done (or already so); the account after it.
    Done(UserSummary),
    NoSuchUser,
}

/// The console's front page: the last 30 days, day by day.
#[derive(Debug, Clone)]
pub(crate) struct DailyFigures {
    pub(crate) days: Vec<DayFigures>,
    /// Of the accounts created in those days, the share confirmed within 24 hours.
    pub(crate) confirmed_within_a_day: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DayFigures {
    pub(crate) day: NaiveDate,
    pub(crate) signups: u64,
    pub(crate) confirmations: u64,
    pub(crate) failed_deliveries: u64,
}

/// How a prefix search reads the accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PrefixPlan {
    /// Few match: read them all by the address index, sort them by id.
    SortMatches,
    /// Many match: walk the accounts newest first and keep those that match.
    WalkNewest,
}

/// `email_normalized` starts with the prefix, as a range in byte order: SQLite compares text
/// that way; PostgreSQL does in the "C" collation, which `users_by_email_bytes` holds
/// whatever the database's own.
const INDEXED_PREFIX: &str = "email_normalized >= ? AND email_normalized < ?";
const INDEXED_PREFIX_PG: &str =
    "email_normalized COLLATE \"C\" >= $1 AND email_normalized COLLATE \"C\" < $2";

/// The bounds of the addresses starting with `prefix`: every one sorts before `prefix`
/// followed by U+10FFFF.
fn prefix_range(prefix: &str) -> (String, String) {
    (prefix.to_owned(), format!("{prefix}\u{10FFFF}"))
}

/// The condition for `plan`, written so that each database takes that plan: the matches'
/// ids in a subquery that no planner flattens (its `LIMIT`), or a range no index serves
/// (SQLite's unary `+`, PostgreSQL's expression no index holds), so the primary key's
/// order is the one walked.
fn prefix_condition(
    backend: DbBackend,
    prefix: &str,
    plan: PrefixPlan,
) -> sea_orm::sea_query::SimpleExpr {
    let (lower, upper) = prefix_range(prefix);
    let postgres = backend == DbBackend::Postgres;
    let indexed = if postgres {
        INDEXED_PREFIX_PG
    } else {
        INDEXED_PREFIX
    };
    let condition = match (plan, postgres) {
        (PrefixPlan::SortMatches, _) => format!(
            "id IN (SELECT id FROM users WHERE {indexed} LIMIT {})",
            PREFIX_CANDIDATES + 1
        ),
        (PrefixPlan::WalkNewest, false) => {
            "+email_normalized >= ? AND +email_normalized < ?".to_owned()
        }
        (PrefixPlan::WalkNewest, true) => "(email_normalized || '') COLLATE \"C\" >= $1 \
             AND (email_normalized || '') COLLATE \"C\" < $2"
            .to_owned(),
    };
    Expr::cust_with_values(condition, [lower, upper])
}

impl Accounts {
    /// One page of accounts, newest first.
    ///
    /// An address prefix is answered by one of two plans. The address index finds every
    /// match; if there are at most [`PREFIX_CANDIDATES`], they are sorted by id (cheap,
    /// however rare the prefix). More matches than that means at least one account in
    /// `N / PREFIX_CANDIDATES` matches, so walking the accounts newest first and keeping
    /// the matches fills a page after a few thousand rows.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn search_users(&self, query: &UserQuery) -> Result<UserPage, AccountsError> {
        let mut select = User::find().order_by_desc(users::Column::Id);
        if let Some(status) = query.status {
            select = select.filter(Expr::cust(status.condition()));
        }
        if let Some(before) = query.before {
            select = select.filter(users::Column::Id.lt(before));
        }
        let select = match &query.search {
            Search::Everyone => select,
            Search::Domain(domain) => select.filter(users::Column::EmailDomain.eq(domain.as_str())),
            Search::Prefix(prefix) => {
                let plan = if self
                    .prefix_matches_more_than(prefix, PREFIX_CANDIDATES)
                    .await?
                {
                    PrefixPlan::WalkNewest
                } else {
                    PrefixPlan::SortMatches
                };
                select.filter(prefix_condition(
                    self.db.get_database_backend(),
                    prefix,
                    plan,
                ))
            }
        };
        let mut users: Vec<UserSummary> = select
            .limit(query.limit + 1)
            .all(&self.db)
            .await?
            .into_iter()
            .map(UserSummary::from)
            .collect();
        let next_cursor = (users.len() as u64 > query.limit).then(|| {
            users.truncate(query.limit as usize);
            users.last().map_or(0, |user| user.id)
        });
        Ok(UserPage { users, next_cursor })
    }

    /// Whether more than `limit` addresses start with `prefix`, counted in the address
    /// index alone and no further than `limit` + 1.
    async fn prefix_matches_more_than(
        &self,
        prefix: &str,
        limit: u64,
    ) -> Result<bool, AccountsError> {
        let backend = self.db.get_database_backend();
        let (condition, p) = match backend {
            DbBackend::Postgres => (INDEXED_PREFIX_PG, "$3"),
            _ => (INDEXED_PREFIX, "?"),
        };
        let sql = format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM users WHERE {condition} LIMIT {p}) AS probe"
        );
        let (lower, upper) = prefix_range(prefix);
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [lower.into(), upper.into(), (limit as i64 + 1).into()],
            ))
            .await?;
        let count: i64 = match row {
            Some(row) => row.try_get("", "n")?,
            None => 0,
        };
        Ok(count as u64 > limit)
    }

    /// An account with its sessions, last emails and audit events.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn user_details(
        &self,
        user_id: i64,
    ) -> Result<Option<UserDetails>, AccountsError> {
        let Some(user) = self.find_user(&self.db, UserKey::Id(user_id)).await? else {
            return Ok(None);
        };
        let sessions = sessions::of_user(&self.db, user_id)
            .await?
            .into_iter()
            .map(|session| SessionView {
                started_at: session.started_at,
                last_seen_at: session.last_seen_at,
                client_ip: session.client_ip,
                user_agent: session.user_agent,
            })
            .collect();
        let emails = self.outbox.of_user(user_id, 20).await?;
        let events = audit::list(
            &self.db,
            &AuditFilter {
                user_id: Some(user_id),
                limit: 50,
                ..AuditFilter::default()
            },
        )
        .await?;
        Ok(Some(UserDetails {
            locale: user.locale.clone(),
            has_password: super::login::stored_password(&user).is_some(),
            user: UserSummary::from(user),
            sessions,
            emails,
            events,
        }))
    }

    /// Disables an account: it can no longer sign in in any way, and every session it has
    /// ends at once. Disabling a disabled account changes nothing.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn disable(&self, user_id: i64) -> Result<AdminOutcome, AccountsError> {
        self.set_disabled(user_id, true).await
    }

    /// Lets a disabled account sign in again.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn enable(&self, user_id: i64) -> Result<AdminOutcome, AccountsError> {
        self.set_disabled(user_id, false).await
    }

    async fn set_disabled(
        &self,
        user_id: i64,
        disabled: bool,
    ) -> Result<AdminOutcome, AccountsError> {
        let now = self.clock.now();
        let transaction = crate::db::begin_write(&self.db).await?;
        let Some(user) = self.find_user(&transaction, UserKey::Id(user_id)).await? else {
            return Ok(AdminOutcome::NoSuchUser);
        };
        let mut update = User::update_many().filter(users::Column::Id.eq(user_id));
        update = if disabled {
            update
                .col_expr(users::Column::DisabledAt, Expr::value(now))
                .filter(users::Column::DisabledAt.is_null())
        } else {
            update
                .col_expr(
                    users::Column::DisabledAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(users::Column::DisabledAt.is_not_null())
        };
        if update.exec(&transaction).await?.rows_affected > 0 {
            if disabled {
                sessions::end_for_user(&transaction, user_id, None).await?;
            }
            let action = if disabled {
                Action::Disabled
            } else {
                Action::Enabled
            };
            audit::record(
                &transaction,
                now,
                action,
                Some(Concerned::from(&user)),
                None,
            )
            .await?;
        }
        transaction.commit().await?;
        self.recent.forget(user_id);
        self.summary_after(user_id).await
    }

    /// Ends every session of an account (it stays able to log in again).
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn end_sessions(&self, user_id: i64) -> Result<AdminOutcome, AccountsError> {
        let transaction = crate::db::begin_write(&self.db).await?;
        let Some(user) = self.find_user(&transaction, UserKey::Id(user_id)).await? else {
            return Ok(AdminOutcome::NoSuchUser);
        };
        let ended = sessions::end_for_user(&transaction, user_id, None).await?;
        audit::record(
            &transaction,
            self.clock.now(),
            Action::SessionsEnded,
            Some(Concerned::from(&user)),
            Some(serde_json::json!({ "sessions": ended })),
        )
        .await?;
        transaction.commit().await?;
        self.summary_after(user_id).await
    }

    /// Sends an unconfirmed account a fresh confirmation email (a confirmed one gets none:
    /// the worker skips it).
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn resend_confirmation_to(
        &self,
        user_id: i64,
    ) -> Result<AdminOutcome, AccountsError> {
        self.send_for_operator(
            user_id,
            OutboxKind::Confirmation,
            Action::ConfirmationResent,
        )
        .await
    }

    /// Sends an account a password-reset link.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn send_reset_to(&self, user_id: i64) -> Result<AdminOutcome, AccountsError> {
        self.send_for_operator(user_id, OutboxKind::PasswordReset, Action::ResetSent)
            .await
    }

    async fn send_for_operator(
        &self,
        user_id: i64,
        kind: OutboxKind,
        action: Action,
    ) -> Result<AdminOutcome, AccountsError> {
        let transaction = crate::db::begin_write(&self.db).await?;
        let Some(user) = self.find_user(&transaction, UserKey::Id(user_id)).await? else {
            return Ok(AdminOutcome::NoSuchUser);
        };
        let enqueued = self
            .outbox
            .enqueue_email(
                &transaction,
                &NewEmail::to(kind, &user.email).of_user(user.id),
            )
            .await?;
        audit::record(
            &transaction,
            self.clock.now(),
            action,
            Some(Concerned::from(&user)),
            None,
        )
        .await?;
        transaction.commit().await?;
        self.after_enqueue(enqueued, kind);
        self.summary_after(user_id).await
    }

    /// Confirms an account by an operator's word (the console and the API).
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn confirm_for_operator(
        &self,
        user_id: i64,
    ) -> Result<AdminOutcome, AccountsError> {
        self.confirm_by_operator(user_id).await?;
        self.summary_after(user_id).await
    }

    /// Gives (`true`) or takes the admin role.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn set_admin(
        &self,
        email: &Email,
        admin: bool,
    ) -> Result<AdminOutcome, AccountsError> {
        let transaction = crate::db::begin_write(&self.db).await?;
        let Some(user) = self.find_user(&transaction, UserKey::Email(email)).await? else {
            return Ok(AdminOutcome::NoSuchUser);
        };
        let changed = User::update_many()
            .col_expr(users::Column::IsAdmin, Expr::value(admin))
            .filter(users::Column::Id.eq(user.id))
            .filter(users::Column::IsAdmin.eq(!admin))
            .exec(&transaction)
            .await?
            .rows_affected
            > 0;
        if changed {
            let action = if admin {
                Action::Promoted
            } else {
                Action::Demoted
            };
            audit::record(
                &transaction,
                self.clock.now(),
                action,
                Some(Concerned::from(&user)),
                None,
            )
            .await?;
        }
        transaction.commit().await?;
        self.recent.forget(user.id);
        self.summary_after(user.id).await
    }

    async fn summary_after(&self, user_id: i64) -> Result<AdminOutcome, AccountsError> {
        Ok(
            match self.find_user(&self.db, UserKey::Id(user_id)).await? {
                Some(user) => AdminOutcome::Done(UserSummary::from(user)),
                None => AdminOutcome::NoSuchUser,
            },
        )
    }

    /// Deletes an account from the console or the API, and tells whether it existed.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn delete_for_operator(&self, user_id: i64) -> Result<bool, AccountsError> {
        Ok(self
            .delete_user(user_id, super::settings::DeleteIf::Always)
            .await?)
    }

    /// Emails and events still waiting to be sent or given up, newest first.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn unsent_deliveries(
        &self,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<outbox::Model>, AccountsError> {
        Ok(self.outbox.unsent(before, limit).await?)
    }

    /// Puts a given-up email or event back in the queue; `false` when row `id` is not one.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn retry_delivery(&self, id: i64) -> Result<bool, AccountsError> {
        let transaction = crate::db::begin_write(&self.db).await?;
        let requeued = self.outbox.retry_failed_in(&transaction, Some(id)).await? > 0;
        if requeued {
            audit::record(
                &transaction,
                self.clock.now(),
                Action::DeliveryRetried,
                None,
                Some(serde_json::json!({ "outbox_id": id })),
            )
            .await?;
        }
        transaction.commit().await?;
        if requeued {
            self.outbox.wake();
        }
        Ok(requeued)
    }

    /// Whether `current` proves the admin `user_id` again (the console's re-check, which
    /// counts as a login attempt).
    ///
    /// # Errors
    /// [`AccountsError::Throttled`] past the failed-login limits; hashing and database
    /// errors.
    pub(crate) async fn reauthenticate(
        &self,
        user_id: i64,
        current: &super::CurrentPassword,
    ) -> Result<bool, AccountsError> {
        Ok(self.user_proving(user_id, current).await?.is_some())
    }

    /// The audit log, newest first.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn audit_events(
        &self,
        filter: &AuditFilter,
    ) -> Result<Vec<audit_events::Model>, AccountsError> {
        Ok(audit::list(&self.db, filter).await?)
    }

    /// Sign-ups, confirmations and failed deliveries for each of the last `days` days
    /// (UTC), oldest first, and the share of those sign-ups confirmed within a day.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn daily_figures(&self, days: u32) -> Result<DailyFigures, AccountsError> {
        let today = self.clock.now().date_naive();
        let first = today - chrono::Days::new(u64::from(days.saturating_sub(1)));
        let since = first.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let signups = self.per_day("users", "created_at", since).await?;
        let confirmations = self.per_day("users", "confirmed_at", since).await?;
        let failed = self.per_day("outbox", "failed_at", since).await?;
        let days = first
            .iter_days()
            .take_while(|day| *day <= today)
            .map(|day| DayFigures {
                day,
                signups: signups.get(&day).copied().unwrap_or(0),
                confirmations: confirmations.get(&day).copied().unwrap_or(0),
                failed_deliveries: failed.get(&day).copied().unwrap_or(0),
            })
            .collect();
        Ok(DailyFigures {
            days,
            confirmed_within_a_day: self.confirmed_within_a_day(since).await?,
        })
    }

    /// How many rows of `table` have `column` on each day since `since`.
    async fn per_day(
        &self,
        table: &str,
        column: &str,
        since: DateTime<Utc>,
    ) -> Result<std::collections::HashMap<NaiveDate, u64>, AccountsError> {
        let backend = self.db.get_database_backend();
        let (day, p) = match backend {
            DbBackend::Postgres => (
                format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
                "$1",
            ),
            // Stored as RFC 3339 text in UTC: the day is its first ten characters.
            _ => (format!("substr({column}, 1, 10)"), "?"),
        };
        let sql = format!(
            "SELECT {day} AS day, COUNT(*) AS n FROM {table} \
             WHERE {column} >= {p} GROUP BY {day}"
        );
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, [since.into()]))
            .await?;
        let mut counts = std::collections::HashMap::new();
        for row in rows {
            let day: String = row.try_get("", "day")?;
            let count: i64 = row.try_get("", "n")?;
            if let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
                counts.insert(day, u64::try_from(count).unwrap_or(0));
            }
        }
        Ok(counts)
    }

    async fn confirmed_within_a_day(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Option<f64>, AccountsError> {
        let backend = self.db.get_database_backend();
        let (within, p) = match backend {
            DbBackend::Postgres => ("confirmed_at - created_at <= interval '1 day'", "$1"),
            _ => ("julianday(confirmed_at) - julianday(created_at) <= 1", "?"),
        };
        let sql = format!(
            "SELECT COUNT(*) AS total,                  COALESCE(SUM(CASE WHEN {within} THEN 1 ELSE 0 END), 0) AS within              FROM users WHERE created_at >= {p}"
        );
        let Some(row) = self
            .db
            .query_one_raw(Statement::from_sql_and_values(backend, sql, [since.into()]))
            .await?
        else {
            return Ok(None);
        };
        let total: i64 = row.try_get("", "total")?;
        let within: i64 = row.try_get("", "within")?;
        Ok((total > 0).then(|| within as f64 / total as f64))
    }
}
