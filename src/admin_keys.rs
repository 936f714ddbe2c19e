//! The admin API's bearer keys (SPEC §15): made by `doorman admin-keys create NAME`, shown
//! once, stored as the SHA-256 of the key (256 random bits need no slow hash), named in
//! the audit log of everything done with them, revoked by name.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::db::entities::admin_keys::{self, Entity as KeyRow};

/// How often a key's "last used" is written: at most once a minute per key.
const LAST_USED_EVERY: chrono::Duration = chrono::Duration::minutes(1);

#[derive(Debug, thiserror::Error)]
pub(crate) enum AdminKeyError {
    #[error("a key named {0} exists already")]
    NameTaken(String),
    #[error("a key's name is 1 to 100 letters, digits, `-`, `_` or `.`")]
    BadName,
    #[error("database error")]
    Database(#[from] DbErr),
}

/// A key as `admin-keys list` shows it: never the key.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct KeySummary {
    pub(crate) name: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) last_used_at: Option<DateTime<Utc>>,
}

#[derive(Clone)]
pub(crate) struct AdminKeys {
    db: DatabaseConnection,
    clock: Clock,
}

fn digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

impl AdminKeys {
    pub(crate) fn new(db: DatabaseConnection, clock: Clock) -> Self {
        Self { db, clock }
    }

    /// Makes a key named `name`; returns it, the only time it is ever seen.
    ///
    /// # Errors
    /// [`AdminKeyError::NameTaken`], [`AdminKeyError::BadName`]; database errors.
    pub(crate) async fn create(&self, name: &str) -> Result<SecretString, AdminKeyError> {
        let valid = !name.is_empty()
            && name.len() <= 100
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(AdminKeyError::BadName);
        }
        let key = format!("dmk_{}", hex::encode(crate::keys::random_bytes::<32>()));
        let inserted = KeyRow::insert(admin_keys::ActiveModel {
            name: Set(name.to_owned()),
            key_hash: Set(digest(&key)),
            created_at: Set(self.clock.now()),
            last_used_at: Set(None),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([admin_keys::Column::Name])
        .exec(&self.db)
        .await?;
        match inserted {
            sea_orm::TryInsertResult::Inserted(_) => Ok(SecretString::from(key)),
            _ => Err(AdminKeyError::NameTaken(name.to_owned())),
        }
    }

    /// Every key, oldest first.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn list(&self) -> Result<Vec<KeySummary>, AdminKeyError> {
        Ok(KeyRow::find()
            .order_by_asc(admin_keys::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| KeySummary {
                name: row.name,
                created_at: row.created_at,
                last_used_at: row.last_used_at,
            })
            .collect())
    }

    /// Revokes the key `name` at once; `false` when there is none.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn revoke(&self, name: &str) -> Result<bool, AdminKeyError> {
        Ok(KeyRow::delete_many()
            .filter(admin_keys::Column::Name.eq(name))
            .exec(&self.db)
            .await?
            .rows_affected
            > 0)
    }

    /// The name of the key `presented` is, if it is one.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn authenticate(
        &self,
        presented: &str,
    ) -> Result<Option<String>, AdminKeyError> {
        // Looked up by its digest: the comparison is the index's, on a value the caller
        // cannot steer (SHA-256 of what they sent).
        let Some(row) = KeyRow::find()
            .filter(admin_keys::Column::KeyHash.eq(digest(presented)))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let now = self.clock.now();
        if row
            .last_used_at
            .is_none_or(|used| now - used >= LAST_USED_EVERY)
        {
            KeyRow::update_many()
                .col_expr(admin_keys::Column::LastUsedAt, Expr::value(now))
                .filter(admin_keys::Column::Id.eq(row.id))
                .exec(&self.db)
                .await?;
        }
        Ok(Some(row.name))
    }
}
