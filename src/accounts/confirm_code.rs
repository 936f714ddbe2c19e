//! Confirming with the six-digit code from the confirmation email (SPEC §9), and the
//! check-email page's "Continue" for someone who confirmed on another device.
//!
//! The code proves the inbox, like the link; the second proof is the session that created
//! the account, or the password, or a new password. At most five wrong codes per account
//! in its whole unconfirmed life, reserved before comparing, so guesses sent together are
//! counted too: 10⁻⁶ a guess leaves a pre-stuffer no real chance.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::registration::{Confirmation, ConfirmationProof};
use super::{Accounts, AccountsError, Email, SessionGrant, UserKey};
use crate::db::entities::users::{self, Entity as User};
use crate::tokens::{CodeAttempt, Purpose, SecretToken};

/// Wrong codes an account may see before codes are refused and only the link works.
const MAX_WRONG_CODES: i32 = 5;

/// The second proof offered with a code.
#[derive(Debug)]
pub(crate) enum CodeProof {
    /// The browser's session, with the binding it got if it created the account.
    Session(Option<SessionGrant>),
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
    /// No binding, or the account now has another password: log in the ordinary way.
    Spent,
}

impl Accounts {
    /// Checks `code` for the unconfirmed account of `email`, then `proof`.
    ///
    /// # Errors
    /// [`AccountsError::Busy`] when the hasher's queue is full; database errors.
    pub(crate) async fn confirm_with_code(
        &self,
        email: &Email,
        code: CodeAttempt,
        proof: CodeProof,
    ) -> Result<CodeConfirmation, AccountsError> {
        let Some(user) = self.find_user(&self.db, UserKey::Email(email)).await? else {
            return Ok(CodeConfirmation::WrongCode);
        };
        let now = self.tokens.now();
        let (Some(email_row), Some(expires_at), None) = (
            user.confirm_code_email,
            user.confirm_code_expires_at,
            user.confirmed_at,
        ) else {
            return Ok(CodeConfirmation::WrongCode);
        };
        if expires_at <= now || !self.reserve_code_attempt(user.id).await? {
            return Ok(CodeConfirmation::WrongCode);
        }
        if !self.tokens.code_matches(user.id, email_row, code) {
            return Ok(CodeConfirmation::WrongCode);
        }
        self.give_back_code_attempt(user.id).await?;
        let email = Email::from_stored(user.email.clone());
        let proof = match proof {
            CodeProof::Session(Some(binding)) if binding == SessionGrant::of(&user) => {
                ConfirmationProof::SignupSession(binding)
            }
            CodeProof::Session(_) => {
                let token = self.notifier.mint(Purpose::Confirm, &user, &user.email);
                return Ok(CodeConfirmation::NeedsPassword { token, email });
            }
            CodeProof::Confirmation(proof) => proof,
        };
        Ok(match self.activate(user, email, proof).await? {
            Confirmation::Confirmed(grant) => CodeConfirmation::Confirmed(grant),
            refused => CodeConfirmation::Refused(refused),
        })
    }

    /// "Continue" in the browser that signed up.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn continue_signup(
        &self,
        binding: Option<SessionGrant>,
    ) -> Result<Continuation, AccountsError> {
        let Some(binding) = binding else {
            return Ok(Continuation::Spent);
        };
        let user = self
            .find_user(&self.db, UserKey::Id(binding.user_id))
            .await?;
        Ok(match user {
            Some(user) if SessionGrant::of(&user) == binding => match user.confirmed_at {
                Some(_) => Continuation::LoggedIn(binding),
                None => Continuation::Pending,
            },
            _ => Continuation::Spent,
        })
    }

    /// Counts one code attempt for `user_id`, atomically; `false` past the cap.
    async fn reserve_code_attempt(&self, user_id: i64) -> Result<bool, AccountsError> {
        let reserved = User::update_many()
            .col_expr(
                users::Column::ConfirmCodeFailures,
                Expr::col(users::Column::ConfirmCodeFailures).add(1),
            )
            .filter(users::Column::Id.eq(user_id))
            .filter(users::Column::ConfirmCodeFailures.lt(MAX_WRONG_CODES))
            .exec(&self.db)
            .await?;
        Ok(reserved.rows_affected == 1)
    }

    async fn give_back_code_attempt(&self, user_id: i64) -> Result<(), AccountsError> {
        User::update_many()
            .col_expr(
                users::Column::ConfirmCodeFailures,
                Expr::col(users::Column::ConfirmCodeFailures).sub(1),
            )
            .filter(users::Column::Id.eq(user_id))
            .filter(users::Column::ConfirmCodeFailures.gt(0))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
