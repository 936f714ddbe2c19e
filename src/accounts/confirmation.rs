//! Confirming an account (SPEC §3, §9): by the emailed link or the six-digit code beside
//! it, with the password, a new password, or the session that signed up; "Continue" for
//! someone who confirmed on another device; and sending the confirmation again.
//!
//! A confirmation needs two proofs: the inbox (the link, or the code with its address)
//! and the stored password (typed, replaced with `new_password`, or held by the session
//! whose sign-up stored it). Wrong codes are counted in the database before comparing, so
//! guesses sent together are counted too: five per account in its whole unconfirmed life,
//! and a few per client, so nobody can spend an account's five from one place.

use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};

use super::links::LinkProblem;
use super::login::Reservation;
use super::{Accounts, AccountsError, AttemptOrigin, Email, SessionGrant, UserKey};
use crate::db::entities::users::{self, Entity as User};

use crate::limits::{Limit, client_subject};
use crate::outbox::{NewEmail, OutboxKind};
use crate::passwords::{NewPassword, PasswordAttempt, PasswordRejection};
use crate::sessions;
use crate::tokens::{CodeAttempt, LinkToken, Purpose, SecretToken};

/// Wrong codes an account may see in its whole unconfirmed life before codes are refused
/// and only the link works.
const WRONG_CODES_PER_ACCOUNT: i32 = 5;

/// Codes tried for an address with no code pending: counted only so that such an attempt
/// costs the write a real one does (the answer is a wrong code whatever the count).
const WRONG_CODES_BY_ADDRESS: Limit = Limit {
    name: "code-address",
    max: 5,
    window: Duration::from_secs(3600),
};

/// Wrong codes one client (IPv6 per /64) may try from anywhere but the browser that
/// signed up, whatever the addresses: nobody can spend the five of every account they
/// know of from one place.
const WRONG_CODES_BY_CLIENT: Limit = Limit {
    name: "code-client",
    max: 10,
    window: Duration::from_secs(15 * 60),
};

/// How long after a confirmation on another device "Continue" in the browser that signed
/// up still logs it in: long enough to walk back from the phone, short enough that the
/// next person at a shared computer does not inherit the account.
const CONTINUE_WITHIN: Duration = Duration::from_secs(10 * 60);

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
    /// The browser session that created the account with its password (SPEC §9).
    SignupSession(SignupBinding),
}

/// What the session whose sign-up created an account holds: the account and the
/// credential version it stored, and when. A password set since (with `new_password`, by
/// whoever holds the inbox) makes it worthless, and so does time: it lives
/// `CONFIRM_CODE_TTL`, like the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct SignupBinding {
    pub(crate) grant: SessionGrant,
    /// Unix seconds.
    pub(crate) bound_at: i64,
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

/// The second proof offered with a code.
#[derive(Debug)]
pub(crate) enum CodeProof {
    /// The browser's session, with the binding it got if it created the account.
    Session(Option<SignupBinding>),
    /// A password or a new one, as the JSON API sends them.
    Confirmation(ConfirmationProof),
}

#[derive(Debug)]
pub(crate) enum CodeConfirmation {
    /// Confirmed (the bound session, or the password): log this browser in.
    Confirmed(SessionGrant),
    /// The right code in a session without the binding: the person must still prove the
    /// password, on the confirmation form this link token opens.
    NeedsPassword { token: SecretToken, email: Email },
    /// A right code, but the password or new password offered with it did not hold.
    Refused(Confirmation),
    /// A wrong code, or none pending for the address (unknown, confirmed, expired, or past
    /// the cap): deliberately one answer.
    WrongCode,
}

/// What "Continue" on the check-email page finds.
#[derive(Debug)]
pub(crate) enum Continuation {
    /// Confirmed elsewhere with the password this session's sign-up stored: log in.
    LoggedIn(SessionGrant),
    /// Not confirmed yet.
    Pending,
    /// No binding, an old one, or the account now has another password: log in the
    /// ordinary way.
    Spent,
}

impl Accounts {
    /// The binding for the account a sign-up just created, made now.
    pub(crate) fn bind_signup(&self, grant: SessionGrant) -> SignupBinding {
        SignupBinding {
            grant,
            bound_at: self.clock.unix_now(),
        }
    }

