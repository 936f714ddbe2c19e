//! The audit log (SPEC §15): who did what to which account, from where, written in the
//! transaction of the change it records, so a change and its record exist together or not
//! at all. Never a secret: no password, token, code or key is part of an event.
//!
//! Who acts and from which address is the request's business, not every domain
//! function's: the web layer, the CLI and the workers run their work inside [`scope`],
//! and [`record`] reads it from there. A person changing their own account is
//! [`Actor::Own`], which the record resolves to the account concerned.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::db::entities::audit_events::{self, Entity as AuditRow};
use crate::db::entities::users;

/// Who acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Actor {
    /// The person whose account it is, acting on it.
    Own,
    /// An account acting on another's (an admin in the console).
    Account(i64),
    /// An admin API key, by its name.
    ApiKey(String),
    /// The `doorman` command.
    Cli,
    /// Doorman itself (housekeeping, the workers).
    System,
}

/// Who acts, from which client address (as the per-IP limit sees it) and in which
/// browser.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub(crate) actor: Actor,
    pub(crate) client: Option<IpAddr>,
    /// `User-Agent`, cut to 200 characters.
    pub(crate) user_agent: Option<String>,
}

impl Context {
    /// A request of someone acting on their own account (or about to have one).
    pub(crate) fn request(client: IpAddr, user_agent: Option<&str>) -> Self {
        Self {
            actor: Actor::Own,
            client: Some(client),
            user_agent: user_agent.map(|agent| agent.chars().take(200).collect()),
        }
    }
}

tokio::task_local! {
    static CONTEXT: Context;
}

/// Runs `work` with `context` as who acts.
pub(crate) async fn scope<F: Future>(context: Context, work: F) -> F::Output {
    CONTEXT.scope(context, work).await
}

/// Runs `work` as `actor`, from the client of the surrounding scope.
pub(crate) async fn acting_as<F: Future>(actor: Actor, work: F) -> F::Output {
    scope(Context { actor, ..current() }, work).await
}

/// The scope's context; outside any, Doorman itself.
pub(crate) fn current() -> Context {
    CONTEXT.try_with(Clone::clone).unwrap_or(Context {
        actor: Actor::System,
        client: None,
        user_agent: None,
    })
}

/// What happened. Account changes mirror the webhooks' events; the rest are the logins
/// and what operators do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Registered,
    Confirmed,
    EmailChanged,
    PasswordChanged,
    Deleted,
    LoggedIn,
    SessionsEnded,
    Disabled,
    Enabled,
    Promoted,
    Demoted,
    ConfirmationResent,
    ResetSent,
    DeliveryRetried,
    Invited,
    /// Created by `users import`.
    Imported,
}

impl Action {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Action::Registered => "registered",
            Action::Confirmed => "confirmed",
            Action::EmailChanged => "email_changed",
            Action::PasswordChanged => "password_changed",
            Action::Deleted => "deleted",
            Action::LoggedIn => "logged_in",
            Action::SessionsEnded => "sessions_ended",
            Action::Disabled => "disabled",
            Action::Enabled => "enabled",
            Action::Promoted => "promoted",
            Action::Demoted => "demoted",
            Action::ConfirmationResent => "confirmation_resent",
            Action::ResetSent => "reset_sent",
            Action::DeliveryRetried => "delivery_retried",
            Action::Invited => "invited",
            Action::Imported => "imported",
        }
    }

    pub(crate) const ALL: [Action; 16] = [
        Action::Registered,
        Action::Confirmed,
        Action::EmailChanged,
        Action::PasswordChanged,
        Action::Deleted,
        Action::LoggedIn,
        Action::SessionsEnded,
        Action::Disabled,
        Action::Enabled,
        Action::Promoted,
        Action::Demoted,
        Action::ConfirmationResent,
        Action::ResetSent,
        Action::DeliveryRetried,
        Action::Invited,
        Action::Imported,
    ];
}

/// The account an event concerns: its id and its address at the time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Concerned<'a> {
    pub(crate) user_id: i64,
    pub(crate) email: &'a str,
}

