//! The accounts domain: the only public API for signing up, confirming, logging in,
//! recovering and managing an account.
//!
//! Handlers parse input into the types here ([`Email`], [`NewPassword`]), call one function
//! and match on its outcome. No SQL, token or email handling happens outside this module
//! and the ones it calls. Each flow lives in its own file as an `impl Accounts` block.

mod admin;
mod confirm_code;
mod dev_mailbox;
mod email;
mod email_change;
mod links;
mod login;
mod notifier;
mod recovery;
mod registration;
mod settings;

use std::sync::Arc;

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};

pub(crate) use admin::UserSummary;
pub(crate) use confirm_code::{CodeConfirmation, CodeProof, Continuation};
pub use email::Email;
pub(crate) use email::EmailRejection;
pub(crate) use email_change::{EmailChange, EmailChangeRequest};
pub(crate) use links::LinkProblem;
pub(crate) use login::{
    AttemptOrigin, CurrentPassword, KnownDevice, LONGEST_LOGIN_WINDOW, Login, SessionGrant,
};
pub(crate) use notifier::{AccountLinks, LinkLifetimes, Notifier};
pub(crate) use recovery::PasswordReset;
pub(crate) use registration::{
    Confirmation, ConfirmationFields, ConfirmationProof, NewAccount, NewAccountRejection,
    Registration,
};
pub(crate) use settings::{AccountDeletion, PasswordChange};

use crate::db::entities::users::{self, Entity as User};
use crate::limits::Limits;
use crate::metrics::{Gauges, Metrics};
use crate::outbox::webhooks::AccountEvent;
use crate::outbox::{Enqueued, MailKind, Outbox};
use crate::passwords::{HashError, NewPassword, PasswordAttempt, PasswordHasher, Verification};
use crate::sessions;
use crate::tokens::{Purpose, Tokens};
use tower_sessions::session::Id as SessionId;

#[derive(Debug, thiserror::Error)]
pub(crate) enum AccountsError {
    /// Too many passwords are being hashed; the caller should come back shortly.
    #[error("the service is busy")]
    Busy,
    /// Too many failed password attempts from this client or for this account.
    #[error("too many attempts; retry after {retry_after:?}")]
    Throttled { retry_after: std::time::Duration },
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    #[error("composing an email failed: {0}")]
    Composing(String),
    /// A link of this purpose cannot be used; see [`LinkProblem`].
    #[error("the {0:?} link cannot be used: {1:?}")]
    Link(Purpose, LinkProblem),
}

impl From<HashError> for AccountsError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy => AccountsError::Busy,
            HashError::Failed(message) => AccountsError::Hashing(message),
        }
    }
}

/// An email someone can ask for by typing an address, without being logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressRequest {
    /// A fresh confirmation link, sent if the address has an unconfirmed account.
    Confirmation,
    /// A reset link, sent if the address has an account.
    PasswordReset,
}

/// What every account event says: whose account, at which address.
/// What every account event says of the account. `locale` is the language it signed up
/// in, so the application can write to the person in it too; accounts from before
/// languages were recorded have none.
fn event_data(user_id: i64, email: &str, locale: Option<&str>) -> serde_json::Value {
    let mut data = serde_json::json!({ "user_id": user_id, "email": email });
    if let Some(locale) = locale {
        data["locale"] = locale.into();
    }
    data
}

impl Accounts {
    /// Queues `event` about the account `user_id` at `email` for the application, inside
    /// the change's transaction.
    async fn tell<C: ConnectionTrait>(
        &self,
        connection: &C,
        event: AccountEvent,
        user_id: i64,
        email: &str,
        locale: Option<&str>,
    ) -> Result<(), DbErr> {
        self.outbox
            .enqueue_event(
                connection,
                event,
                user_id,
                event_data(user_id, email, locale),
            )
            .await
    }
}

/// An email for [`Accounts::queue`]: its kind, its account if known, the recipient and
/// the checked `return_to` its link carries.
type QueuedEmail<'a> = (MailKind, Option<i64>, &'a str, Option<&'a str>);

/// How a user is looked up.
#[derive(Debug, Clone, Copy)]
enum UserKey<'a> {
    Id(i64),
    Email(&'a Email),
}

/// Whether a password change also confirms an unconfirmed address (a reset link proves it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConfirmAddress {
    Yes,
    No,
}

/// A confirmed account, as the account page shows it.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) id: i64,
    pub(crate) email: Email,
    pub(crate) created_at: chrono::DateTime<Utc>,
    pub(crate) confirmed_at: chrono::DateTime<Utc>,
    /// Sessions made before the last password change hold an older version.
    pub(crate) credential_version: i32,
}

#[derive(Debug, Clone)]
pub(crate) struct AccountRules {
    pub(crate) password_min_length: usize,
}

#[derive(Clone)]
pub(crate) struct Accounts {
    db: DatabaseConnection,
    hasher: Arc<PasswordHasher>,
    tokens: Tokens,
    outbox: Outbox,
    notifier: Arc<Notifier>,
    rules: AccountRules,
    limits: Limits,
    metrics: Arc<Metrics>,
}

