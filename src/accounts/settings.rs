//! What a logged-in person can change: their address, their password, their existence.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, TransactionTrait};
use tower_sessions::session::Id as SessionId;

use super::links::LinkStatus;
use super::{Account, Accounts, AccountsError, ConfirmAddress, Email};
use crate::db::entities::outbox::{self, Entity as OutboxRow};
use crate::db::entities::users::{self, Entity as User};
use crate::outbox::MailKind;
use crate::passwords::{NewPassword, PasswordRejection};
use crate::sessions;
use crate::tokens::Purpose;

#[derive(Debug)]
pub enum PasswordChange {
    Changed,
    WrongPassword,
    Rejected(PasswordRejection),
}

#[derive(Debug)]
pub enum EmailChangeRequest {
    /// A confirmation went to the new address and a notice to the old one. Also the answer
    /// when the new address belongs to someone else, whose owner is told instead.
    Sent,
    WrongPassword,
    SameAddress,
}

#[derive(Debug)]
pub enum EmailChange {
    Changed {
        email: String,
    },
    WrongPassword {
        email: String,
    },
    /// The new address was registered by someone else after the link was sent.
    AddressTaken,
    Link(LinkStatus),
}

#[derive(Debug)]
pub enum AccountDeletion {
    Deleted,
    WrongPassword,
}

impl Accounts {
    /// The confirmed account with this id.
    ///
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

    async fn user(&self, user_id: i64) -> Result<users::Model, DbErr> {
        User::find_by_id(user_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("user {user_id}")))
    }

    /// Changes the password after checking the current one, ends every other session and
    /// tells the owner.
    ///
    /// # Errors
    /// [`AccountsError::Busy`] when the hasher's queue is full; database errors.
    pub async fn change_password(
        &self,
        user_id: i64,
        current_password: &str,
        new_password: &str,
        keep_session: Option<&SessionId>,
    ) -> Result<PasswordChange, AccountsError> {
        let user = self.user(user_id).await?;
        if !self.password_matches(&user, current_password).await? {
            return Ok(PasswordChange::WrongPassword);
        }
        let password =
            match NewPassword::parse(new_password, &user.email, self.rules.password_min_length) {
                Ok(password) => password,
                Err(reason) => return Ok(PasswordChange::Rejected(reason)),
            };
        if !self
            .replace_password(&user, &password, keep_session, ConfirmAddress::No)
            .await?
        {
            // Changed by another request meanwhile: the current password no longer holds.
            return Ok(PasswordChange::WrongPassword);
        }
        Ok(PasswordChange::Changed)
    }

    /// Starts an address change: the address changes only when the link sent to it is
    /// confirmed. The old address is told either way.
    ///
    /// # Errors
    /// [`AccountsError::Busy`] when the hasher's queue is full; database errors.
    pub async fn request_email_change(
        &self,
        user_id: i64,
        current_password: &str,
        new_email: &Email,
    ) -> Result<EmailChangeRequest, AccountsError> {
        let user = self.user(user_id).await?;
        if !self.password_matches(&user, current_password).await? {
            return Ok(EmailChangeRequest::WrongPassword);
        }
        if new_email.normalized() == user.email_normalized {
            return Ok(EmailChangeRequest::SameAddress);
        }
        // Only decides whom to tell; the unique index decides at confirmation.
        match self.find_by_email(&self.db, new_email).await? {
            Some(owner) => {
                self.send(MailKind::EmailTaken, owner.id, &owner.email)
                    .await?;
            }
            None => {
                self.send(
                    MailKind::EmailChangeConfirmation,
                    user.id,
                    new_email.as_str(),
                )
                .await?;
            }
        }
        self.send(MailKind::EmailChangeNotice, user.id, &user.email)
            .await?;
        Ok(EmailChangeRequest::Sent)
    }

    /// Moves the account to the address the link was sent to, once the account's password
    /// is given.
    ///
    /// # Errors
    /// [`AccountsError::Busy`] when the hasher's queue is full; database errors.
    pub async fn confirm_email_change(
        &self,
        token: &str,
        current_password: &str,
    ) -> Result<EmailChange, AccountsError> {
        let opened = match self.open_link(token, Purpose::EmailChange).await? {
            Ok(opened) => opened,
            Err(status) => return Ok(EmailChange::Link(status)),
        };
        if !self
            .password_matches(&opened.user, current_password)
            .await?
        {
            return Ok(EmailChange::WrongPassword {
                email: opened.link_email,
            });
        }
        let new_email = opened.link_email;
        let result = User::update_many()
            .col_expr(users::Column::Email, Expr::value(new_email.clone()))
            .col_expr(
                users::Column::EmailNormalized,
                Expr::value(new_email.to_lowercase()),
            )
            .filter(users::Column::Id.eq(opened.user.id))
            .filter(users::Column::Email.eq(opened.user.email.as_str()))
            .exec(&self.db)
            .await;
        match result {
            Ok(updated) if updated.rows_affected == 1 => {
                Ok(EmailChange::Changed { email: new_email })
            }
            Ok(_) => Ok(EmailChange::Link(LinkStatus::AlreadyUsed)),
            Err(error) if crate::db::is_unique_violation(&error) => Ok(EmailChange::AddressTaken),
            Err(error) => Err(error.into()),
        }
    }

    /// Deletes the account, its sessions and its unsent emails; the address can sign up
    /// again.
    ///
    /// # Errors
    /// [`AccountsError::Busy`] when the hasher's queue is full; database errors.
    pub async fn delete_account(
        &self,
        user_id: i64,
        current_password: &str,
    ) -> Result<AccountDeletion, AccountsError> {
        let user = self.user(user_id).await?;
        if !self.password_matches(&user, current_password).await? {
            return Ok(AccountDeletion::WrongPassword);
        }
        self.delete_user(user.id).await?;
        Ok(AccountDeletion::Deleted)
    }

    /// Deletes one user with their sessions and unsent emails, in one transaction.
    pub(super) async fn delete_user(&self, user_id: i64) -> Result<(), DbErr> {
        let transaction = self.db.begin().await?;
        let deleted = User::delete_by_id(user_id).exec(&transaction).await?;
        if deleted.rows_affected > 0 {
            OutboxRow::delete_many()
                .filter(outbox::Column::UserId.eq(user_id))
                .filter(outbox::Column::SentAt.is_null())
                .exec(&transaction)
                .await?;
            sessions::end_for_user(&transaction, user_id, None).await?;
        }
        transaction.commit().await
    }
}