    /// True when `binding` is alive and names `account` as it is now: the browser that
    /// signed up may confirm it with one button.
    pub(crate) fn binding_holds(&self, binding: &SignupBinding, account: &SessionGrant) -> bool {
        binding.grant == *account && self.binding_alive(binding)
    }

    fn binding_alive(&self, binding: &SignupBinding) -> bool {
        let lifetime = self.notifier.code_lifetime().as_secs() as i64;
        self.clock.unix_now() < binding.bound_at.saturating_add(lifetime)
    }

    /// Sends a fresh confirmation link (and code) to `email` if it has an unconfirmed
    /// account. The request is queued as it is and the worker looks the account up when
    /// it composes, so a known and an unknown address cost the same and get the same
    /// answer. `None` (what was typed is not an address) does nothing.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn resend_confirmation(
        &self,
        email: Option<&Email>,
        return_to: Option<&str>,
    ) -> Result<(), AccountsError> {
        if let Some(email) = email {
            self.queue(&[NewEmail {
                return_to,
                ..NewEmail::to(OutboxKind::Confirmation, email.as_str())
            }])
            .await?;
        }
        Ok(())
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
        origin: &AttemptOrigin,
    ) -> Result<Confirmation, AccountsError> {
        let opened = self.open_link(token, Purpose::Confirm).await?;
        self.activate(opened.user, opened.link_email, proof, origin)
            .await
    }

    /// Checks `code` for the unconfirmed account of `email`, then `proof`. An address
    /// without a pending code costs the same work as one with it (one counted write, the
    /// comparison), so the time taken does not tell them apart.
    ///
    /// # Errors
    /// [`AccountsError::Throttled`] past the client's wrong codes; [`AccountsError::Busy`]
    /// when the hasher's queue is full; database errors.
    pub(crate) async fn confirm_with_code(
        &self,
        email: &Email,
        code: &CodeAttempt,
        proof: CodeProof,
        origin: &AttemptOrigin,
    ) -> Result<CodeConfirmation, AccountsError> {
        // The browser that signed up is the owner, like a device cookie at login: only
        // others are counted per client.
        let by_client = match &proof {
            CodeProof::Session(Some(_)) => None,
            _ => Some((WRONG_CODES_BY_CLIENT, client_subject(origin.client))),
        };
        if let Some((limit, subject)) = &by_client
            && let Err(exceeded) = self.limits.take(limit, subject).await?
        {
            return Err(AccountsError::Throttled {
                retry_after: exceeded.retry_after,
            });
        }
        let reserved = self.reserve_code_attempt(email).await?;
        let (user_id, email_row) = reserved.unwrap_or((0, 0));
        if !self
            .tokens
            .code_matches(Purpose::Confirm, user_id, email_row, code)
            || reserved.is_none()
        {
            return Ok(CodeConfirmation::WrongCode);
        }
        self.give_back_code_attempt(user_id).await?;
        if let Some(taken) = by_client {
            self.give_back(Reservation(vec![taken])).await?;
        }
        // Read after the reservation, which proved it pending.
        let user = self.existing_user(user_id).await?;
        let email = Email::from_stored(user.email.clone());
        let proof = match proof {
            CodeProof::Session(Some(binding))
                if self.binding_holds(&binding, &SessionGrant::of(&user)) =>
            {
                ConfirmationProof::SignupSession(binding)
            }
            CodeProof::Session(_) => {
                let token = self.notifier.mint(Purpose::Confirm, &user, &user.email);
                return Ok(CodeConfirmation::NeedsPassword { token, email });
            }
            CodeProof::Confirmation(proof) => proof,
        };
        Ok(match self.activate(user, email, proof, origin).await? {
            Confirmation::Confirmed(grant) => CodeConfirmation::Confirmed(grant),
            refused => CodeConfirmation::Refused(refused),
        })
    }

    /// Counts one code attempt for the account of `email` if it has a code pending and
    /// fewer than five wrong ones, atomically, and returns the account and the outbox row
    /// whose email holds the valid code. Any other address is counted on a counter of its
    /// own, so both cost one write.
    async fn reserve_code_attempt(
        &self,
        email: &Email,
    ) -> Result<Option<(i64, i64)>, AccountsError> {
        let backend = self.db.get_database_backend();
        let p = if backend == DbBackend::Postgres {
            "$"
        } else {
            "?"
        };
        let sql = format!(
            "UPDATE users SET confirm_code_failures = confirm_code_failures + 1 \
             WHERE email_normalized = {p}1 AND confirmed_at IS NULL \
                 AND confirm_code_email IS NOT NULL AND confirm_code_expires_at > {p}2 \
                 AND confirm_code_failures < {p}3 \
             RETURNING id, confirm_code_email"
        );
        let reserved = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    email.normalized().into(),
                    self.clock.now().into(),
                    WRONG_CODES_PER_ACCOUNT.into(),
                ],
            ))
            .await?;
        match reserved {
            Some(row) => Ok(Some((
                row.try_get("", "id")?,
                row.try_get("", "confirm_code_email")?,
            ))),
            None => {
                let _ = self
                    .limits
                    .take(&WRONG_CODES_BY_ADDRESS, &email.normalized())
                    .await?;
                Ok(None)
            }
        }
    }

    async fn give_back_code_attempt(&self, user_id: i64) -> Result<(), AccountsError> {
        User::update_many()
            .col_expr(
                users::Column::ConfirmCodeFailures,
                sea_orm::sea_query::ExprTrait::sub(
                    Expr::col(users::Column::ConfirmCodeFailures),
                    1,
                ),
            )
            .filter(users::Column::Id.eq(user_id))
            .filter(users::Column::ConfirmCodeFailures.gt(0))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// "Continue" in the browser that signed up: logs it in when the account was confirmed
    /// elsewhere with the password this session's sign-up stored, within
    /// [`CONTINUE_WITHIN`] of that confirmation and while the binding lives.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn continue_signup(
        &self,
        binding: Option<SignupBinding>,
    ) -> Result<Continuation, AccountsError> {
        let Some(binding) = binding.filter(|binding| self.binding_alive(binding)) else {
            return Ok(Continuation::Spent);
        };
        let user = self
            .find_user(&self.db, UserKey::Id(binding.grant.user_id))
            .await?;
        let Some(user) = user.filter(|user| SessionGrant::of(user) == binding.grant) else {
            return Ok(Continuation::Spent);
        };
        let within = chrono::Duration::from_std(CONTINUE_WITHIN).unwrap_or_default();
        Ok(match user.confirmed_at {
            None => Continuation::Pending,
            Some(confirmed_at) if self.clock.now() - confirmed_at <= within => {
                Continuation::LoggedIn(binding.grant)
            }
            Some(_) => Continuation::Spent,
        })
    }

    /// Activates `user` (unconfirmed, read just now) once `proof` holds: the second proof
    /// beside the inbox, which the link or the code already gave.
    async fn activate(
        &self,
        user: users::Model,
        email: Email,
        proof: ConfirmationProof,
        origin: &AttemptOrigin,
    ) -> Result<Confirmation, AccountsError> {
        let new_hash = match proof {
            ConfirmationProof::Password(attempt) => {
                if !self.password_holds(&user, &attempt, origin).await? {
                    return Ok(Confirmation::WrongPassword { email });
                }
                None
            }
            ConfirmationProof::SignupSession(binding) => {
                if !self.binding_holds(&binding, &SessionGrant::of(&user)) {
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
            .col_expr(users::Column::ConfirmedAt, Expr::value(self.clock.now()))
            .filter(users::Column::Id.eq(user.id))
            .filter(users::Column::ConfirmedAt.is_null())
            .filter(users::Column::PasswordHash.eq(user.password_hash.as_str()));
        let mut grant = SessionGrant::of(&user);
        if let Some(hash) = new_hash {
            update = update
                .col_expr(users::Column::PasswordHash, Expr::value(hash))
                .col_expr(
                    users::Column::CredentialVersion,
                    sea_orm::sea_query::ExprTrait::add(
                        Expr::col(users::Column::CredentialVersion),
                        1,
                    ),
                );
            grant.credential_version += 1;
        }
        let transaction = crate::db::begin_write(&self.db).await?;
        if update.exec(&transaction).await?.rows_affected == 0 {
            return Err(AccountsError::Link(
                Purpose::Confirm,
                LinkProblem::AlreadyUsed,
            ));
        }
        sessions::end_for_user(&transaction, user.id, None).await?;
        self.commit_confirmation(transaction, &user).await?;
        Ok(Confirmation::Confirmed(grant))
    }
}
