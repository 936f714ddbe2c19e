//! The accounts domain: the only public API for signing up, confirming, logging in,
//! recovering and managing an account.
//!
//! Handlers parse input into the types here ([`Email`], [`NewPassword`]), call one function
//! and match on its outcome. No SQL, token or email handling happens outside this module
//! and the ones it calls. Each flow lives in its own file as an `impl Accounts` block.

mod admin;
mod email;
mod links;
mod login;
mod notifier;
mod recovery;
mod registration;
mod settings;

use std::sync::Arc;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};

pub use admin::UserSummary;
pub use email::{Email, EmailRejection};
pub use links::LinkStatus;
pub use login::Login;
pub use notifier::{AccountLinks, LinkLifetimes, Notifier};
pub use recovery::PasswordReset;
pub use registration::{Confirmation, ConfirmationProof, NewAccount, NewAccountRejection};
pub use settings::{AccountDeletion, EmailChange, EmailChangeRequest, PasswordChange};

use crate::db::entities::users::{self, Entity as User};
use crate::metrics::Metrics;
use crate::outbox::{Enqueued, MailKind, Outbox};
use crate::passwords::{HashError, NewPassword, PasswordAttempt, PasswordHasher, Verification};
use crate::sessions;
use crate::tokens::Tokens;
use tower_sessions::session::Id as SessionId;

#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// Too many passwords are being hashed; the caller should come back shortly.
    #[error("the service is busy")]
    Busy,
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
}

impl From<HashError> for AccountsError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy => AccountsError::Busy,
            HashError::Failed(message) => AccountsError::Hashing(message),
        }
    }
}

/// Whether a password change also confirms an unconfirmed address (a reset link proves it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConfirmAddress {
    Yes,
    No,
}

/// A confirmed account, as the account page shows it.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub created_at: chrono::DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct AccountRules {
    pub password_min_length: usize,
}

#[derive(Clone)]
pub struct Accounts {
    db: DatabaseConnection,
    hasher: Arc<PasswordHasher>,
    tokens: Tokens,
    outbox: Outbox,
    rules: AccountRules,
    failed_logins: Arc<login::FailedLogins>,
    metrics: Arc<Metrics>,
}

impl Accounts {
    pub fn new(
        db: DatabaseConnection,
        hasher: Arc<PasswordHasher>,
        tokens: Tokens,
        outbox: Outbox,
        rules: AccountRules,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            db,
            hasher,
            tokens,
            outbox,
            rules,
            failed_logins: Arc::new(login::FailedLogins::new()),
            metrics,
        }
    }

    pub fn rules(&self) -> &AccountRules {
        &self.rules
    }

    /// Argon2 jobs running or waiting, for `/metrics`.
    pub fn hash_queue_depth(&self) -> usize {
        self.hasher.queue_depth()
    }

    async fn find_by_email<C: ConnectionTrait>(
        &self,
        connection: &C,
        email: &Email,
    ) -> Result<Option<users::Model>, DbErr> {
        User::find()
            .filter(users::Column::EmailNormalized.eq(email.normalized()))
            .one(connection)
            .await
    }

    /// True when `typed` is the account's password. Input too long to be a password is
    /// refused without hashing.
    async fn password_matches(
        &self,
        user: &users::Model,
        typed: &str,
    ) -> Result<bool, AccountsError> {
        let Some(attempt) = PasswordAttempt::parse(typed) else {
            return Ok(false);
        };
        Ok(matches!(
            self.hasher
                .verify(attempt.expose(), Some(&user.password_hash))
                .await?,
            Verification::Match { .. }
        ))
    }

    /// Sets a new password if the stored one is still `user.password_hash`, ends the user's
    /// sessions (all but `keep_session`) and tells the owner, in one transaction. Returns
    /// `false` when another request changed the password first.
    async fn replace_password(
        &self,
        user: &users::Model,
        password: &NewPassword,
        keep_session: Option<&SessionId>,
        confirm: ConfirmAddress,
    ) -> Result<bool, AccountsError> {
        let hash = self.hasher.hash(password.expose()).await?;
        let mut update = User::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(hash))
            .filter(users::Column::Id.eq(user.id))
            .filter(users::Column::PasswordHash.eq(user.password_hash.as_str()));
        if confirm == ConfirmAddress::Yes {
            update = update.col_expr(
                users::Column::ConfirmedAt,
                Expr::value(user.confirmed_at.unwrap_or_else(Utc::now)),
            );
        }
        let transaction = self.db.begin().await?;
        if update.exec(&transaction).await?.rows_affected == 0 {
            return Ok(false);
        }
        sessions::end_for_user(&transaction, user.id, keep_session).await?;
        let enqueued = self
            .outbox
            .enqueue(
                &transaction,
                MailKind::PasswordChanged,
                user.id,
                &user.email,
            )
            .await?;
        transaction.commit().await?;
        self.after_enqueue(enqueued, MailKind::PasswordChanged);
        Ok(true)
    }

    /// Queues one email in its own transaction and wakes the worker.
    async fn send(&self, kind: MailKind, user_id: i64, recipient: &str) -> Result<(), DbErr> {
        let transaction = self.db.begin().await?;
        let enqueued = self
            .outbox
            .enqueue(&transaction, kind, user_id, recipient)
            .await?;
        transaction.commit().await?;
        self.after_enqueue(enqueued, kind);
        Ok(())
    }

    fn after_enqueue(&self, enqueued: Enqueued, kind: MailKind) {
        match enqueued {
            Enqueued::Queued => self.outbox.wake(),
            Enqueued::CapReached => {
                tracing::info!(
                    kind = kind.as_str(),
                    "per-address email cap reached; not sent"
                );
            }
        }
    }
}
