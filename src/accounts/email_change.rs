//! Moving an account to another address: the change happens only when the link sent to the
//! new address is confirmed with the account's password, and the old address is told.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::links::LinkProblem;
use super::{Accounts, AccountsError, CurrentPassword, Email, UserKey};
use crate::db::entities::users::{self, Entity as User};
use crate::events::{AccountData, AccountEvent};
use crate::outbox::{NewEmail, OutboxKind};
use crate::tokens::{LinkToken, Purpose};

#[derive(Debug)]
pub(crate) enum EmailChangeRequest {
    /// A confirmation went to the new address and a notice to the old one. Also the answer
    /// when the new address belongs to someone else, whose owner is told instead.
    Sent,
    WrongPassword,
    SameAddress,
}

#[derive(Debug)]
pub(crate) enum EmailChange {
    Changed,
    /// The password (or, without one, a recent sign-in in this browser) did not hold.
    WrongPassword {
        email: Email,
        has_password: bool,
    },
    /// The new address was registered by someone else after the link was sent.
    AddressTaken,
}

impl Accounts {
    /// Starts an address change: the address changes only when the link sent to it is
    /// confirmed. The old address is told either way.
    ///
    /// # Errors
    /// [`AccountsError::Throttled`] past the failed-login limits; [`AccountsError::Busy`]
    /// when the hasher's queue is full; database errors.
    pub(crate) async fn request_email_change(
        &self,
        user_id: i64,
        current: &CurrentPassword,
        new_email: &Email,
    ) -> Result<EmailChangeRequest, AccountsError> {
        let Some(user) = self.user_proving(user_id, current).await? else {
            return Ok(EmailChangeRequest::WrongPassword);
        };
        if new_email.normalized() == user.email_normalized {
            return Ok(EmailChangeRequest::SameAddress);
        }
        // Only decides whom to tell; the unique index decides at confirmation. The link and
        // the notice to the old address are queued together: the safety notice cannot be
        // lost while the link goes out.
        let notice = NewEmail::to(OutboxKind::EmailChangeNotice, &user.email).of_user(user.id);
        match self.find_user(&self.db, UserKey::Email(new_email)).await? {
            Some(owner) => {
                let taken = NewEmail::to(OutboxKind::EmailTaken, &owner.email).of_user(owner.id);
                self.queue(&[taken, notice]).await?;
            }
            None => {
                let link = NewEmail::to(OutboxKind::EmailChangeConfirmation, new_email.as_str())
                    .of_user(user.id);
                self.queue(&[link, notice]).await?;
            }
        }
        Ok(EmailChangeRequest::Sent)
    }

    /// Moves the account to the address the link was sent to, once the account's password
    /// is given. Whoever reads the new inbox holds the link, so the password check counts
    /// as a login attempt like every other.
    ///
    /// # Errors
    /// [`AccountsError::Link`] when the link cannot be used; [`AccountsError::Throttled`]
    /// past the failed-login limits; [`AccountsError::Busy`] when the hasher's queue is
    /// full; database errors.
    pub(crate) async fn confirm_email_change(
        &self,
        token: &LinkToken,
        current: &CurrentPassword,
    ) -> Result<EmailChange, AccountsError> {
        let opened = self.open_link(token, Purpose::EmailChange).await?;
        let new_email = opened.link_email;
        if !self.proves(&opened.user, current).await? {
            return Ok(EmailChange::WrongPassword {
                email: new_email,
                has_password: super::login::stored_password(&opened.user).is_some(),
            });
        }
        let transaction = crate::db::begin_write(&self.db).await?;
        let result = User::update_many()
            .col_expr(users::Column::Email, Expr::value(new_email.as_str()))
            .col_expr(
                users::Column::EmailNormalized,
                Expr::value(new_email.normalized()),
            )
            .col_expr(users::Column::EmailDomain, Expr::value(new_email.domain()))
            .filter(users::Column::Id.eq(opened.user.id))
            .filter(users::Column::Email.eq(opened.user.email.as_str()))
            .exec(&transaction)
            .await;
        match result {
            Ok(updated) if updated.rows_affected == 1 => {
                let event = AccountEvent::EmailChanged {
                    account: AccountData {
                        email: new_email.as_str().to_owned(),
                        ..AccountData::of(&opened.user)
                    },
                    previous_email: opened.user.email.clone(),
                };
                self.tell(&transaction, event).await?;
                transaction.commit().await?;
                self.recent.forget(opened.user.id);
                self.outbox.wake();
                Ok(EmailChange::Changed)
            }
            Ok(_) => Err(AccountsError::Link(
                Purpose::EmailChange,
                LinkProblem::AlreadyUsed,
            )),
            Err(error) if crate::db::is_unique_violation(&error) => Ok(EmailChange::AddressTaken),
            Err(error) => Err(error.into()),
        }
    }
}
