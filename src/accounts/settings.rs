//! The logged-in account, and what its owner can change on the account page: the
//! password and the account's existence. The address change has its own flow,
//! `email_change`.

use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};
use tower_sessions::session::Id as SessionId;

use super::{
    Account, Accounts, AccountsError, ConfirmAddress, CurrentPassword, Email, SessionGrant, UserKey,
};
use crate::db::entities::users::{self, Entity as User};
use crate::events::{AccountData, AccountEvent};
use crate::passwords::{NewPassword, PasswordRejection};
use crate::sessions;

#[derive(Debug)]
pub(crate) enum PasswordChange {
    /// Changed; the browser that changed it stays logged in with this grant.
    Changed(SessionGrant),
    WrongPassword,
    Rejected(PasswordRejection),
}

#[derive(Debug)]
pub(crate) enum AccountDeletion {
    Deleted,
    WrongPassword,
}

/// An account that may hold an application's tokens: confirmed, with the credential
/// version that ends them when it changes.
#[derive(Debug, Clone)]
pub(crate) struct TokenHolder {
    pub(crate) id: i64,
    pub(crate) email: Email,
    /// The language it signed up in.
    pub(crate) locale: Option<String>,
    pub(crate) credential_version: i32,
}

impl Accounts {
    /// The account `user_id`, if it may hold tokens now.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn token_holder(
        &self,
        user_id: i64,
    ) -> Result<Option<TokenHolder>, AccountsError> {
        Ok(self
            .find_user(&self.db, UserKey::Id(user_id))
            .await?
            .filter(|user| user.confirmed_at.is_some() && user.disabled_at.is_none())
            .map(|user| TokenHolder {
                id: user.id,
                email: Email::from_stored(user.email),
                locale: user.locale,
                credential_version: user.credential_version,
            }))
    }

    /// The account a logged-in session's `grant` names, while the grant holds (see
    /// [`Account::logged_in`]).
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn logged_in(
        &self,
        grant: &SessionGrant,
    ) -> Result<Option<Account>, AccountsError> {
        Ok(self
            .find_user(&self.db, UserKey::Id(grant.user_id))
            .await?
            .and_then(|user| Account::logged_in(user, grant)))
    }

    /// Changes the password after checking the current one, ends every other session and
    /// tells the owner.
    ///
    /// # Errors
    /// [`AccountsError::Throttled`] past the failed-login limits; [`AccountsError::Busy`]
    /// when the hasher's queue is full; database errors.
    pub(crate) async fn change_password(
        &self,
        user_id: i64,
        current: &CurrentPassword,
        new_password: &str,
        keep_session: Option<&SessionId>,
    ) -> Result<PasswordChange, AccountsError> {
        let Some(user) = self.user_proving(user_id, current).await? else {
            return Ok(PasswordChange::WrongPassword);
        };
        let password =
            match NewPassword::parse(new_password, &user.email, self.rules.password_min_length) {
                Ok(password) => password,
                Err(reason) => return Ok(PasswordChange::Rejected(reason)),
            };
        match self
            .replace_password(&user, &password, keep_session, ConfirmAddress::No)
            .await?
        {
            Some(grant) => Ok(PasswordChange::Changed(grant)),
            // Changed by another request meanwhile: the current password no longer holds.
            None => Ok(PasswordChange::WrongPassword),
        }
    }

    /// Deletes the account, its sessions and its unsent emails; the address can sign up
    /// again.
    ///
    /// # Errors
    /// [`AccountsError::Throttled`] past the failed-login limits; [`AccountsError::Busy`]
    /// when the hasher's queue is full; database errors.
    pub(crate) async fn delete_account(
        &self,
        user_id: i64,
        current: &CurrentPassword,
    ) -> Result<AccountDeletion, AccountsError> {
        let Some(user) = self.user_proving(user_id, current).await? else {
            return Ok(AccountDeletion::WrongPassword);
        };
        self.delete_user(user.id, DeleteIf::Always).await?;
        Ok(AccountDeletion::Deleted)
    }

    /// Deletes one user with their sessions and unsent emails, in one transaction, and
    /// tells the application (`user.deleted`). Its account events still on their way stay
    /// queued. Returns whether it deleted anyone: the user may be gone already, or (with
    /// [`DeleteIf::Unconfirmed`]) have confirmed meanwhile.
    pub(super) async fn delete_user(&self, user_id: i64, only: DeleteIf) -> Result<bool, DbErr> {
        let Some(user) = self.find_user(&self.db, UserKey::Id(user_id)).await? else {
            return Ok(false);
        };
        let transaction = crate::db::begin_write(&self.db).await?;
        let mut delete = User::delete_many().filter(users::Column::Id.eq(user_id));
        if only == DeleteIf::Unconfirmed {
            delete = delete.filter(users::Column::ConfirmedAt.is_null());
        }
        let deleted = delete.exec(&transaction).await?.rows_affected > 0;
        if deleted {
            self.outbox
                .cancel_unsent_emails(&transaction, user_id)
                .await?;
            sessions::end_for_user(&transaction, user_id, None).await?;
            self.tell(&transaction, AccountEvent::Deleted(AccountData::of(&user)))
                .await?;
        }
        transaction.commit().await?;
        self.recent.forget(user_id);
        self.outbox.wake();
        Ok(deleted)
    }
}

/// Which users [`Accounts::delete_user`] may delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DeleteIf {
    Always,
    /// Only while unconfirmed: housekeeping must not delete an account confirmed between
    /// finding it stale and deleting it.
    Unconfirmed,
}