impl<'a> From<&'a users::Model> for Concerned<'a> {
    fn from(user: &'a users::Model) -> Self {
        Self {
            user_id: user.id,
            email: &user.email,
        }
    }
}

/// Writes one event, on `connection` (the change's transaction), as the current scope's
/// actor from its client.
///
/// # Errors
/// Database errors.
pub(crate) async fn record<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    action: Action,
    concerned: Option<Concerned<'_>>,
    details: Option<serde_json::Value>,
) -> Result<(), DbErr> {
    AuditRow::insert(row(&current(), now, action, concerned, details))
        .exec_without_returning(connection)
        .await?;
    Ok(())
}

/// Writes one `action` event for each of `accounts`, in one statement.
///
/// # Errors
/// Database errors.
pub(crate) async fn record_each<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    action: Action,
    accounts: &[Concerned<'_>],
) -> Result<(), DbErr> {
    if accounts.is_empty() {
        return Ok(());
    }
    let context = current();
    AuditRow::insert_many(
        accounts
            .iter()
            .map(|concerned| row(&context, now, action, Some(*concerned), None)),
    )
    .exec_without_returning(connection)
    .await?;
    Ok(())
}

fn row(
    context: &Context,
    now: DateTime<Utc>,
    action: Action,
    concerned: Option<Concerned<'_>>,
    details: Option<serde_json::Value>,
) -> audit_events::ActiveModel {
    let (actor_kind, actor) = match context.actor.clone() {
        Actor::Own => match concerned {
            Some(concerned) => ("account", concerned.user_id.to_string()),
            None => ("system", String::new()),
        },
        Actor::Account(id) => ("account", id.to_string()),
        Actor::ApiKey(name) => ("api_key", name),
        Actor::Cli => ("cli", String::new()),
        Actor::System => ("system", String::new()),
    };
    audit_events::ActiveModel {
        created_at: Set(now),
        actor_kind: Set(actor_kind.to_owned()),
        actor: Set(actor),
        action: Set(action.name().to_owned()),
        user_id: Set(concerned.map(|concerned| concerned.user_id)),
        user_email: Set(concerned.map(|concerned| concerned.email.to_owned())),
        client_ip: Set(context.client.map(|client| client.to_string())),
        details: Set(details.map(|details| details.to_string())),
        ..Default::default()
    }
}

/// Which events to list, newest first.
#[derive(Debug, Default, Clone)]
pub(crate) struct AuditFilter {
    pub(crate) user_id: Option<i64>,
    /// An account's id, a key's name, `cli` or `system`.
    pub(crate) actor: Option<String>,
    pub(crate) action: Option<String>,
    /// Only events older than this one (the cursor of the page before).
    pub(crate) before: Option<i64>,
    pub(crate) limit: u64,
}

/// Events matching `filter`, newest first.
///
/// # Errors
/// Database errors.
pub(crate) async fn list(
    db: &DatabaseConnection,
    filter: &AuditFilter,
) -> Result<Vec<audit_events::Model>, DbErr> {
    let mut query = AuditRow::find().order_by_desc(audit_events::Column::Id);
    if let Some(user_id) = filter.user_id {
        query = query.filter(audit_events::Column::UserId.eq(user_id));
    }
    if let Some(actor) = filter.actor.as_deref() {
        query = match actor {
            "cli" | "system" => query.filter(audit_events::Column::ActorKind.eq(actor)),
            _ => query.filter(audit_events::Column::Actor.eq(actor)),
        };
    }
    if let Some(action) = filter.action.as_deref() {
        query = query.filter(audit_events::Column::Action.eq(action));
    }
    if let Some(before) = filter.before {
        query = query.filter(audit_events::Column::Id.lt(before));
    }
    query.limit(filter.limit).all(db).await
}

/// Deletes events older than `before` (`AUDIT_RETENTION`), for housekeeping.
///
/// # Errors
/// Database errors.
pub(crate) async fn delete_older_than(
    db: &DatabaseConnection,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(AuditRow::delete_many()
        .filter(audit_events::Column::CreatedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
