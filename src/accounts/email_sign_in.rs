//! Signing in with an emailed code or link (SPEC §14).
//!
//! Asking is one outbox row for any address, as typed: the worker looks the account up
//! when it composes, so a known, an unconfirmed and an unknown address cost the same and
//! answer the same. Composing a sign-in email makes its code and link the account's valid
//! ones (only ever moving to a newer email); using either ends both. The code counts
//! only in the browser that asked, which holds the email's outbox row: the row names the
//! email, and through it the account. Wrong codes are counted per email in the database
//! before comparing, like confirmation codes.
//!
//! An unconfirmed account that signs in this way is confirmed (the inbox is proven) and
//! loses its password, which nobody proved: it may be an intruder's who registered the
//! address first (SPEC §3).

use std::time::Duration;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};

use super::links::LinkProblem;
use super::{Accounts, AccountsError, Email, SessionGrant};
use crate::db::entities::users::{self, Entity as User};
use crate::i18n::Language;
use crate::limits::Limit;
use crate::outbox::{Enqueued, NewEmail, OutboxKind};
use crate::sessions;
use crate::tokens::{CodeAttempt, LinkToken, Purpose};

/// Wrong codes one sign-in email may see; then only its link works.
const WRONG_CODES_PER_EMAIL: i32 = 5;

/// Codes tried against a sign-in email that went to an address without an account:
/// counted only so that such an attempt costs the write a real one does.
const WRONG_CODES_WITHOUT_ACCOUNT: Limit = Limit {
    name: "login-code-stranger",
    max: 5,
    window: Duration::from_secs(3600),
};

/// What a sign-in by code found.
#[derive(Debug)]
pub(crate) enum EmailSignIn {
    /// Log this browser in.
    SignedIn(SessionGrant),
    /// A wrong code, a spent or replaced email, one past its five wrong codes, or none
    /// asked for in this browser: deliberately one answer.
    WrongCode,
}

/// The state of an account's sign-in email that its link's fingerprint covers: which
/// email is the valid one, and whether it was used. Either changing spends the link.
pub(super) fn sign_in_state(email_row: Option<i64>, live: bool) -> String {
    format!(
        "{}:{}",
        email_row.unwrap_or_default(),
        if live { "live" } else { "spent" }
    )
}

impl Accounts {
    /// Queues a sign-in email for whatever account `email` has (or, without one, an email
    /// saying so, in `language`), and returns its outbox row for the browser that asked:
    /// its code counts only there. `None` when nothing was queued (what was typed is not
    /// an address, or the address had its emails for the hour).
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn request_sign_in_email(
        &self,
        email: Option<&Email>,
        return_to: Option<&str>,
        language: Language,
    ) -> Result<Option<i64>, AccountsError> {
        let Some(email) = email else {
            return Ok(None);
        };
        let queued = self
            .queue(&[NewEmail {
                return_to,
                locale: Some(language.tag()),
                ..NewEmail::to(OutboxKind::SignIn, email.as_str())
            }])
            .await?;
        Ok(match queued.first() {
            Some(Enqueued::Queued(row)) => Some(*row),
            _ => None,
        })
    }

