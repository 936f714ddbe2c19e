//! Accounts arriving from another system, and leaving for one (SPEC §16): one account a
//! JSON line, with its password hash as that system made it. A line is parsed whole before
//! anything is written; an address that already has an account is skipped, never
//! overwritten. Imported accounts get no email and raise no webhook: their owners already
//! have them. Each gets an `imported` audit event, in the transaction that creates it.

use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{Accounts, AccountsError, Email, EmailRejection};
use crate::audit::{self, Action, Concerned};
use crate::db::entities::users::{self, Entity as User};
use crate::i18n::Language;

/// One line of an import, as written.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportLine {
    email: String,
    #[serde(default)]
    password_hash: Option<String>,
    #[serde(default)]
    confirmed: bool,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    locale: Option<String>,
}

/// Why a line cannot be imported; nothing of it is written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum LineProblem {
    #[error("not a JSON object of the import format: {0}")]
    Json(String),
    #[error("`email`: {0}")]
    Email(EmailRejection),
    #[error(
        "`password_hash` is in no format Doorman knows (Django, bcrypt, argon2, scrypt, PBKDF2)"
    )]
    UnknownHashFormat,
    #[error("`created_at` is not an RFC 3339 time like 2021-06-01T12:00:00Z")]
    CreatedAt,
    #[error("`locale` is none of en, de, fr")]
    Locale,
}

/// An account as an import brings it, checked.
#[derive(Debug)]
pub(crate) struct ImportedAccount {
    email: Email,
    /// Empty for an account without a password (it signs in by email or resets).
    password_hash: String,
    confirmed: bool,
    created_at: DateTime<Utc>,
    locale: Option<Language>,
}

impl ImportedAccount {
    /// Parses one line; `now` is the creation time of a line that gives none.
    ///
    /// # Errors
    /// The first thing wrong with the line.
    pub(crate) fn parse(line: &str, now: DateTime<Utc>) -> Result<Self, LineProblem> {
        let line: ImportLine =
            serde_json::from_str(line).map_err(|error| LineProblem::Json(error.to_string()))?;
        let email = Email::parse(&line.email).map_err(LineProblem::Email)?;
        let password_hash = line.password_hash.unwrap_or_default();
        if !password_hash.is_empty() && !crate::passwords::is_recognised_hash(&password_hash) {
            return Err(LineProblem::UnknownHashFormat);
        }
        let created_at = match line.created_at {
            Some(text) => DateTime::parse_from_rfc3339(&text)
                .map_err(|_| LineProblem::CreatedAt)?
                .with_timezone(&Utc),
            None => now,
        };
        let locale = line
            .locale
            .map(|tag| Language::from_tag(&tag).ok_or(LineProblem::Locale))
            .transpose()?;
        Ok(Self {
            email,
            password_hash,
            confirmed: line.confirmed,
            created_at,
            locale,
        })
    }

    pub(crate) fn email(&self) -> &Email {
        &self.email
    }
}

/// An account as `users export` writes it: the import's format.
#[derive(Debug, serde::Serialize)]
pub(crate) struct ExportedAccount {
    pub(crate) email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) password_hash: Option<String>,
    pub(crate) confirmed: bool,
    pub(crate) created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) locale: Option<String>,
    /// Where the next page starts.
    #[serde(skip)]
    pub(crate) id: i64,
}

