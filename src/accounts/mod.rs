//! The accounts domain: the only public API for signing up, confirming, logging in,
//! resetting a password and managing an account.
//!
//! Handlers parse input into the types here ([`Email`], [`NewPassword`]), call one function
//! and match on its outcome. No SQL, token or email handling happens outside this module
//! and the ones it calls. Each flow lives in its own file, named as the web layer names it,
//! as an `impl Accounts` block:
//!
//! | flow | file |
//! | --- | --- |
//! | sign-up | `signup`, and who may (`signup_rules`) |
//! | confirmation (link, code, "Continue", resend) | `confirmation` |
//! | login and the failed-login throttle | `login` |
//! | signing in with an emailed code or link | `email_sign_in` |
//! | password reset | `password_reset` |
//! | address change | `email_change` |
//! | password change, deletion, the logged-in account | `settings` |
//! | what operators and housekeeping do | `operator` |
//! | accounts arriving from another system, and leaving | `import` |
//! | invitations: the email, its page, the account it creates | `invitation` |
//! | the operators' console: finding, showing and acting on accounts | `console` |
//!
//! `links` opens the links of the three flows that send one; `notifier` writes every
//! email the outbox asks for.

mod confirmation;
mod console;
mod dev_mailbox;
mod email;
mod email_change;
mod email_sign_in;
mod import;
mod invitation;
mod links;
mod login;
mod notifier;
mod operator;
mod password_reset;
mod recent;
mod settings;
mod signup;
mod signup_hook;
mod signup_rules;

use std::sync::Arc;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter,
};

pub(crate) use confirmation::{
    CodeConfirmation, CodeProof, Confirmation, ConfirmationFields, ConfirmationProof, Continuation,
    SignupBinding,
};
pub(crate) use console::{
    AdminOutcome, DailyFigures, DayFigures, Search, UserDetails, UserQuery, UserStatus, UserSummary,
};
pub use email::Email;
pub(crate) use email::EmailRejection;
pub(crate) use email_change::{EmailChange, EmailChangeRequest};
pub(crate) use email_sign_in::EmailSignIn;
pub(crate) use import::{ImportedAccount, LineProblem};
pub(crate) use invitation::{InvitationAcceptance, InvitationView};
pub(crate) use links::LinkProblem;
pub(crate) use login::{
    AttemptOrigin, CurrentPassword, KnownDevice, Login, SessionGrant, SignedInAt,
};
pub(crate) use notifier::{AccountLinks, LinkLifetimes, Notifier};
pub(crate) use password_reset::PasswordReset;
pub(crate) use settings::{AccountDeletion, PasswordChange, TokenHolder};
pub(crate) use signup::{NewAccount, NewAccountRejection, Registration};
pub(crate) use signup_hook::SignupHook;
pub(crate) use signup_rules::{AddressRules, SignupMode};

use crate::audit::{self, Action, Concerned};
use crate::clock::Clock;
use crate::db::entities::users::{self, Entity as User};
use crate::events::{AccountData, AccountEvent};
use crate::limits::Limits;
use crate::metrics::{Gauges, Metrics};
use crate::outbox::{Enqueued, NewEmail, Outbox, OutboxKind};
use crate::passwords::{HashError, NewPassword, PasswordHasher};
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
    #[error("database error")]
    Database(#[from] DbErr),
    #[error("composing an email failed")]
    Composing(#[source] crate::outbox::worker::ComposeError),
    /// A link of this purpose cannot be used; see [`LinkProblem`].
    #[error("the {0:?} link cannot be used: {1:?}")]
    Link(Purpose, LinkProblem),
    /// `SIGNUP_HOOK_URL` did not answer in time, or answered neither yes nor no.
    #[error("the sign-up hook could not decide")]
    HookUnavailable,
    /// `SIGNUP=closed`: no invitations either.
    #[error("sign-up is closed: no invitations are sent or accepted")]
    SignupClosed,
}

impl From<HashError> for AccountsError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy => AccountsError::Busy,
            HashError::Failed(message) => AccountsError::Hashing(message),
        }
    }
}

/// How a user is looked up.
#[derive(Debug, Clone, Copy)]
enum UserKey<'a> {
    Id(i64),
    Email(&'a Email),
}

