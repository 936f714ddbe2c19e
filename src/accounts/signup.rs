//! Sign-up: an inactive account and its confirmation email, in one transaction.

use sea_orm::{ActiveValue::Set, EntityTrait, TryInsertResult};

use super::signup_hook::HookVerdict;
use super::{AccountRules, Accounts, AccountsError, Email, EmailRejection, SessionGrant, UserKey};
use crate::db::entities::users::{self, Entity as User};
use crate::events::{AccountData, AccountEvent};
use crate::i18n::Language;
use crate::outbox::{NewEmail, OutboxKind};
use crate::passwords::{NewPassword, PasswordRejection};

/// A sign-up request that passed every input rule.
#[derive(Debug)]
pub(crate) struct NewAccount {
    pub(crate) email: Email,
    pub(crate) password: NewPassword,
}

/// Why a sign-up was refused, field by field (both may be wrong at once).
#[derive(Debug)]
pub(crate) struct NewAccountRejection {
    pub(crate) email: Option<EmailRejection>,
    pub(crate) password: Option<PasswordRejection>,
}

impl NewAccount {
    /// Parses the two fields of a sign-up form or request.
    ///
    /// # Errors
    /// Every field that breaks a rule, with its reason.
    pub(crate) fn parse(
        email: &str,
        password: &str,
        rules: &AccountRules,
    ) -> Result<Self, NewAccountRejection> {
        match (
            rules.addresses.parse(email),
            NewPassword::parse(password, email.trim(), rules.password_min_length),
        ) {
            (Ok(email), Ok(password)) => Ok(Self { email, password }),
            (email, password) => Err(NewAccountRejection {
                email: email.err(),
                password: password.err(),
            }),
        }
    }
}

/// What a sign-up did. Only the request that created the account gets the binding for
/// its session; a later sign-up of the same address never does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Registration {
    Created(SessionGrant),
    Existing,
    /// `SIGNUP_HOOK_URL` said no, with the message it gave, if any.
    Refused(Option<String>),
}

impl Accounts {
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
    pub(crate) async fn register(
        &self,
        account: NewAccount,
        language: Language,
        return_to: Option<&str>,
    ) -> Result<Registration, AccountsError> {
        if let Some(hook) = &self.signup_hook {
            let client = crate::audit::current().client;
            match hook.ask(&account.email, language, client).await {
                HookVerdict::Allowed => {}
                HookVerdict::Refused(message) => return Ok(Registration::Refused(message)),
                HookVerdict::Unavailable => return Err(AccountsError::HookUnavailable),
            }
        }
        // Hash first, even for a known address: the time taken must not tell them apart.
        let password_hash = self.hasher.hash(account.password.expose()).await?;

        let transaction = crate::db::begin_write(&self.db).await?;
        let inserted = User::insert(users::ActiveModel {
            email: Set(account.email.as_str().to_owned()),
            email_normalized: Set(account.email.normalized()),
            email_domain: Set(account.email.domain()),
            password_hash: Set(password_hash),
            created_at: Set(self.clock.now()),
            confirmed_at: Set(None),
            locale: Set(Some(language.tag().to_owned())),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([users::Column::EmailNormalized])
        .exec(&transaction)
        .await?;

        let (user_id, recipient, kind, registration) = match inserted {
            TryInsertResult::Inserted(result) => {
                let user_id = result.last_insert_id;
                self.tell(
                    &transaction,
                    AccountEvent::Registered(AccountData {
                        user_id,
                        email: account.email.as_str().to_owned(),
                        locale: Some(language.tag().to_owned()),
                    }),
                )
                .await?;
                let binding = SessionGrant {
                    user_id,
                    credential_version: 0,
                };
                (
                    user_id,
                    account.email.as_str().to_owned(),
                    OutboxKind::Confirmation,
                    Registration::Created(binding),
                )
            }
            TryInsertResult::Conflicted | TryInsertResult::Empty => {
                let Some(existing) = self
                    .find_user(&transaction, UserKey::Email(&account.email))
                    .await?
                else {
                    // Deleted between the conflict and this read: nothing to tell anyone.
                    return Ok(Registration::Existing);
                };
                let kind = if existing.confirmed_at.is_some() {
                    OutboxKind::AlreadyRegistered
                } else {
                    OutboxKind::Confirmation
                };
                (existing.id, existing.email, kind, Registration::Existing)
            }
        };
        let enqueued = self
            .outbox
            .enqueue_email(
                &transaction,
                &NewEmail {
                    return_to,
                    ..NewEmail::to(kind, &recipient).of_user(user_id)
                },
            )
            .await?;
        transaction.commit().await?;
        if matches!(registration, Registration::Created(_)) {
            self.metrics.signup();
        }
        self.after_enqueue(enqueued, kind);
        Ok(registration)
    }
}
