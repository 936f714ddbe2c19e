//! Password reset (OWASP Forgot Password cheat sheet): the same answer whether or not the
//! account exists, a single-use link whose fingerprint covers the password hash, every
//! session ended, and no automatic login.

use super::links::LinkProblem;
use super::{Accounts, AccountsError, ConfirmAddress, Email};
use crate::outbox::{NewEmail, OutboxKind};
use crate::passwords::{NewPassword, PasswordRejection};
use crate::tokens::{LinkToken, Purpose};

#[derive(Debug)]
pub(crate) enum PasswordReset {
    Done,
    Rejected {
        email: Email,
        reason: PasswordRejection,
    },
}

impl Accounts {
    /// Emails a reset link to `email` if it has an account. The request is queued as it
    /// is and the worker looks the account up when it composes, so a known and an unknown
    /// address cost the same and get the same answer. `None` (what was typed is not an
    /// address) does nothing.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn request_password_reset(
        &self,
        email: Option<&Email>,
    ) -> Result<(), AccountsError> {
        if let Some(email) = email {
            // A reset ends at the login page, which takes its own `return_to`.
            self.queue(&[NewEmail::to(OutboxKind::PasswordReset, email.as_str())])
                .await?;
        }
        Ok(())
    }

    /// Sets a new password from a reset link, confirms the address if it was not (the link
    /// proved it), ends every session, and tells the owner.
    ///
    /// `new_password` is kept as typed until the link names the account: the policy
    /// refuses passwords built from its address.
    ///
    /// # Errors
    /// [`AccountsError::Link`] when the link cannot be used; [`AccountsError::Busy`] when
    /// the hasher's queue is full; database errors.
    pub(crate) async fn reset_password(
        &self,
        token: &LinkToken,
        new_password: &str,
    ) -> Result<PasswordReset, AccountsError> {
        let opened = self.open_link(token, Purpose::Reset).await?;
        let (user, email) = (opened.user, opened.link_email);
        let password = match NewPassword::parse(
            new_password,
            email.as_str(),
            self.rules.password_min_length,
        ) {
            Ok(password) => password,
            Err(reason) => return Ok(PasswordReset::Rejected { email, reason }),
        };
        // The link proved the address, so an unconfirmed account is confirmed too.
        if self
            .replace_password(&user, &password, None, ConfirmAddress::Yes)
            .await?
            .is_none()
        {
            // Another request used the link first.
            return Err(AccountsError::Link(Purpose::Reset, LinkProblem::Invalid));
        }
        Ok(PasswordReset::Done)
    }
}