/// How a browser proved it may log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginMethod {
    Password,
    /// Confirming the address logs the browser that did it in.
    Confirmation,
    EmailCode,
    EmailLink,
    /// Accepting an invitation logs the browser that did it in.
    Invitation,
}

impl LoginMethod {
    fn name(self) -> &'static str {
        match self {
            LoginMethod::Password => "password",
            LoginMethod::Confirmation => "confirmation",
            LoginMethod::EmailCode => "email_code",
            LoginMethod::EmailLink => "email_link",
            LoginMethod::Invitation => "invitation",
        }
    }
}

/// Whether a password change also confirms an unconfirmed address (a reset link proves it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConfirmAddress {
    Yes,
    No,
}

/// A confirmed account, as a logged-in session sees it.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) id: i64,
    pub(crate) email: Email,
    pub(crate) created_at: chrono::DateTime<chrono::Utc>,
    pub(crate) confirmed_at: chrono::DateTime<chrono::Utc>,
    /// False for an account that signs in only by email (SPEC §14).
    pub(crate) has_password: bool,
    /// Holds the admin role (SPEC §15).
    pub(crate) is_admin: bool,
}

impl Account {
    /// The one rule of "logged in", for pages, the header, forward auth, the session API
    /// and the OpenID Connect provider alike: `user` is the account `grant` names, its
    /// address is confirmed, it is not disabled, and the grant was made with its current
    /// credentials (a password change since ends it).
    pub(crate) fn logged_in(user: users::Model, grant: &SessionGrant) -> Option<Self> {
        let holds = user.id == grant.user_id
            && user.credential_version == grant.credential_version
            && user.disabled_at.is_none();
        if !holds {
            return None;
        }
        Some(Self {
            id: user.id,
            has_password: login::stored_password(&user).is_some(),
            is_admin: user.is_admin,
            confirmed_at: user.confirmed_at?,
            email: Email::from_stored(user.email),
            created_at: user.created_at,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct AccountRules {
    pub(crate) password_min_length: usize,
    pub(crate) signup: SignupMode,
    pub(crate) addresses: AddressRules,
}

#[derive(Clone)]
pub(crate) struct Accounts {
    db: DatabaseConnection,
    clock: Clock,
    hasher: Arc<PasswordHasher>,
    tokens: Tokens,
    outbox: Outbox,
    notifier: Arc<Notifier>,
    rules: AccountRules,
    limits: Limits,
    metrics: Arc<Metrics>,
    /// `SIGNUP_HOOK_URL`, asked before each sign-up.
    signup_hook: Option<Arc<SignupHook>>,
    /// Accounts read a moment ago, for the pages links open.
    recent: Arc<recent::RecentAccounts>,
}

/// What [`Accounts`] is built from.
pub(crate) struct AccountServices {
    pub(crate) db: DatabaseConnection,
    pub(crate) clock: Clock,
    pub(crate) hasher: Arc<PasswordHasher>,
    pub(crate) tokens: Tokens,
    pub(crate) outbox: Outbox,
    pub(crate) notifier: Arc<Notifier>,
    pub(crate) rules: AccountRules,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) signup_hook: Option<Arc<SignupHook>>,
}

impl Accounts {
    pub(crate) fn new(services: AccountServices) -> Self {
        Self {
            limits: Limits::new(services.db.clone(), services.clock.clone()),
            db: services.db,
            clock: services.clock,
            hasher: services.hasher,
            tokens: services.tokens,
            outbox: services.outbox,
            notifier: services.notifier,
            rules: services.rules,
            metrics: services.metrics,
            signup_hook: services.signup_hook,
            recent: Arc::default(),
        }
    }

    pub(crate) fn rules(&self) -> &AccountRules {
        &self.rules
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

    /// Records `event` in the audit log and queues it for the application, inside the
    /// change's transaction.
    async fn tell<C: ConnectionTrait>(
        &self,
        connection: &C,
        event: AccountEvent,
    ) -> Result<(), DbErr> {
        let (action, details) = match &event {
            AccountEvent::Registered(_) => (Action::Registered, None),
            AccountEvent::Confirmed(_) => (Action::Confirmed, None),
            AccountEvent::EmailChanged { previous_email, .. } => (
                Action::EmailChanged,
                Some(serde_json::json!({ "previous_email": previous_email })),
            ),
            AccountEvent::PasswordChanged(_) => (Action::PasswordChanged, None),
            AccountEvent::Deleted(_) => (Action::Deleted, None),
        };
        let account = event.account();
        let concerned = Concerned {
            user_id: account.user_id,
            email: &account.email,
        };
        audit::record(
            connection,
            self.clock.now(),
            action,
            Some(concerned),
            details,
        )
        .await?;
        self.outbox.enqueue_event(connection, &event).await
    }

    /// Records that `grant`'s account logged in by `method`: when (the console's "last
    /// login") and the audit event, together.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn record_login(
        &self,
        grant: &SessionGrant,
        method: LoginMethod,
    ) -> Result<(), AccountsError> {
        let now = self.clock.now();
        let transaction = crate::db::begin_write(&self.db).await?;
        let Some(user) = self
            .find_user(&transaction, UserKey::Id(grant.user_id))
            .await?
        else {
            return Ok(());
        };
        User::update_many()
            .col_expr(users::Column::LastLoginAt, Expr::value(now))
            .filter(users::Column::Id.eq(user.id))
            .exec(&transaction)
            .await?;
        audit::record(
            &transaction,
            now,
            Action::LoggedIn,
            Some(Concerned::from(&user)),
            Some(serde_json::json!({ "method": method.name() })),
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Tells the application that `user` is confirmed, inside the `transaction` that
    /// confirmed it, and commits.
    async fn commit_confirmation(
        &self,
        transaction: DatabaseTransaction,
        user: &users::Model,
    ) -> Result<(), DbErr> {
        self.tell(&transaction, AccountEvent::Confirmed(AccountData::of(user)))
            .await?;
        transaction.commit().await?;
        self.recent.forget(user.id);
        self.outbox.wake();
        self.metrics.confirmation();
        Ok(())
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
        let now = self.clock.now();
        let mut update = User::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(hash))
            .col_expr(
                users::Column::CredentialVersion,
                Expr::col(users::Column::CredentialVersion).add(1),
            )
            .filter(users::Column::Id.eq(user.id))
            .filter(users::Column::PasswordHash.eq(user.password_hash.as_str()));
        let confirms = confirm == ConfirmAddress::Yes && user.confirmed_at.is_none();
        if confirms {
            update = update.col_expr(users::Column::ConfirmedAt, Expr::value(now));
        }
        let transaction = crate::db::begin_write(&self.db).await?;
        if update.exec(&transaction).await?.rows_affected == 0 {
            return Ok(None);
        }
        sessions::end_for_user(&transaction, user.id, keep_session).await?;
        let enqueued = self
            .outbox
            .enqueue_email(
                &transaction,
                &NewEmail::to(OutboxKind::PasswordChanged, &user.email).of_user(user.id),
            )
            .await?;
        if confirms {
            self.tell(&transaction, AccountEvent::Confirmed(AccountData::of(user)))
                .await?;
        }
        self.tell(
            &transaction,
            AccountEvent::PasswordChanged(AccountData::of(user)),
        )
        .await?;
        transaction.commit().await?;
        self.recent.forget(user.id);
        self.after_enqueue(enqueued, OutboxKind::PasswordChanged);
        if confirms {
            self.metrics.confirmation();
        }
        Ok(Some(SessionGrant {
            user_id: user.id,
            credential_version: user.credential_version + 1,
        }))
    }

    /// Queues emails that no other change causes (a resend, a reset link, the two emails of
    /// an address change) in one transaction: all of them or none. A `None` user is looked
    /// up by the recipient when the email is composed.
    /// Returns what became of each, in order.
    async fn queue(&self, emails: &[NewEmail<'_>]) -> Result<Vec<Enqueued>, DbErr> {
        let transaction = crate::db::begin_write(&self.db).await?;
        let mut outcomes = Vec::with_capacity(emails.len());
        for email in emails {
            outcomes.push(self.outbox.enqueue_email(&transaction, email).await?);
        }
        transaction.commit().await?;
        for (enqueued, email) in outcomes.iter().zip(emails) {
            self.after_enqueue(*enqueued, email.kind);
        }
        Ok(outcomes)
    }

    fn after_enqueue(&self, enqueued: Enqueued, kind: OutboxKind) {
        match enqueued {
            Enqueued::Queued(_) => self.outbox.wake(),
            Enqueued::CapReached => {
                tracing::info!(
                    kind = kind.label(),
                    "per-address email cap reached; not sent"
                );
            }
        }
    }
}
