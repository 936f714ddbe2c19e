//! The accounts domain: the only public API for signing up, confirming and logging in.
//!
//! Handlers parse input into the types here ([`Email`], [`NewPassword`],
//! [`PasswordAttempt`]), call one function and match on its outcome. No SQL, token or email
//! handling happens outside this module and the ones it calls.

mod email;
mod notifier;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait, TransactionTrait, TryInsertResult,
};

pub use email::{Email, EmailRejection};
pub use notifier::{AccountLinks, Notifier};

use crate::db::entities::outbox::{self, Entity as OutboxRow};
use crate::db::entities::users::{self, Entity as User};
use crate::outbox::{Enqueued, MailKind, Outbox};
use crate::passwords::{
    HashError, NewPassword, PasswordAttempt, PasswordHasher, PasswordRejection, Verification,
};
use crate::sessions;
use crate::throttle::RateLimiter;
use crate::tokens::{Purpose, TokenError, Tokens};

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

/// A sign-up request that passed every input rule.
#[derive(Debug)]
pub struct NewAccount {
    pub email: Email,
    pub password: NewPassword,
}

/// The account behind a session.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub created_at: chrono::DateTime<Utc>,
}

/// What a confirmation link leads to, found without changing anything (GET is safe).
#[derive(Debug, PartialEq, Eq)]
pub enum ConfirmationLink {
    /// The link is good: ask for the password of `email`.
    Pending {
        email: String,
    },
    AlreadyConfirmed,
    /// Genuine but too old: offer a resend to `email`.
    Expired {
        email: String,
    },
    /// Malformed, tampered, another purpose, an unknown key, or the account is gone.
    Invalid,
}

/// How the person at a confirmation link proves they own the account.
#[derive(Debug)]
pub enum ConfirmationProof {
    /// The password chosen at sign-up, as typed.
    Password(String),
    /// A new password, for someone who did not sign up themselves or forgot the password:
    /// holding the emailed link is the proof, and the new password replaces the old one.
    NewPassword(String),
}

#[derive(Debug)]
pub enum Confirmation {
    Confirmed {
        user_id: i64,
    },
    WrongPassword {
        email: String,
    },
    NewPasswordRejected {
        email: String,
        reason: PasswordRejection,
    },
    Link(ConfirmationLink),
}

#[derive(Debug)]
pub enum Login {
    LoggedIn {
        user_id: i64,
    },
    /// Too many failed attempts from this client or for this address; checked before the
    /// password, and the same for unknown addresses.
    Throttled {
        retry_after: Duration,
    },
    /// Unknown address or wrong password: deliberately indistinguishable.
    InvalidCredentials,
    /// The right password for an account whose address is not confirmed yet.
    Unconfirmed {
        email: String,
    },
}

#[derive(Debug, Clone)]
pub struct AccountRules {
    pub password_min_length: usize,
    pub confirm_token_ttl: Duration,
}

#[derive(Clone)]
pub struct Accounts {
    db: DatabaseConnection,
    hasher: Arc<PasswordHasher>,
    tokens: Tokens,
    outbox: Outbox,
    rules: AccountRules,
    failed_logins: Arc<FailedLogins>,
}

/// Failed-login throttling in the spirit of django-allauth: about 10 failures a minute per
/// client IP and 5 per 5 minutes per address. In memory, so per instance.
struct FailedLogins {
    by_client: RateLimiter,
    by_address: RateLimiter,
}

impl FailedLogins {
    fn new() -> Self {
        Self {
            by_client: RateLimiter::new(10, Duration::from_secs(60)),
            by_address: RateLimiter::new(5, Duration::from_secs(300)),
        }
    }

    fn check(&self, client: &str, address: &str) -> Result<(), Duration> {
        self.by_client.check(client)?;
        self.by_address.check(address)
    }

    fn record(&self, client: &str, address: &str) {
        let _ = self.by_client.hit(client);
        let _ = self.by_address.hit(address);
    }
}

