//! The operator's commands (`doorman users …`, `doorman outbox …`): readable by people, and
//! by scripts with `--json`. Each returns the text to print; `main` prints it and turns an
//! [`OperatorError`] into a message and exit status 1.

use std::fmt::Write as _;

use crate::accounts::{Accounts, AccountsError, Email, UserSummary};
use crate::db::entities::outbox;
use crate::outbox::DeliveryStatus;
use crate::outbox::Outbox;

#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error("`{0}` is not an email address")]
    InvalidEmail(String),
    #[error("no account has the address {0}")]
    UnknownUser(String),
    #[error("no failed outbox row has id {0}")]
    UnknownOutboxRow(i64),
    #[error(transparent)]
    Accounts(Box<dyn std::error::Error + Send + Sync>),
    #[error("database error")]
    Database(#[from] sea_orm::DbErr),
}

#[derive(Debug, Clone, Copy)]
pub enum Format {
    Human,
    Json,
}

pub struct Operator {
    pub(crate) accounts: Accounts,
    pub(crate) outbox: Outbox,
}

impl From<AccountsError> for OperatorError {
    fn from(error: AccountsError) -> Self {
        OperatorError::Accounts(Box::new(error))
    }
}

impl Operator {
    /// # Errors
    /// Database errors.
    pub async fn list_users(
        &self,
        unconfirmed_only: bool,
        format: Format,
    ) -> Result<String, OperatorError> {
        let users = self.accounts.list_users(unconfirmed_only).await?;
        Ok(match format {
            Format::Json => to_json(&users),
            Format::Human => {
                let mut out = format!(
                    "{:>6}  {:<40}  {:<20}  {}\n",
                    "ID", "EMAIL", "CREATED", "CONFIRMED"
                );
                for user in &users {
                    out.push_str(&user_line(user));
                }
                let _ = write!(out, "{} account(s)", users.len());
                out
            }
        })
    }

    /// # Errors
    /// [`OperatorError::UnknownUser`] when no account has the address.
    pub async fn show_user(&self, email: &str, format: Format) -> Result<String, OperatorError> {
        let user = self.user(email).await?;
        Ok(match format {
            Format::Json => to_json(&user),
            Format::Human => format!(
                "id:           {}\nemail:        {}\ncreated:      {}\nconfirmed:    {}",
                user.id,
                user.email,
                user.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                user.confirmed_at.map_or_else(
                    || "no".to_owned(),
                    |at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
                ),
            ),
        })
    }

    /// # Errors
    /// [`OperatorError::UnknownUser`] when no account has the address.
    pub async fn confirm_user(&self, email: &str) -> Result<String, OperatorError> {
        let user = self.user(email).await?;
        Ok(if self.accounts.confirm_by_operator(user.id).await? {
            format!("confirmed {}", user.email)
        } else {
            format!("{} was already confirmed", user.email)
        })
    }

    /// # Errors
    /// [`OperatorError::UnknownUser`] when no account has the address.
    pub async fn delete_user(&self, email: &str) -> Result<String, OperatorError> {
        let user = self.user(email).await?;
        self.accounts.delete_by_operator(user.id).await?;
        Ok(format!(
            "deleted {} with its sessions and unsent emails",
            user.email
        ))
    }

    /// # Errors
    /// Database errors.
    pub async fn list_outbox(
        &self,
        failed_only: bool,
        format: Format,
    ) -> Result<String, OperatorError> {
        let rows = self.outbox.list(failed_only).await?;
        Ok(match format {
            Format::Json => to_json(&rows.iter().map(OutboxSummary::from).collect::<Vec<_>>()),
            Format::Human => {
                let mut out = format!(
                    "{:>6}  {:<26}  {:<21}  {:<40}  {:>8}  {:<8}  {}\n",
                    "ID", "KIND", "EVENT", "RECIPIENT", "ATTEMPTS", "STATUS", "LAST ERROR"
                );
                for row in &rows {
                    let summary = OutboxSummary::from(row);
                    let _ = writeln!(
                        out,
                        "{:>6}  {:<26}  {:<21}  {:<40}  {:>8}  {:<8}  {}",
                        summary.id,
                        summary.kind,
                        summary.event.unwrap_or_default(),
                        summary.recipient,
                        summary.attempts,
                        summary.status,
                        summary
                            .skip_reason
                            .or(summary.last_error)
                            .unwrap_or_default()
                    );
                }
                let _ = write!(out, "{} row(s)", rows.len());
                out
            }
        })
    }

    /// Requeues one given-up row, or all of them with `None`.
    ///
    /// # Errors
    /// [`OperatorError::UnknownOutboxRow`] when the id names no failed row.
    pub async fn retry_outbox(&self, id: Option<i64>) -> Result<String, OperatorError> {
        let requeued = self.outbox.retry_failed(id).await?;
        match id {
            Some(id) if requeued == 0 => Err(OperatorError::UnknownOutboxRow(id)),
            _ => Ok(format!("requeued {requeued} row(s)")),
        }
    }

    async fn user(&self, email: &str) -> Result<UserSummary, OperatorError> {
        let parsed =
            Email::parse(email).map_err(|_| OperatorError::InvalidEmail(email.to_owned()))?;
        self.accounts
            .user_by_email(&parsed)
            .await?
            .ok_or_else(|| OperatorError::UnknownUser(email.to_owned()))
    }
}

#[derive(serde::Serialize)]
struct OutboxSummary {
    id: i64,
    kind: String,
    /// An account event's type.
    event: Option<String>,
    recipient: String,
    attempts: i32,
    status: &'static str,
    created_at: chrono::DateTime<chrono::Utc>,
    next_attempt_at: chrono::DateTime<chrono::Utc>,
    sent_at: Option<chrono::DateTime<chrono::Utc>>,
    failed_at: Option<chrono::DateTime<chrono::Utc>>,
    last_error: Option<String>,
    skip_reason: Option<String>,
}

impl From<&outbox::Model> for OutboxSummary {
    fn from(row: &outbox::Model) -> Self {
        let status = DeliveryStatus::of(row).label();
        Self {
            id: row.id,
            kind: row.kind.label(),
            event: row.event.clone(),
            recipient: row.recipient.clone(),
            attempts: row.attempts,
            status,
            created_at: row.created_at,
            next_attempt_at: row.next_attempt_at,
            sent_at: row.sent_at,
            failed_at: row.failed_at,
            last_error: row.last_error.clone(),
            skip_reason: row.skip_reason.clone(),
        }
    }
}

fn user_line(user: &UserSummary) -> String {
    format!(
        "{:>6}  {:<40}  {:<20}  {}\n",
        user.id,
        user.email,
        user.created_at.format("%Y-%m-%d %H:%M:%S"),
        user.confirmed_at.map_or_else(
            || "no".to_owned(),
            |at| at.format("%Y-%m-%d %H:%M:%S").to_string()
        )
    )
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("summaries always serialize")
}
