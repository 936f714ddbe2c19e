use sea_orm::entity::prelude::*;

pub use crate::outbox::OutboxKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: OutboxKind,
    pub user_id: Option<i64>,
    /// An email's address; for an account event, where it was to be delivered (the
    /// webhook URL without its query).
    pub recipient: String,
    /// `recipient` lowercased, as the per-address cap counts it; `None` for events.
    pub recipient_normalized: Option<String>,
    pub created_at: DateTimeUtc,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub claimed_until: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    /// When the row was closed without success: given up, or skipped (`skip_reason`).
    pub failed_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    /// Where the email's link sends the person afterwards, checked when it was given.
    pub return_to: Option<String>,
    /// For an account event, its JSON body.
    pub payload: Option<String>,
    /// For an account event, its type (`user.confirmed`).
    pub event: Option<String>,
    /// Why the email was closed without sending: it no longer made sense.
    pub skip_reason: Option<String>,
    /// For an account event, its Standard Webhooks `webhook-id`, the same on every retry.
    pub webhook_id: Option<String>,
    /// The language of the browser that asked, for an email to an address that may have
    /// no account; an account's emails speak its own.
    pub locale: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
