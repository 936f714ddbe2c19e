//! The operator's commands (`doorman users …`, `doorman outbox …`): readable by people, and
//! by scripts with `--json`. Each returns the text to print; `main` prints it and turns an
//! [`OperatorError`] into a message and exit status 1.

mod transfer;

use std::fmt::Write as _;
use std::sync::Arc;

pub use transfer::ImportSummary;

use crate::accounts::{Accounts, AccountsError, AdminOutcome, Email, UserSummary};
use crate::admin_keys::{AdminKeyError, AdminKeys};
use crate::audit::{self, Actor, AuditFilter};
use crate::db::entities::outbox;
use crate::oidc::{NewClient, Oidc, OidcError, parse_redirect_uri};
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
    #[error("no client has the id {0}")]
    UnknownClient(String),
    #[error("{0}")]
    InvalidRedirectUri(String),
    #[error("client {0} is public: it has no secret to rotate")]
    PublicClient(String),
    #[error("no admin key is named {0}")]
    UnknownAdminKey(String),
    #[error(transparent)]
    AdminKey(Box<dyn std::error::Error + Send + Sync>),
    #[error(transparent)]
    Oidc(Box<dyn std::error::Error + Send + Sync>),
    #[error(transparent)]
    Accounts(Box<dyn std::error::Error + Send + Sync>),
    #[error("database error")]
    Database(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Clone, Copy)]
pub enum Format {
    Human,
    Json,
}

pub struct Operator {
    pub(crate) accounts: Accounts,
    pub(crate) outbox: Outbox,
    pub(crate) oidc: Arc<Oidc>,
    pub(crate) admin_keys: AdminKeys,
}

/// A client as `doorman clients add` registers it.
pub struct ClientRegistration {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// A public client (a browser or native app) has no secret and must use PKCE.
    pub public: bool,
    /// Its people are not asked for consent.
    pub first_party: bool,
}

impl From<OidcError> for OperatorError {
    fn from(error: OidcError) -> Self {
        OperatorError::Oidc(Box::new(error))
    }
}

impl From<AdminKeyError> for OperatorError {
    fn from(error: AdminKeyError) -> Self {
        OperatorError::AdminKey(Box::new(error))
    }
}

impl From<AccountsError> for OperatorError {
    fn from(error: AccountsError) -> Self {
        OperatorError::Accounts(Box::new(error))
    }
}

