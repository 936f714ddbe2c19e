//! The delivery worker: claims due outbox rows, has them composed (minting tokens at send
//! time), sends them over pooled SMTP and records the outcome.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use super::smtp::SmtpMailer;
use super::webhooks::WebhookSender;
use super::{Outbox, OutboxKind};
use crate::db::entities::outbox;
use crate::mail::RenderedEmail;
use crate::metrics::{Channel, Metrics};
use crate::telemetry::error_chain;

/// How many rows one pass claims; they are sent concurrently, emails over the SMTP pool's
/// connections.
const BATCH: u32 = 32;
/// A claimed row is someone else's for this long; a crashed worker's rows come back after.
const LEASE: Duration = Duration::from_secs(120);
/// Rows queued by other instances, and retries, are found by polling this often.
const POLL_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub(crate) enum ComposeError {
    #[error("database error while composing")]
    Database(#[from] sea_orm::DbErr),
    #[error("template error while composing")]
    Template(#[from] askama::Error),
    /// An account event's row reached the composer; the worker delivers those itself.
    #[error("an account event is not an email")]
    NotAnEmail,
}

/// What an outbox row turns into at send time.
pub(crate) enum Composed {
    Ready(RenderedEmail),
    /// Nothing to send any more (the account was confirmed or deleted meanwhile).
    Obsolete(&'static str),
}

/// Writes the email an outbox row asks for. Implemented by the accounts notifier, which
/// knows the account state that tokens fingerprint.
pub(crate) trait Composer: Send + Sync + 'static {
    /// # Errors
    /// The email could not be composed now; the row is retried.
    fn compose(
        &self,
        row: &outbox::Model,
    ) -> impl Future<Output = Result<Composed, ComposeError>> + Send;
}

pub(crate) struct DeliveryWorker<C> {
    outbox: Outbox,
    composer: Arc<C>,
    mailer: SmtpMailer,
    /// `None` when `WEBHOOK_URL` is not set.
    webhooks: Option<WebhookSender>,
    metrics: Arc<Metrics>,
}

impl<C: Composer> DeliveryWorker<C> {
    pub(crate) fn new(
        outbox: Outbox,
        composer: Arc<C>,
        mailer: SmtpMailer,
        webhooks: Option<WebhookSender>,
        metrics: Arc<Metrics>,
    ) -> Arc<Self> {
        Arc::new(Self {
            outbox,
            composer,
            mailer,
            webhooks,
            metrics,
        })
    }

    /// Delivers until `shutdown` fires. Before returning it sends one last batch, so an
    /// email queued by the last requests served leaves now rather than at the next start.
    pub(crate) async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let wake = self.outbox.wake_signal();
        loop {
            let stopping = *shutdown.borrow();
            while self.deliver_batch().await {
                if stopping {
                    return;
                }
            }
            if stopping {
                return;
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(POLL_EVERY) => self.mailer.close_stale(),
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Claims due rows and delivers them concurrently. Returns whether there were any.
    async fn deliver_batch(self: &Arc<Self>) -> bool {
        let rows = match self.outbox.claim_due(BATCH, LEASE).await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, "could not claim outbox rows");
                return false;
            }
        };
        if rows.is_empty() {
            return false;
        }
        let mut deliveries = JoinSet::new();
        for row in rows {
            let worker = self.clone();
            deliveries.spawn(async move { worker.deliver(row).await });
        }
        while deliveries.join_next().await.is_some() {}
        true
    }

    async fn deliver(&self, row: outbox::Model) {
        if row.kind == OutboxKind::Webhook {
            return self.deliver_event(row).await;
        }
        let outcome = match self.composer.compose(&row).await {
            Ok(Composed::Ready(email)) => match self.mailer.send(&email).await {
                Ok(()) => {
                    self.metrics.delivered(Channel::Email);
                    self.outbox.mark_sent(row.id).await
                }
                Err(error) => self.record_failure(&row, &error).await,
            },
            Ok(Composed::Obsolete(reason)) => self.outbox.mark_skipped(row.id, reason).await,
            Err(error) => self.record_failure(&row, &error).await,
        };
        if let Err(error) = outcome {
            // The lease lapses and the row is tried again: at worst a duplicate, never a loss.
            tracing::error!(outbox_id = row.id, %error, "could not record the delivery outcome");
        }
    }

    async fn deliver_event(&self, row: outbox::Model) {
        let outcome = match &self.webhooks {
            Some(webhooks) => match webhooks.send(&row).await {
                Ok(()) => {
                    self.metrics.delivered(Channel::Webhook);
                    self.outbox.mark_sent(row.id).await
                }
                Err(error) => self.record_failure(&row, &error).await,
            },
            // Queued while WEBHOOK_URL was set: kept, and retried once it is set again.
            None => {
                let error = std::io::Error::other("WEBHOOK_URL is not set");
                self.record_failure(&row, &error).await
            }
        };
        if let Err(error) = outcome {
            tracing::error!(outbox_id = row.id, %error, "could not record the delivery outcome");
        }
    }

    async fn record_failure(
        &self,
        row: &outbox::Model,
        error: &(dyn std::error::Error + Send + Sync + 'static),
    ) -> Result<(), sea_orm::DbErr> {
        let error = error_chain(error);
        let given_up = self.outbox.mark_failed(row, &error).await?;
        let channel = if row.kind == OutboxKind::Webhook {
            Channel::Webhook
        } else {
            Channel::Email
        };
        self.metrics.attempt_failed(channel, given_up);
        let kind = row.kind.label();
        if given_up {
            tracing::error!(
                outbox_id = row.id,
                kind,
                attempts = row.attempts + 1,
                error,
                "delivery given up after 24 hours of failures"
            );
        } else {
            tracing::warn!(
                outbox_id = row.id,
                kind,
                attempts = row.attempts + 1,
                error,
                "delivery failed; will retry"
            );
        }
        Ok(())
    }
}
