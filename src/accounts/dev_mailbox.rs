//! What `/dev/mailbox` shows in development: every queued email, composed as the worker
//! would compose it now (with a freshly minted token), and where its delivery stands.

use super::{Accounts, AccountsError};
use crate::db::entities::outbox;
use crate::mail::RenderedEmail;
use crate::outbox::worker::{Composed, Composer};
use crate::outbox::{DeliveryStatus, OutboxKind};

/// One email in the development mailbox.
pub(crate) struct MailboxMessage {
    pub(crate) id: i64,
    pub(crate) recipient: String,
    pub(crate) kind: OutboxKind,
    pub(crate) status: DeliveryStatus,
    /// `None` when the email no longer makes sense (the account changed meanwhile).
    pub(crate) email: Option<RenderedEmail>,
}

impl Accounts {
    /// The newest `limit` emails, newest first.
    ///
    /// # Errors
    /// Database or template errors.
    pub(crate) async fn dev_mailbox(
        &self,
        limit: u64,
    ) -> Result<Vec<MailboxMessage>, AccountsError> {
        let rows = self.outbox.newest_emails(limit).await?;
        let mut messages = Vec::with_capacity(rows.len());
        for row in rows {
            messages.push(MailboxMessage {
                email: self.compose_now(&row).await?,
                status: DeliveryStatus::of(&row),
                id: row.id,
                recipient: row.recipient,
                kind: row.kind,
            });
        }
        Ok(messages)
    }

    /// One email of the mailbox, if it exists and still makes sense.
    ///
    /// # Errors
    /// Database or template errors.
    pub(crate) async fn dev_mailbox_message(
        &self,
        id: i64,
    ) -> Result<Option<RenderedEmail>, AccountsError> {
        match self.outbox.find(id).await? {
            Some(row) => self.compose_now(&row).await,
            None => Ok(None),
        }
    }

    async fn compose_now(
        &self,
        row: &outbox::Model,
    ) -> Result<Option<RenderedEmail>, AccountsError> {
        match self
            .notifier
            .compose(row)
            .await
            .map_err(AccountsError::Composing)?
        {
            Composed::Ready(email) => Ok(Some(email)),
            Composed::Obsolete(_) => Ok(None),
        }
    }
}