impl Accounts {
    pub(crate) fn new(
        db: DatabaseConnection,
        hasher: Arc<PasswordHasher>,
        tokens: Tokens,
        outbox: Outbox,
        notifier: Arc<Notifier>,
        rules: AccountRules,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            limits: Limits::new(db.clone()),
            db,
            hasher,
            tokens,
            outbox,
            notifier,
            rules,
            metrics,
        }
    }

    pub(crate) fn rules(&self) -> &AccountRules {
        &self.rules
    }

    /// Asks for `request` to be emailed to `email`. The request is queued as it is and the
    /// worker looks the account up when it composes, so a known and an unknown address
    /// cost the same here and get the same answer. `None` (what was typed is not an
    /// address) does nothing.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn request_by_address(
        &self,
        request: AddressRequest,
        email: Option<&Email>,
        return_to: Option<&str>,
    ) -> Result<(), AccountsError> {
        let (kind, return_to) = match request {
            AddressRequest::Confirmation => (MailKind::Confirmation, return_to),
            // A reset ends at the login page, which takes its own `return_to`.
            AddressRequest::PasswordReset => (MailKind::PasswordReset, None),
        };
        if let Some(email) = email {
            self.queue(&[(kind, None, email.as_str(), return_to)])
                .await?;
        }
        Ok(())
    }

    /// True while the database answers, for `/readyz`.
    pub(crate) async fn database_ready(&self) -> bool {
        self.db.ping().await.is_ok()
    }

    /// The values `/metrics` reads at scrape time.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn gauges(&self) -> Result<Gauges, AccountsError> {
        let (outbox_depth, oldest) = self.outbox.depth().await?;
        Ok(Gauges {
            outbox_depth,
            outbox_oldest_seconds: oldest.map_or(0.0, |age| age.as_secs_f64()),
            hash_queue_depth: self.hasher.queue_depth(),
        })
    }

    /// The one way the domain looks a user up, inside a transaction or not.
    async fn find_user<C: ConnectionTrait>(
        &self,
        connection: &C,
        key: UserKey<'_>,
    ) -> Result<Option<users::Model>, DbErr> {
        let query = match key {
            UserKey::Id(user_id) => User::find_by_id(user_id),
            UserKey::Email(email) => {
                User::find().filter(users::Column::EmailNormalized.eq(email.normalized()))
            }
        };
        query.one(connection).await
    }

    /// A user that must exist, such as the one behind a logged-in session.
    async fn existing_user(&self, user_id: i64) -> Result<users::Model, DbErr> {
        self.find_user(&self.db, UserKey::Id(user_id))
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("user {user_id}")))
    }

    /// True when `attempt` is the account's password. An attempt that cannot be a password
    /// is refused without hashing.
    async fn password_matches(
        &self,
        user: &users::Model,
        attempt: &PasswordAttempt,
    ) -> Result<bool, AccountsError> {
        let Some(typed) = attempt.plausible() else {
            return Ok(false);
        };
        Ok(matches!(
            self.hasher.verify(typed, Some(&user.password_hash)).await?,
            Verification::Match { .. }
        ))
    }

    /// Sets a new password if the stored one is still `user.password_hash`, bumps the
    /// credential version, ends the user's sessions (all but `keep_session`) and tells the
    /// owner, in one transaction. Returns what the kept session now holds, or `None` when
    /// another request changed the password first.
    async fn replace_password(
        &self,
        user: &users::Model,
        password: &NewPassword,
        keep_session: Option<&SessionId>,
        confirm: ConfirmAddress,
    ) -> Result<Option<SessionGrant>, AccountsError> {
        let hash = self.hasher.hash(password.expose()).await?;
        let mut update = User::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(hash))
            .col_expr(
                users::Column::CredentialVersion,
                Expr::col(users::Column::CredentialVersion).add(1),
            )
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
            return Ok(None);
        }
        sessions::end_for_user(&transaction, user.id, keep_session).await?;
        let enqueued = self
            .outbox
            .enqueue(
                &transaction,
                MailKind::PasswordChanged,
                Some(user.id),
                &user.email,
                None,
            )
            .await?;
        self.tell(
            &transaction,
            AccountEvent::PasswordChanged,
            user.id,
            &user.email,
            user.locale.as_deref(),
        )
        .await?;
        transaction.commit().await?;
        self.after_enqueue(enqueued, MailKind::PasswordChanged);
        Ok(Some(SessionGrant {
            user_id: user.id,
            credential_version: user.credential_version + 1,
        }))
    }

    /// Queues emails that no other change causes (a resend, a reset link, the two emails of
    /// an address change) in one transaction: all of them or none. A `None` user is looked
    /// up by the recipient when the email is composed.
    async fn queue(&self, emails: &[QueuedEmail<'_>]) -> Result<(), DbErr> {
        let transaction = self.db.begin().await?;
        let mut outcomes = Vec::with_capacity(emails.len());
        for &(kind, user_id, recipient, return_to) in emails {
            let enqueued = self
                .outbox
                .enqueue(&transaction, kind, user_id, recipient, return_to)
                .await?;
            outcomes.push((enqueued, kind));
        }
        transaction.commit().await?;
        for (enqueued, kind) in outcomes {
            self.after_enqueue(enqueued, kind);
        }
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