    /// Checks `code` against the sign-in email `email_row` this browser asked for.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn sign_in_with_code(
        &self,
        email_row: Option<i64>,
        code: &CodeAttempt,
    ) -> Result<EmailSignIn, AccountsError> {
        let Some(email_row) = email_row else {
            return Ok(EmailSignIn::WrongCode);
        };
        let Some(user_id) = self.reserve_sign_in_attempt(email_row).await? else {
            return Ok(EmailSignIn::WrongCode);
        };
        if !self
            .tokens
            .code_matches(Purpose::Login, user_id, email_row, code)
        {
            return Ok(EmailSignIn::WrongCode);
        }
        let user = self.existing_user(user_id).await?;
        Ok(match self.spend_sign_in_email(user, email_row).await? {
            Some(grant) => EmailSignIn::SignedIn(grant),
            // Used by its link (or the code in a racing request) a moment ago.
            None => EmailSignIn::WrongCode,
        })
    }

    /// Signs in the account of a sign-in link (`POST /login/link`: the person pressed
    /// the button; opening the link did nothing).
    ///
    /// # Errors
    /// [`AccountsError::Link`] when the link cannot be used: expired, spent, or replaced
    /// by a newer sign-in email; database errors.
    pub(crate) async fn sign_in_with_link(
        &self,
        token: &LinkToken,
    ) -> Result<SessionGrant, AccountsError> {
        let opened = self.open_link(token, Purpose::Login).await?;
        let spent = AccountsError::Link(Purpose::Login, LinkProblem::Invalid);
        let email_row = opened.user.login_code_email.ok_or(spent)?;
        self.spend_sign_in_email(opened.user, email_row)
            .await?
            .ok_or(AccountsError::Link(Purpose::Login, LinkProblem::Invalid))
    }

    /// Counts one code attempt against sign-in email `email_row`, atomically, if it is
    /// its account's valid one and has seen fewer than five wrong codes; returns the
    /// account. Any other row is counted on a counter of its own, so both cost one write.
    async fn reserve_sign_in_attempt(&self, email_row: i64) -> Result<Option<i64>, AccountsError> {
        let backend = self.db.get_database_backend();
        let p = if backend == DbBackend::Postgres {
            "$"
        } else {
            "?"
        };
        let sql = format!(
            "UPDATE users SET login_code_failures = login_code_failures + 1 \
             WHERE login_code_email = {p}1 AND login_code_expires_at > {p}2 \
                 AND login_code_failures < {p}3 \
             RETURNING id"
        );
        let reserved = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    email_row.into(),
                    self.clock.now().into(),
                    WRONG_CODES_PER_EMAIL.into(),
                ],
            ))
            .await?;
        match reserved {
            Some(row) => Ok(Some(row.try_get("", "id")?)),
            None => {
                let _ = self
                    .limits
                    .take(&WRONG_CODES_WITHOUT_ACCOUNT, &email_row.to_string())
                    .await?;
                Ok(None)
            }
        }
    }

    /// Ends sign-in email `email_row` of `user` (read just now) if it is still the valid
    /// one and unused: compare-and-set, so of two racing uses exactly one signs in. An
    /// unconfirmed account is confirmed and its password removed in the same
    /// transaction, with every session it had. `None` when the email was no longer valid.
    async fn spend_sign_in_email(
        &self,
        user: users::Model,
        email_row: i64,
    ) -> Result<Option<SessionGrant>, AccountsError> {
        let now = self.clock.now();
        let confirms = user.confirmed_at.is_none();
        let mut spend = User::update_many()
            .col_expr(
                users::Column::LoginCodeExpiresAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .col_expr(users::Column::LoginCodeFailures, Expr::value(0))
            .filter(users::Column::Id.eq(user.id))
            .filter(users::Column::DisabledAt.is_null())
            .filter(users::Column::LoginCodeEmail.eq(email_row))
            .filter(users::Column::LoginCodeExpiresAt.gt(now));
        let mut grant = SessionGrant::of(&user);
        if confirms {
            spend = spend
                .col_expr(users::Column::ConfirmedAt, Expr::value(now))
                .col_expr(users::Column::PasswordHash, Expr::value(""))
                .col_expr(
                    users::Column::CredentialVersion,
                    Expr::col(users::Column::CredentialVersion).add(1),
                )
                .filter(users::Column::ConfirmedAt.is_null());
            grant.credential_version += 1;
        } else {
            spend = spend.filter(users::Column::ConfirmedAt.is_not_null());
        }
        let transaction = crate::db::begin_write(&self.db).await?;
        if spend.exec(&transaction).await?.rows_affected == 0 {
            return Ok(None);
        }
        if confirms {
            sessions::end_for_user(&transaction, user.id, None).await?;
            self.commit_confirmation(transaction, &user).await?;
        } else {
            transaction.commit().await?;
            self.recent.forget(user.id);
        }
        Ok(Some(grant))
    }
}
