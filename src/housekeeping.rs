//! Periodic clean-up, run beside the delivery worker: unconfirmed accounts past
//! `UNCONFIRMED_ACCOUNT_TTL`, expired sessions, the counters of limit windows that have
//! passed, ended OpenID Connect grants and audit events past `AUDIT_RETENTION`. Every statement is idempotent, so any
//! number of instances may run it.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::accounts::Accounts;
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::oidc::Oidc;
use crate::sessions;

pub(crate) struct Housekeeping {
    pub accounts: Accounts,
    pub oidc: Arc<Oidc>,
    pub metrics: Arc<Metrics>,
    pub db: DatabaseConnection,
    pub limits: Limits,
    pub unconfirmed_account_ttl: Duration,
    pub audit_retention: Duration,
    pub clock: crate::clock::Clock,
}

impl Housekeeping {
    /// Sweeps a few times per TTL, at most once a minute, at least once a second.
    fn interval(&self) -> Duration {
        (self.unconfirmed_account_ttl / 4).clamp(Duration::from_secs(1), Duration::from_secs(60))
    }

    pub(crate) async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut ticker = tokio::time::interval(self.interval());
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => self.sweep().await,
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
        }
    }

    async fn sweep(&self) {
        match self
            .accounts
            .delete_stale_unconfirmed(self.unconfirmed_account_ttl)
            .await
        {
            Ok(0) => {}
            Ok(deleted) => {
                self.metrics.unconfirmed_accounts_deleted(deleted);
                tracing::info!(deleted, "deleted unconfirmed accounts past their lifetime");
            }
            Err(error) => tracing::warn!(%error, "could not delete stale unconfirmed accounts"),
        }
        if let Err(error) = sessions::delete_expired(&self.db).await {
            tracing::warn!(%error, "could not delete expired sessions");
        }
        if let Err(error) = self.limits.delete_expired().await {
            tracing::warn!(%error, "could not delete expired limit counters");
        }
        if let Err(error) = self.oidc.delete_ended_grants().await {
            tracing::warn!(%error, "could not delete ended OpenID Connect grants");
        }
        let kept_since = self.clock.now()
            - chrono::Duration::from_std(self.audit_retention).unwrap_or(chrono::Duration::MAX);
        if let Err(error) = crate::audit::delete_older_than(&self.db, kept_since).await {
            tracing::warn!(%error, "could not delete audit events past AUDIT_RETENTION");
        }
    }
}