impl Accounts {
    pub fn new(
        db: DatabaseConnection,
        hasher: Arc<PasswordHasher>,
        tokens: Tokens,
        outbox: Outbox,
        rules: AccountRules,
    ) -> Self {
        Self {
            db,
            hasher,
            tokens,
            outbox,
            rules,
            failed_logins: Arc::new(FailedLogins::new()),
        }
    }

    pub fn rules(&self) -> &AccountRules {
        &self.rules
    }

    /// Creates an inactive account and queues its confirmation email, in one transaction.
    ///
    /// An address that is already registered gets the same outcome, so the answer reveals
    /// nothing: its confirmed owner is told someone tried to sign up, an unconfirmed one
    /// gets a fresh confirmation email, and the stored password is never changed. The
    /// unique index decides which case applies, so concurrent sign-ups of one address make
    /// exactly one row.
    ///
    /// # Errors
    /// [`AccountsError::Busy`] when the hasher's queue is full; database errors.
    pub async fn register(&self, account: NewAccount) -> Result<(), AccountsError> {
        // Hash first, even for a known address: the time taken must not tell them apart.
        let password_hash = self.hasher.hash(account.password.expose()).await?;
        let email_normalized = account.email.normalized();

        let transaction = self.db.begin().await?;
        let inserted = User::insert(users::ActiveModel {
            email: Set(account.email.as_str().to_owned()),
            email_normalized: Set(email_normalized.clone()),
            password_hash: Set(password_hash),
            created_at: Set(Utc::now()),
            confirmed_at: Set(None),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([users::Column::EmailNormalized])
        .exec(&transaction)
        .await?;

        let (user_id, recipient, kind) = match inserted {
            TryInsertResult::Inserted(result) => (
                result.last_insert_id,
                account.email.as_str().to_owned(),
                MailKind::Confirmation,
            ),
            TryInsertResult::Conflicted | TryInsertResult::Empty => {
                let Some(existing) = User::find()
                    .filter(users::Column::EmailNormalized.eq(&email_normalized))
                    .one(&transaction)
                    .await?
                else {
                    // Deleted between the conflict and this read: nothing to tell anyone.
                    return Ok(());
                };
                let kind = if existing.confirmed_at.is_some() {
                    MailKind::AlreadyRegistered
                } else {
                    MailKind::Confirmation
                };
                (existing.id, existing.email, kind)
            }
        };
        let enqueued = self
            .outbox
            .enqueue(&transaction, kind, user_id, &recipient)
            .await?;
        transaction.commit().await?;
        self.after_enqueue(enqueued, kind);
        Ok(())
    }

    /// Sends a fresh confirmation email if `email` belongs to an unconfirmed account; does
    /// nothing otherwise, and says the same either way.
    ///
    /// # Errors
    /// Database errors.
    pub async fn resend_confirmation(&self, email: &Email) -> Result<(), AccountsError> {
        let Some(user) = self.find_by_email(email).await? else {
            return Ok(());
        };
        if user.confirmed_at.is_some() {
            return Ok(());
        }
        let transaction = self.db.begin().await?;
        let enqueued = self
            .outbox
            .enqueue(&transaction, MailKind::Confirmation, user.id, &user.email)
            .await?;
        transaction.commit().await?;
        self.after_enqueue(enqueued, MailKind::Confirmation);
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

    /// Reads what a confirmation link is for. Changes nothing: mail scanners fetch links.
    ///
    /// # Errors
    /// Database errors.
    pub async fn inspect_confirmation(
        &self,
        token: &str,
    ) -> Result<ConfirmationLink, AccountsError> {
        Ok(match self.pending_confirmation(token).await? {
            Ok(user) => ConfirmationLink::Pending { email: user.email },
            Err(link) => link,
        })
    }

    /// Activates the account behind `token` once the person proves they own it, and ends
    /// every session the account had. The caller logs the browser in with a new session id.
    ///
    /// # Errors
    /// [`AccountsError::Busy`] when the hasher's queue is full; database errors.
    pub async fn confirm(
        &self,
        token: &str,
        proof: ConfirmationProof,
    ) -> Result<Confirmation, AccountsError> {
        let user = match self.pending_confirmation(token).await? {
            Ok(pending) => pending,
            Err(link) => return Ok(Confirmation::Link(link)),
        };
        let new_hash = match proof {
            ConfirmationProof::Password(typed) => {
                let Some(attempt) = PasswordAttempt::parse(&typed) else {
                    return Ok(Confirmation::WrongPassword { email: user.email });
                };
                match self
                    .hasher
                    .verify(attempt.expose(), Some(&user.password_hash))
                    .await?
                {
                    Verification::Match { .. } => None,
                    Verification::Mismatch => {
                        return Ok(Confirmation::WrongPassword { email: user.email });
                    }
                }
            }
            ConfirmationProof::NewPassword(raw) => {
                match NewPassword::parse(&raw, &user.email, self.rules.password_min_length) {
                    Ok(password) => Some(self.hasher.hash(password.expose()).await?),
                    Err(reason) => {
                        return Ok(Confirmation::NewPasswordRejected {
                            email: user.email,
                            reason,
                        });
                    }
                }
            }
        };

        // Compare-and-set: only the request that still sees the account unconfirmed and
        // its password unchanged activates it; a concurrent second post finds it done.
        let mut update = User::update_many()
            .col_expr(users::Column::ConfirmedAt, Expr::value(Utc::now()))
            .filter(users::Column::Id.eq(user.id))
            .filter(users::Column::ConfirmedAt.is_null())
            .filter(users::Column::PasswordHash.eq(user.password_hash.as_str()));
        if let Some(hash) = new_hash {
            update = update.col_expr(users::Column::PasswordHash, Expr::value(hash));
        }
        if update.exec(&self.db).await?.rows_affected == 0 {
            return Ok(Confirmation::Link(ConfirmationLink::AlreadyConfirmed));
        }
        sessions::end_all_for_user(&self.db, user.id).await?;
        Ok(Confirmation::Confirmed { user_id: user.id })
    }

    /// The unconfirmed account a confirmation token is for, or what the link is instead.
    async fn pending_confirmation(
        &self,
        token: &str,
    ) -> Result<Result<users::Model, ConfirmationLink>, AccountsError> {
        let (verified, expired) = match self.tokens.verify(token, Purpose::Confirm) {
            Ok(verified) => (verified, false),
            Err(TokenError::Expired(verified)) => (verified, true),
            Err(TokenError::Invalid) => return Ok(Err(ConfirmationLink::Invalid)),
        };
        let Some(user) = User::find_by_id(verified.user_id).one(&self.db).await? else {
            return Ok(Err(ConfirmationLink::Invalid));
        };
        // Someone who already confirmed and clicks an old link wants to hear just that.
        if user.confirmed_at.is_some() {
            return Ok(Err(ConfirmationLink::AlreadyConfirmed));
        }
        if expired {
            return Ok(Err(ConfirmationLink::Expired { email: user.email }));
        }
        if !self
            .tokens
            .state_matches(&verified, Purpose::Confirm, &confirmation_state(&user))
        {
            return Ok(Err(ConfirmationLink::Invalid));
        }
        Ok(Ok(user))
    }

    /// Checks an email and password from `client`. An unknown address costs the same
    /// hashing time as a wrong password, and both answer [`Login::InvalidCredentials`].
    /// A password too long to be one (over 128 characters) is refused without hashing.
    ///
    /// # Errors
    /// [`AccountsError::Busy`] when the hasher's queue is full; database errors.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<Login, AccountsError> {
        let client = client.to_string();
        let address = email.trim().to_lowercase();
        if let Err(retry_after) = self.failed_logins.check(&client, &address) {
            return Ok(Login::Throttled { retry_after });
        }
        let outcome = self.check_credentials(email, password).await?;
        if matches!(outcome, Login::InvalidCredentials) {
            self.failed_logins.record(&client, &address);
        }
        Ok(outcome)
    }

    async fn check_credentials(&self, email: &str, password: &str) -> Result<Login, AccountsError> {
        let Some(password) = PasswordAttempt::parse(password) else {
            return Ok(Login::InvalidCredentials);
        };
        let user = match Email::parse(email) {
            Ok(email) => self.find_by_email(&email).await?,
            Err(_) => None,
        };
        let verification = self
            .hasher
            .verify(
                password.expose(),
                user.as_ref().map(|u| u.password_hash.as_str()),
            )
            .await?;
        let (Some(user), Verification::Match { needs_rehash }) = (user, verification) else {
            return Ok(Login::InvalidCredentials);
        };
        if user.confirmed_at.is_none() {
            return Ok(Login::Unconfirmed { email: user.email });
        }
        if needs_rehash {
            self.upgrade_hash(&user, &password).await;
        }
        Ok(Login::LoggedIn { user_id: user.id })
    }

    /// Re-hashes with today's parameters; a failure only postpones the upgrade.
    async fn upgrade_hash(&self, user: &users::Model, password: &PasswordAttempt) {
        let Ok(hash) = self.hasher.hash(password.expose()).await else {
            return;
        };
        let result = User::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(hash))
            .filter(users::Column::Id.eq(user.id))
            .filter(users::Column::PasswordHash.eq(user.password_hash.as_str()))
            .exec(&self.db)
            .await;
        if let Err(error) = result {
            tracing::warn!(user_id = user.id, %error, "could not upgrade a password hash");
        }
    }

    /// # Errors
    /// Database errors.
    pub async fn find_account(&self, user_id: i64) -> Result<Option<Account>, AccountsError> {
        Ok(User::find_by_id(user_id)
            .filter(users::Column::ConfirmedAt.is_not_null())
            .one(&self.db)
            .await?
            .map(|user| Account {
                id: user.id,
                email: user.email,
                created_at: user.created_at,
            }))
    }

    /// Deletes accounts never confirmed within `older_than`, with their unsent emails, so
    /// their addresses can sign up again. Sent emails stay: they still count towards the
    /// per-address cap.
    ///
    /// # Errors
    /// Database errors.
    pub async fn delete_stale_unconfirmed(
        &self,
        older_than: Duration,
    ) -> Result<u64, AccountsError> {
        let cutoff = Utc::now() - chrono::Duration::from_std(older_than).unwrap_or_default();
        let stale = || {
            User::find()
                .select_only()
                .column(users::Column::Id)
                .filter(users::Column::ConfirmedAt.is_null())
                .filter(users::Column::CreatedAt.lt(cutoff))
                .into_query()
        };
        let transaction = self.db.begin().await?;
        OutboxRow::delete_many()
            .filter(outbox::Column::UserId.in_subquery(stale()))
            .filter(outbox::Column::SentAt.is_null())
            .exec(&transaction)
            .await?;
        let deleted = User::delete_many()
            .filter(users::Column::Id.in_subquery(stale()))
            .exec(&transaction)
            .await?
            .rows_affected;
        transaction.commit().await?;
        Ok(deleted)
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<users::Model>, DbErr> {
        User::find()
            .filter(users::Column::EmailNormalized.eq(email.normalized()))
            .one(&self.db)
            .await
    }
}

/// What a confirmation changes, and so what its token fingerprints: the address it was
/// sent to and the (empty) confirmation time.
pub(crate) fn confirmation_state(user: &users::Model) -> [&str; 2] {
    [
        user.email.as_str(),
        if user.confirmed_at.is_some() {
            "confirmed"
        } else {
            ""
        },
    ]
}