/// Runs an operator's command: what it changes is recorded as done by `cli`.
pub async fn as_cli<F: Future>(work: F) -> F::Output {
    audit::scope(
        audit::Context {
            actor: Actor::Cli,
            client: None,
            user_agent: None,
        },
        work,
    )
    .await
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
                    "{:>6}  {:<40}  {:<20}  {:<20}  {}\n",
                    "ID", "EMAIL", "CREATED", "CONFIRMED", "ROLE / STATE"
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
            Format::Human => {
                let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
                    at.map_or_else(
                        || "no".to_owned(),
                        |at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                    )
                };
                format!(
                    "id:           {}\nemail:        {}\ncreated:      {}\nconfirmed:    {}\ndisabled:     {}\nlast login:   {}\nadmin:        {}",
                    user.id,
                    user.email,
                    user.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    when(user.confirmed_at),
                    when(user.disabled_at),
                    when(user.last_login_at),
                    if user.admin { "yes" } else { "no" },
                )
            }
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

    /// `doorman users invite EMAIL [--return-to URL]`: queues an invitation.
    ///
    /// # Errors
    /// [`OperatorError::InvalidEmail`]; sign-up is closed; database errors.
    pub async fn invite(
        &self,
        email: &str,
        return_to: Option<&str>,
    ) -> Result<String, OperatorError> {
        let parsed =
            Email::parse(email).map_err(|_| OperatorError::InvalidEmail(email.to_owned()))?;
        self.accounts.invite(&parsed, return_to).await?;
        Ok(format!("invitation to {} queued", parsed.as_str()))
    }

    /// `doorman users promote|demote`: gives or takes the admin role.
    ///
    /// # Errors
    /// [`OperatorError::UnknownUser`] when no account has the address.
    pub async fn set_admin(&self, email: &str, admin: bool) -> Result<String, OperatorError> {
        let parsed =
            Email::parse(email).map_err(|_| OperatorError::InvalidEmail(email.to_owned()))?;
        match self.accounts.set_admin(&parsed, admin).await? {
            AdminOutcome::Done(user) if admin => Ok(format!("{} is an admin", user.email)),
            AdminOutcome::Done(user) => Ok(format!("{} is not an admin", user.email)),
            AdminOutcome::NoSuchUser => Err(OperatorError::UnknownUser(email.to_owned())),
        }
    }

    /// `doorman audit list [--account EMAIL]`: the newest events first.
    ///
    /// # Errors
    /// [`OperatorError::UnknownUser`] for an address without an account; database errors.
    pub async fn list_audit(
        &self,
        account: Option<&str>,
        limit: u64,
        format: Format,
    ) -> Result<String, OperatorError> {
        let user_id = match account {
            Some(email) => Some(self.user(email).await?.id),
            None => None,
        };
        let events = self
            .accounts
            .audit_events(&AuditFilter {
                user_id,
                limit,
                ..AuditFilter::default()
            })
            .await?;
        Ok(match format {
            Format::Json => to_json(
                &events
                    .iter()
                    .map(|event| {
                        serde_json::json!({
                            "id": event.id,
                            "at": event.created_at,
                            "actor_kind": event.actor_kind,
                            "actor": event.actor,
                            "action": event.action,
                            "user_id": event.user_id,
                            "email": event.user_email,
                            "client_ip": event.client_ip,
                            "details": event.details.as_deref()
                                .and_then(|details| serde_json::from_str::<serde_json::Value>(details).ok()),
                        })
                    })
                    .collect::<Vec<_>>(),
            ),
            Format::Human => {
                let mut out = format!(
                    "{:<20}  {:<22}  {:<20}  {:<40}  {:<16}  {}\n",
                    "AT", "ACTION", "ACTOR", "ACCOUNT", "CLIENT", "DETAILS"
                );
                for event in &events {
                    let actor = match event.actor_kind.as_str() {
                        "account" => format!("account {}", event.actor),
                        "api_key" => format!("key {}", event.actor),
                        other => other.to_owned(),
                    };
                    let _ = writeln!(
                        out,
                        "{:<20}  {:<22}  {:<20}  {:<40}  {:<16}  {}",
                        event.created_at.format("%Y-%m-%d %H:%M:%S"),
                        event.action,
                        actor,
                        event.user_email.as_deref().unwrap_or("-"),
                        event.client_ip.as_deref().unwrap_or("-"),
                        event.details.as_deref().unwrap_or(""),
                    );
                }
                let _ = write!(out, "{} event(s)", events.len());
                out
            }
        })
    }

    /// `doorman admin-keys create NAME`: the key alone on the last line.
    ///
    /// # Errors
    /// A name in use or not allowed; database errors.
    pub async fn create_admin_key(&self, name: &str) -> Result<String, OperatorError> {
        use secrecy::ExposeSecret;
        let key = self.admin_keys.create(name).await?;
        Ok(format!(
            "admin key {name} (shown this once; Doorman keeps only its hash):\n{}",
            key.expose_secret()
        ))
    }

    /// `doorman admin-keys list`: names and dates, never a key.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list_admin_keys(&self, format: Format) -> Result<String, OperatorError> {
        let keys = self.admin_keys.list().await?;
        Ok(match format {
            Format::Json => to_json(&keys),
            Format::Human => {
                let mut out = format!("{:<30}  {:<20}  {}\n", "NAME", "CREATED", "LAST USED");
                for key in &keys {
                    let _ = writeln!(
                        out,
                        "{:<30}  {:<20}  {}",
                        key.name,
                        key.created_at.format("%Y-%m-%d %H:%M:%S"),
                        key.last_used_at.map_or_else(
                            || "never".to_owned(),
                            |at| at.format("%Y-%m-%d %H:%M:%S").to_string()
                        ),
                    );
                }
                let _ = write!(out, "{} key(s)", keys.len());
                out
            }
        })
    }

    /// `doorman admin-keys revoke NAME`: the key stops working at once.
    ///
    /// # Errors
    /// [`OperatorError::UnknownAdminKey`]; database errors.
    pub async fn revoke_admin_key(&self, name: &str) -> Result<String, OperatorError> {
        if self.admin_keys.revoke(name).await? {
            Ok(format!("revoked admin key {name}"))
        } else {
            Err(OperatorError::UnknownAdminKey(name.to_owned()))
        }
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

    /// `doorman clients add`: prints the client id and, for a confidential client, its
    /// secret, shown this once.
    ///
    /// # Errors
    /// [`OperatorError::InvalidRedirectUri`] for a URI that is not https (or http on a
    /// loopback host), or none at all; database errors.
    pub async fn add_client(
        &self,
        registration: ClientRegistration,
        format: Format,
    ) -> Result<String, OperatorError> {
        if registration.redirect_uris.is_empty() {
            return Err(OperatorError::InvalidRedirectUri(
                "at least one --redirect-uri is required".to_owned(),
            ));
        }
        let parse_all = |uris: Vec<String>| {
            uris.iter()
                .map(|uri| parse_redirect_uri(uri))
                .collect::<Result<Vec<_>, _>>()
                .map_err(OperatorError::InvalidRedirectUri)
        };
        let credentials = self
            .oidc
            .register_client(NewClient {
                name: registration.name,
                redirect_uris: parse_all(registration.redirect_uris)?,
                post_logout_redirect_uris: parse_all(registration.post_logout_redirect_uris)?,
                public: registration.public,
                first_party: registration.first_party,
            })
            .await?;
        Ok(match format {
            Format::Json => serde_json::json!({
                "client_id": credentials.client_id,
                "client_secret": credentials.secret(),
            })
            .to_string(),
            Format::Human => match credentials.secret() {
                Some(secret) => format!(
                    "client_id:     {}\nclient_secret: {secret}\nThe secret is shown this once: Doorman keeps only its hash.",
                    credentials.client_id
                ),
                None => format!(
                    "client_id:     {}\nA public client: no secret, it proves itself with PKCE.",
                    credentials.client_id
                ),
            },
        })
    }

    /// `doorman clients list`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list_clients(&self, format: Format) -> Result<String, OperatorError> {
        let clients = self.oidc.clients().await?;
        Ok(match format {
            Format::Json => to_json(
                &clients
                    .iter()
                    .map(|client| {
                        serde_json::json!({
                            "client_id": client.client_id,
                            "name": client.name,
                            "public": client.is_public(),
                            "first_party": client.first_party,
                            "redirect_uris": client.redirect_uris,
                            "post_logout_redirect_uris": client.post_logout_redirect_uris,
                            "created_at": client.created_at,
                        })
                    })
                    .collect::<Vec<_>>(),
            ),
            Format::Human => {
                let mut out = format!(
                    "{:<24}  {:<30}  {:<12}  {}\n",
                    "CLIENT ID", "NAME", "KIND", "REDIRECT URIS"
                );
                for client in &clients {
                    let kind = match (client.is_public(), client.first_party) {
                        (true, true) => "public, 1st",
                        (true, false) => "public",
                        (false, true) => "secret, 1st",
                        (false, false) => "secret",
                    };
                    let _ = writeln!(
                        out,
                        "{:<24}  {:<30}  {:<12}  {}",
                        client.client_id,
                        client.name,
                        kind,
                        client.redirect_uris.join(" ")
                    );
                }
                let _ = write!(out, "{} client(s)", clients.len());
                out
            }
        })
    }

    /// `doorman clients remove`: with every grant, token and consent it had.
    ///
    /// # Errors
    /// [`OperatorError::UnknownClient`]; database errors.
    pub async fn remove_client(&self, client_id: &str) -> Result<String, OperatorError> {
        if self.oidc.remove_client(client_id).await? {
            Ok(format!(
                "removed client {client_id} and every token it held"
            ))
        } else {
            Err(OperatorError::UnknownClient(client_id.to_owned()))
        }
    }

    /// `doorman clients rotate-secret`: the new secret, shown this once.
    ///
    /// # Errors
    /// [`OperatorError::UnknownClient`], [`OperatorError::PublicClient`]; database errors.
    pub async fn rotate_client_secret(&self, client_id: &str) -> Result<String, OperatorError> {
        use secrecy::ExposeSecret;
        match self.oidc.rotate_client_secret(client_id).await? {
            Some(secret) => Ok(format!(
                "client_secret: {}\nThe old secret no longer works; this one is shown this once.",
                secret.expose_secret()
            )),
            None if self.oidc.client(client_id).await?.is_some() => {
                Err(OperatorError::PublicClient(client_id.to_owned()))
            }
            None => Err(OperatorError::UnknownClient(client_id.to_owned())),
        }
    }

    /// `doorman keys rotate`: a new signing key, signing at once on every instance within
    /// seconds; the previous ones stay published while tokens they signed live.
    ///
    /// # Errors
    /// Database or key errors.
    pub async fn rotate_keys(&self) -> Result<String, OperatorError> {
        let kid = self
            .oidc
            .keys()
            .rotate()
            .await
            .map_err(|error| OperatorError::Oidc(Box::new(error)))?;
        let listing = self
            .oidc
            .keys()
            .listing()
            .await
            .map_err(|error| OperatorError::Oidc(Box::new(error)))?;
        let mut out = format!("new signing key {kid}\npublished keys:\n");
        for (published, created_at, signs) in listing {
            let _ = writeln!(
                out,
                "  {published}  created {}{}",
                created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                if signs { "  (signs)" } else { "" }
            );
        }
        Ok(out.trim_end().to_owned())
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
    let mut state = Vec::new();
    if user.admin {
        state.push("admin");
    }
    if user.disabled_at.is_some() {
        state.push("disabled");
    }
    format!(
        "{:>6}  {:<40}  {:<20}  {:<20}  {}\n",
        user.id,
        user.email,
        user.created_at.format("%Y-%m-%d %H:%M:%S"),
        user.confirmed_at.map_or_else(
            || "no".to_owned(),
            |at| at.format("%Y-%m-%d %H:%M:%S").to_string()
        ),
        state.join(", ")
    )
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("summaries always serialize")
}
