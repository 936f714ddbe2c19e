//! Sessions in the application database (tower-sessions), so they survive restarts and are
//! shared by every instance, and [`TypedSession`], the only reader and writer of what a
//! session holds.
//!
//! Rows are keyed by the SHA-256 of the session id, never the id itself: a copy of the
//! database does not let anyone ride a session. The logged-in user's id is copied into its
//! own column so every session of a user can be ended with one statement.

mod typed;

pub(crate) use typed::{EmailSignInState, LoginPlace, SignupState, TypedSession};

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, FromQueryResult, IdenStatic, Iterable, QueryFilter, Statement,
};
use sha2::{Digest, Sha256};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use typed::Data;

use crate::accounts::SessionGrant;
use crate::db::entities::sessions::{self, Entity as SessionRow};
use crate::db::entities::users;

#[derive(Debug, Clone)]
pub(crate) struct DatabaseSessionStore {
    db: DatabaseConnection,
}

impl DatabaseSessionStore {
    pub(crate) fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The login the session `id` holds and the account it names, in one query: forward
    /// auth, which every request of the application behind the proxy pays, asks this.
    /// Whether the login still holds is [`crate::accounts::Account::logged_in`]'s to say.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn login_with_account(
        &self,
        id: &Id,
    ) -> Result<Option<(SessionGrant, users::Model)>, DbErr> {
        let backend = self.db.get_database_backend();
        let p = if backend == DbBackend::Postgres {
            "$"
        } else {
            "?"
        };
        // The account's columns named, not `u.*` (see `Outbox::claim_due`).
        let columns: Vec<String> = users::Column::iter()
            .map(|column| format!("u.{}", column.as_str()))
            .collect();
        let sql = format!(
            "SELECT s.data AS session_data, {} \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id = {p}1 AND s.expires_at > {p}2",
            columns.join(", ")
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
        let data: Data =
            serde_json::from_str(&row.try_get::<String>("", "session_data")?).unwrap_or_default();
        let Some(grant) = typed::login_in(&data) else {
            return Ok(None);
        };
        Ok(Some((grant, users::Model::from_query_result(&row, "")?)))
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

/// A live session of an account, as the console lists it.
#[derive(Debug, Clone)]
pub(crate) struct StoredSession {
    pub(crate) started_at: Option<chrono::DateTime<Utc>>,
    pub(crate) last_seen_at: Option<chrono::DateTime<Utc>>,
    pub(crate) client_ip: Option<String>,
    pub(crate) user_agent: Option<String>,
}

/// The live sessions of `user_id`, most recently seen first.
///
/// # Errors
/// Database errors.
pub(crate) async fn of_user(
    db: &DatabaseConnection,
    user_id: i64,
) -> Result<Vec<StoredSession>, DbErr> {
    let rows = SessionRow::find()
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::ExpiresAt.gt(Utc::now().timestamp()))
        .all(db)
        .await?;
    let at = |seconds: i64| chrono::DateTime::from_timestamp(seconds, 0);
    let mut listed: Vec<StoredSession> = rows
        .iter()
        .map(|row| {
            let data: Data = serde_json::from_str(&row.data).unwrap_or_default();
            let (place, seen) = typed::place_in(&data);
            let place = place.unwrap_or_default();
            StoredSession {
                started_at: at(place.started_at).filter(|_| place.started_at > 0),
                last_seen_at: seen.and_then(at),
                client_ip: place.client_ip,
                user_agent: place.user_agent,
            }
        })
        .collect();
    listed.sort_by_key(|session| std::cmp::Reverse(session.last_seen_at));
    Ok(listed)
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
    let user_id = typed::login_in(&record.data).map(|grant| grant.user_id);
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