impl Accounts {
    /// Inserts `accounts` in one statement, in the order given, and answers for each
    /// whether it went in: `false` for an address that already had an account (or came
    /// earlier in `accounts`). With `dry_run` the statement's transaction is rolled back,
    /// so the answers are the same and nothing is written.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn import(
        &self,
        accounts: &[ImportedAccount],
        dry_run: bool,
    ) -> Result<Vec<bool>, AccountsError> {
        if accounts.is_empty() {
            return Ok(Vec::new());
        }
        let mut insert = Query::insert();
        insert
            .into_table(User)
            .columns([
                users::Column::Email,
                users::Column::EmailNormalized,
                users::Column::EmailDomain,
                users::Column::PasswordHash,
                users::Column::CreatedAt,
                users::Column::ConfirmedAt,
                users::Column::Locale,
            ])
            .on_conflict(
                OnConflict::column(users::Column::EmailNormalized)
                    .do_nothing()
                    .to_owned(),
            )
            .returning(Query::returning().columns([
                users::Column::Id,
                users::Column::Email,
                users::Column::EmailNormalized,
            ]));
        for account in accounts {
            // When it was confirmed is not known; its creation is the earliest it can be.
            let confirmed_at = account.confirmed.then_some(account.created_at);
            insert.values_panic([
                account.email.as_str().into(),
                account.email.normalized().into(),
                account.email.domain().into(),
                account.password_hash.clone().into(),
                account.created_at.into(),
                confirmed_at.into(),
                account
                    .locale
                    .map(|language| language.tag().to_owned())
                    .into(),
            ]);
        }
        let transaction = crate::db::begin_write(&self.db).await?;
        let statement = transaction.get_database_backend().build(&insert);
        let rows: Vec<(i64, String, String)> = transaction
            .query_all_raw(statement)
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.try_get_by_index(0)?,
                    row.try_get_by_index(1)?,
                    row.try_get_by_index(2)?,
                ))
            })
            .collect::<Result<_, DbErr>>()?;
        let created: Vec<Concerned<'_>> = rows
            .iter()
            .map(|(user_id, email, _)| Concerned {
                user_id: *user_id,
                email,
            })
            .collect();
        audit::record_each(&transaction, self.clock.now(), Action::Imported, &created).await?;
        let inserted: HashSet<&str> = rows
            .iter()
            .map(|(_, _, normalized)| normalized.as_str())
            .collect();
        if dry_run {
            transaction.rollback().await?;
        } else {
            transaction.commit().await?;
        }
        // A duplicate within `accounts` is inserted once, as its first line.
        let mut claimed = HashSet::new();
        Ok(accounts
            .iter()
            .map(|account| {
                let normalized = account.email.normalized();
                inserted.contains(normalized.as_str()) && claimed.insert(normalized)
            })
            .collect())
    }

    /// Up to `limit` accounts after id `after`, oldest first, as `users export` writes them.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn export_page(
        &self,
        after: i64,
        limit: u64,
    ) -> Result<Vec<ExportedAccount>, AccountsError> {
        let users = User::find()
            .filter(users::Column::Id.gt(after))
            .order_by_asc(users::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        Ok(users
            .into_iter()
            .map(|user| ExportedAccount {
                id: user.id,
                password_hash: super::login::stored_password(&user).map(str::to_owned),
                confirmed: user.confirmed_at.is_some(),
                created_at: user.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                locale: user.locale,
                email: user.email,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<ImportedAccount, LineProblem> {
        ImportedAccount::parse(line, Utc::now())
    }

    #[test]
    fn a_line_needs_only_an_address() {
        let account = parse(r#"{"email": "Ada@Example.com"}"#).unwrap();
        assert_eq!(account.email.as_str(), "Ada@Example.com");
        assert!(account.password_hash.is_empty() && !account.confirmed);
        assert_eq!(account.locale, None);
    }

    #[test]
    fn each_bad_line_says_what_is_wrong() {
        for (line, problem) in [
            (
                r#"{"email": "not an address"}"#,
                LineProblem::Email(EmailRejection::Malformed),
            ),
            (
                r#"{"email": "a@example.com", "password_hash": "md5$x$y"}"#,
                LineProblem::UnknownHashFormat,
            ),
            (
                r#"{"email": "a@example.com", "created_at": "yesterday"}"#,
                LineProblem::CreatedAt,
            ),
            (
                r#"{"email": "a@example.com", "locale": "xx"}"#,
                LineProblem::Locale,
            ),
        ] {
            assert_eq!(parse(line).unwrap_err(), problem, "{line}");
        }
        for line in [
            "",
            "{",
            "[]",
            r#"{"mail": "a@example.com"}"#,
            r#"{"email": "a@example.com", "confirmed": "yes"}"#,
            r#"{"email": "a@example.com", "password": "plain text"}"#,
        ] {
            assert!(matches!(parse(line), Err(LineProblem::Json(_))), "{line}");
        }
    }
}
