//! What operators and housekeeping do to accounts: list, inspect, confirm, delete, expire.

use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::settings::DeleteIf;
use super::{Accounts, AccountsError, Email, UserKey, UserSummary};
use crate::db::entities::users::{self, Entity as User};

impl Accounts {
    /// Every account, oldest first; only the unconfirmed ones when asked.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn list_users(
        &self,
        unconfirmed_only: bool,
    ) -> Result<Vec<UserSummary>, AccountsError> {
        let mut query = User::find().order_by_asc(users::Column::Id);
        if unconfirmed_only {
            query = query.filter(users::Column::ConfirmedAt.is_null());
        }
        Ok(query
            .all(&self.db)
            .await?
            .into_iter()
            .map(UserSummary::from)
            .collect())
    }

    /// # Errors
    /// Database errors.
    pub(crate) async fn user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<UserSummary>, AccountsError> {
        Ok(self
            .find_user(&self.db, UserKey::Email(email))
            .await?
            .map(UserSummary::from))
    }

    /// Confirms an address by an operator's word, and tells the application
    /// (`user.confirmed`), in one transaction. Returns `false` when it already was.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn confirm_by_operator(&self, user_id: i64) -> Result<bool, AccountsError> {
        let transaction = crate::db::begin_write(&self.db).await?;
        let Some(user) = self.find_user(&transaction, UserKey::Id(user_id)).await? else {
            return Ok(false);
        };
        let updated = User::update_many()
            .col_expr(users::Column::ConfirmedAt, Expr::value(self.clock.now()))
            .filter(users::Column::Id.eq(user_id))
            .filter(users::Column::ConfirmedAt.is_null())
            .exec(&transaction)
            .await?;
        if updated.rows_affected == 0 {
            return Ok(false);
        }
        self.commit_confirmation(transaction, &user).await?;
        Ok(true)
    }

    /// Deletes an account, its sessions and its unsent emails.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn delete_by_operator(&self, user_id: i64) -> Result<(), AccountsError> {
        self.delete_user(user_id, DeleteIf::Always).await?;
        Ok(())
    }

    /// Deletes accounts never confirmed within `older_than`, with their unsent emails, so
    /// their addresses can sign up again. Sent emails stay: they still count towards the
    /// per-address cap.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn delete_stale_unconfirmed(
        &self,
        older_than: Duration,
    ) -> Result<u64, AccountsError> {
        let cutoff = self.clock.now() - chrono::Duration::from_std(older_than).unwrap_or_default();
        let stale: Vec<i64> = User::find()
            .select_only()
            .column(users::Column::Id)
            .filter(users::Column::ConfirmedAt.is_null())
            .filter(users::Column::CreatedAt.lt(cutoff))
            .into_tuple()
            .all(&self.db)
            .await?;
        // One at a time, like an account deleted from its page: its sessions and unsent
        // emails go with it and the application hears `user.deleted`. Another instance
        // sweeping at the same moment deletes (and tells) each account once.
        let mut deleted = 0;
        for user_id in stale {
            if self.delete_user(user_id, DeleteIf::Unconfirmed).await? {
                deleted += 1;
            }
        }
        Ok(deleted)
    }
}
