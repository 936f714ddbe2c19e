//! Password reset (OWASP Forgot Password cheat sheet): the same answer whether or not the
//! account exists, a single-use link whose fingerprint covers the password hash, every
//! session ended, and no automatic login.

use super::links::LinkStatus;
use super::{Accounts, AccountsError, ConfirmAddress, Email};
use crate::outbox::MailKind;
use crate::passwords::{NewPassword, PasswordRejection};
use crate::tokens::Purpose;

#[derive(Debug)]
pub enum PasswordReset {
    Done,
    Rejected {
        email: String,
        reason: PasswordRejection,
    },
    Link(LinkStatus),
}

impl Accounts {
    /// Emails a reset link when `email` has an account; does nothing otherwise.
    ///
    /// # Errors
    /// Database errors.
    pub async fn request_password_reset(&self, email: &Email) -> Result<(), AccountsError> {
        if let Some(user) = self.find_by_email(&self.db, email).await? {
            self.send(MailKind::PasswordReset, user.id, &user.email)
                .await?;
        }
        Ok(())
    }

    /// Sets a new password from a reset link, confirms the address if it was not (the link
    /// proved it), ends every session, and tells the owner.
    ///
    /// # Errors
    /// [`AccountsError::Busy`] when the hasher's queue is full; database errors.
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
    ) -> Result<PasswordReset, AccountsError> {
        let user = match self.open_link(token, Purpose::Reset).await? {
            Ok(opened) => opened.user,
            Err(status) => return Ok(PasswordReset::Link(status)),
        };
        let password =
            match NewPassword::parse(new_password, &user.email, self.rules.password_min_length) {
                Ok(password) => password,
                Err(reason) => {
                    return Ok(PasswordReset::Rejected {
                        email: user.email,
                        reason,
                    });
                }
            };
        // The link proved the address, so an unconfirmed account is confirmed too.
        if !self
            .replace_password(&user, &password, None, ConfirmAddress::Yes)
            .await?
        {
            // Another request used the link first.
            return Ok(PasswordReset::Link(LinkStatus::Invalid));
        }
        Ok(PasswordReset::Done)
    }
}
