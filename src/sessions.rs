//! Sessions in the application database (tower-sessions), so they survive restarts and are
//! shared by every instance.
//!
//! Rows are keyed by the SHA-256 of the session id, never the id itself: a copy of the
//! database does not let anyone ride a session. The logged-in user's id is copied into its
//! own column so every session of a user can be ended with one statement.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, Statement,
};
use sha2::{Digest, Sha256};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::db::entities::sessions::{self, Entity as SessionRow};

/// The session key holding the logged-in user's id.
pub(crate) const USER_ID_KEY: &str = "user_id";
/// The session key holding the credential version the login proved; a session whose
/// version is not the account's is not logged in.
pub(crate) const CREDENTIAL_VERSION_KEY: &str = "credential_version";
/// The address this browser signed up with (any sign-up, new address or known).
pub(crate) const SIGNUP_ADDRESS_KEY: &str = "signup_address";
/// Only in the session whose sign-up created the account: the account and the credential
/// version it stored (SPEC §9).
pub(crate) const SIGNUP_BINDING_KEY: &str = "signup_binding";
/// Where this browser's sign-up was headed (a checked `return_to`).
pub(crate) const SIGNUP_RETURN_TO_KEY: &str = "signup_return_to";

#[derive(Debug, Clone)]
pub(crate) struct DatabaseSessionStore {
    db: DatabaseConnection,
}

impl DatabaseSessionStore {
    pub(crate) fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The id and address of the confirmed account the session `id` is logged in to, if
    /// the session still holds the account's credential version: the session and the
    /// account in one query, for forward auth, which every request of the application
    /// behind the proxy pays.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn logged_in_account(&self, id: &Id) -> Result<Option<(i64, String)>, DbErr> {
        let backend = self.db.get_database_backend();
        let p = if backend == DbBackend::Postgres {
            "$"
        } else {
            "?"
        };
        let sql = format!(
            "SELECT s.data, u.id, u.email, u.credential_version, \
                 CASE WHEN u.confirmed_at IS NULL THEN 0 ELSE 1 END AS confirmed \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id = {p}1 AND s.expires_at > {p}2"
        );
        let Some(row) = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [storage_key(id).into(), Utc::now().timestamp().into()],
            ))
            .await?
        else {
            return Ok(None);
        };
        let data: serde_json::Value =
            serde_json::from_str(&row.try_get::<String>("", "data")?).unwrap_or_default();
        let user_id: i64 = row.try_get("", "id")?;
        let version: i32 = row.try_get("", "credential_version")?;
        let confirmed: i32 = row.try_get("", "confirmed")?;
        let holds = data[USER_ID_KEY].as_i64() == Some(user_id)
            && data[CREDENTIAL_VERSION_KEY].as_i64() == Some(i64::from(version))
            && confirmed == 1;
        if !holds {
            return Ok(None);
        }
        Ok(Some((user_id, row.try_get("", "email")?)))
    }
}

/// Ends every session of `user_id` except `keep` (the browser that made the change).
///
/// # Errors
/// Database errors.
pub(crate) async fn end_for_user<C: ConnectionTrait>(
    connection: &C,
    user_id: i64,
    keep: Option<&Id>,
) -> Result<u64, DbErr> {
    let mut delete = SessionRow::delete_many().filter(sessions::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        delete = delete.filter(sessions::Column::Id.ne(storage_key(keep)));
    }
    Ok(delete.exec(connection).await?.rows_affected)
}

/// Removes sessions past their expiry.
///
/// # Errors
/// Database errors.
pub(crate) async fn delete_expired(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let result = SessionRow::delete_many()
        .filter(sessions::Column::ExpiresAt.lte(Utc::now().timestamp()))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

fn storage_key(id: &Id) -> String {
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

fn to_row(record: &Record) -> session_store::Result<sessions::ActiveModel> {
    let data = serde_json::to_string(&record.data)
        .map_err(|error| session_store::Error::Encode(error.to_string()))?;
    let user_id = record
        .data
        .get(USER_ID_KEY)
        .and_then(serde_json::Value::as_i64);
    Ok(sessions::ActiveModel {
        id: Set(storage_key(&record.id)),
        user_id: Set(user_id),
        data: Set(data),
        expires_at: Set(record.expiry_date.unix_timestamp()),
    })
}

fn backend(error: DbErr) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

#[async_trait::async_trait]
impl SessionStore for DatabaseSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // 128 random bits make a clash all but impossible; if one happens, draw again
        // rather than overwrite someone else's session.
        loop {
            let inserted = SessionRow::insert(to_row(record)?)
                .on_conflict_do_nothing_on([sessions::Column::Id])
                .exec(&self.db)
                .await
                .map_err(backend)?;
            if matches!(inserted, sea_orm::TryInsertResult::Inserted(_)) {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        SessionRow::insert(to_row(record)?)
            .on_conflict(
                OnConflict::column(sessions::Column::Id)
                    .update_columns([
                        sessions::Column::UserId,
                        sessions::Column::Data,
                        sessions::Column::ExpiresAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(row) = SessionRow::find_by_id(storage_key(id))
            .filter(sessions::Column::ExpiresAt.gt(Utc::now().timestamp()))
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data)
            .map_err(|error| session_store::Error::Decode(error.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at)
            .map_err(|error| session_store::Error::Decode(error.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        SessionRow::delete_by_id(storage_key(id))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
