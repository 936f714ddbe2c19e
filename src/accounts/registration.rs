//! Sign-up and confirmation.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait, TryInsertResult,
};

use super::links::LinkProblem;
use super::{Accounts, AccountsError, Email, EmailRejection, SessionGrant, UserKey};
use crate::db::entities::users::{self, Entity as User};
use crate::i18n::Language;
use crate::outbox::MailKind;
use crate::outbox::webhooks::AccountEvent;
use crate::passwords::{NewPassword, PasswordAttempt, PasswordRejection};
use crate::sessions;
use crate::tokens::{LinkToken, Purpose};

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
        password_min_length: usize,
    ) -> Result<Self, NewAccountRejection> {
        match (
            Email::parse(email),
            NewPassword::parse(password, email.trim(), password_min_length),
        ) {
            (Ok(email), Ok(password)) => Ok(Self { email, password }),
            (email, password) => Err(NewAccountRejection {
                email: email.err(),
                password: password.err(),
            }),
        }
    }
}

/// How the person at a confirmation link proves they own the account.
#[derive(Debug)]
pub(crate) enum ConfirmationProof {
    /// The password chosen at sign-up, as typed.
    Password(PasswordAttempt),
    /// A new password, for someone who did not sign up themselves or forgot the password:
    /// holding the emailed link is the proof, and the new password replaces the old one.
    /// Kept as typed until the link names the account, because the policy refuses
    /// passwords built from the account's address.
    NewPassword(String),
    /// The browser session that created the account with its password (SPEC §9): it
    /// holds the account and the credential version it stored. A password set since
    /// (with `new_password`, by whoever holds the inbox) makes it worthless.
    SignupSession(SessionGrant),
}

/// What a sign-up did. Only the request that created the account gets the binding for
/// its session; a later sign-up of the same address never does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Registration {
    Created(SessionGrant),
    Existing,
}

/// The two password fields of a confirmation, as the form and the JSON API send them.
#[derive(Debug, Default)]
pub(crate) struct ConfirmationFields {
    pub(crate) password: Option<String>,
    pub(crate) new_password: Option<String>,
}

/// Neither `password` nor `new_password` was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("neither `password` nor `new_password` given")]
pub(crate) struct MissingProof;

impl crate::i18n::Localize for MissingProof {
    fn localize(&self) -> String {
        crate::i18n::t("confirm-missing-password")
    }
}

impl TryFrom<ConfirmationFields> for ConfirmationProof {
    type Error = MissingProof;

    /// A non-empty `new_password` wins: someone who fills it in means to replace the
    /// password, whatever else the form holds.
    fn try_from(fields: ConfirmationFields) -> Result<Self, MissingProof> {
        match (fields.password, fields.new_password) {
            (_, Some(new_password)) if !new_password.is_empty() => {
                Ok(ConfirmationProof::NewPassword(new_password))
            }
            (Some(password), _) => Ok(ConfirmationProof::Password(PasswordAttempt::parse(
                &password,
            ))),
            (None, _) => Err(MissingProof),
        }
    }
}

#[derive(Debug)]
pub(crate) enum Confirmation {
    /// Confirmed; the browser that confirmed it is logged in with this grant.
    Confirmed(SessionGrant),
    WrongPassword {
        email: Email,
    },
    NewPasswordRejected {
        email: Email,
        reason: PasswordRejection,
    },
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
        // Hash first, even for a known address: the time taken must not tell them apart.
        let password_hash = self.hasher.hash(account.password.expose()).await?;

        let transaction = self.db.begin().await?;
        let inserted = User::insert(users::ActiveModel {
            email: Set(account.email.as_str().to_owned()),
            email_normalized: Set(account.email.normalized()),
            password_hash: Set(password_hash),
            created_at: Set(Utc::now()),
            confirmed_at: Set(None),
            locale: Set(Some(language.tag().to_owned())),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([users::Column::EmailNormalized])
        .exec(&transaction)
        .await?;

        let (user_id, recipient, kind, registration) = match inserted {
            TryInsertResult::Inserted(result) => {
                self.metrics.signup();
                let binding = SessionGrant {
                    user_id: result.last_insert_id,
                    credential_version: 0,
                };
                (
                    result.last_insert_id,
                    account.email.as_str().to_owned(),
                    MailKind::Confirmation,
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
                    MailKind::AlreadyRegistered
                } else {
                    MailKind::Confirmation
                };
                (existing.id, existing.email, kind, Registration::Existing)
            }
        };
        let enqueued = self
            .outbox
            .enqueue(&transaction, kind, Some(user_id), &recipient, return_to)
            .await?;
        if matches!(registration, Registration::Created(_)) {
            let locale = Some(language.tag());
            self.tell(
                &transaction,
                AccountEvent::Registered,
                user_id,
                &recipient,
                locale,
            )
            .await?;
        }
        transaction.commit().await?;
        self.after_enqueue(enqueued, kind);
        Ok(registration)
    }

    /// Activates the account behind `token` once the person proves they own it, and ends
    /// every session the account had, in one transaction. The caller logs the browser in
    /// with a new session id.
    ///
    /// # Errors
    /// [`AccountsError::Link`] when the link cannot be used (a spent link is
    /// [`LinkProblem::AlreadyUsed`]); [`AccountsError::Busy`] when the hasher's queue is
    /// full; database errors.
    pub(crate) async fn confirm(
        &self,
        token: &LinkToken,
        proof: ConfirmationProof,
    ) -> Result<Confirmation, AccountsError> {
        let opened = self.open_link(token, Purpose::Confirm).await?;
        self.activate(opened.user, opened.link_email, proof).await
    }

    /// Activates `user` (unconfirmed, read just now) once `proof` holds: the second proof
    /// beside the inbox, which the link or the code already gave.
    pub(super) async fn activate(
        &self,
        user: users::Model,
        email: Email,
        proof: ConfirmationProof,
    ) -> Result<Confirmation, AccountsError> {
        let new_hash = match proof {
            ConfirmationProof::Password(attempt) => {
                if !self.password_matches(&user, &attempt).await? {
                    return Ok(Confirmation::WrongPassword { email });
                }
                None
            }
            ConfirmationProof::SignupSession(binding) => {
                if binding != SessionGrant::of(&user) {
                    return Ok(Confirmation::WrongPassword { email });
                }
                None
            }
            ConfirmationProof::NewPassword(raw) => {
                match NewPassword::parse(&raw, email.as_str(), self.rules.password_min_length) {
                    Ok(password) => Some(self.hasher.hash(password.expose()).await?),
                    Err(reason) => {
                        return Ok(Confirmation::NewPasswordRejected { email, reason });
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
        let mut grant = SessionGrant::of(&user);
        if let Some(hash) = new_hash {
            update = update
                .col_expr(users::Column::PasswordHash, Expr::value(hash))
                .col_expr(
                    users::Column::CredentialVersion,
                    Expr::col(users::Column::CredentialVersion).add(1),
                );
            grant.credential_version += 1;
        }
        let transaction = self.db.begin().await?;
        if update.exec(&transaction).await?.rows_affected == 0 {
            return Err(AccountsError::Link(
                Purpose::Confirm,
                LinkProblem::AlreadyUsed,
            ));
        }
        sessions::end_for_user(&transaction, user.id, None).await?;
        let locale = user.locale.as_deref();
        self.tell(
            &transaction,
            AccountEvent::Confirmed,
            user.id,
            &user.email,
            locale,
        )
        .await?;
        transaction.commit().await?;
        self.outbox.wake();
        self.metrics.confirmation();
        Ok(Confirmation::Confirmed(grant))
    }
}
