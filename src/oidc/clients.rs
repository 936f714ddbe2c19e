//! Relying parties, registered by the operator (`doorman clients …`), kept in the database
//! so every instance sees a change at once. A confidential client's secret is shown once,
//! at registration or rotation, and stored only as its SHA-256.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use secrecy::{ExposeSecret, SecretString};

use super::{Oidc, OidcError, sha256_hex};
use crate::db::entities::oidc_clients::{self, Entity as ClientRow};

/// A registered client as the provider uses it.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub(crate) client_id: String,
    pub(crate) name: String,
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) post_logout_redirect_uris: Vec<String>,
    /// `None` for a public client, which proves itself with PKCE alone.
    secret_hash: Option<String>,
    /// Its people are not asked for consent.
    pub(crate) first_party: bool,
    pub(crate) created_at: DateTime<Utc>,
}

impl Client {
    pub(crate) fn is_public(&self) -> bool {
        self.secret_hash.is_none()
    }

    fn from_row(row: oidc_clients::Model) -> Self {
        let uris = |json: &str| serde_json::from_str::<Vec<String>>(json).unwrap_or_default();
        Self {
            redirect_uris: uris(&row.redirect_uris),
            post_logout_redirect_uris: uris(&row.post_logout_redirect_uris),
            client_id: row.client_id,
            name: row.name,
            secret_hash: row.secret_hash,
            first_party: row.first_party,
            created_at: row.created_at,
        }
    }
}

/// A redirect URI a client may be registered with: absolute, `https`, or `http` on a
/// loopback host (a native app or a developer's machine), without a fragment (RFC 9700).
/// Compared later exactly as registered, never by prefix or pattern.
///
/// # Errors
/// A sentence saying why the URI cannot be one.
pub(crate) fn parse_redirect_uri(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw).map_err(|_| format!("`{raw}` is not an absolute URI"))?;
    let loopback = url.host_str().is_some_and(crate::config::is_loopback_host);
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(format!(
                "`{raw}` must be https (or http on localhost, 127.0.0.1 or ::1)"
            ));
        }
    }
    if url.fragment().is_some() || url.host_str().is_none() {
        return Err(format!("`{raw}` must name a host and have no #fragment"));
    }
    Ok(raw.to_owned())
}

/// What the operator registers.
#[derive(Debug)]
pub(crate) struct NewClient {
    pub(crate) name: String,
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) post_logout_redirect_uris: Vec<String>,
    pub(crate) public: bool,
    pub(crate) first_party: bool,
}

/// A registration's credentials: the secret only this once.
#[derive(Debug)]
pub(crate) struct Credentials {
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<SecretString>,
}

/// How a request to the token or revocation endpoint says which client it is.
#[derive(Debug)]
pub(crate) enum ClientAuthentication {
    /// `client_secret_basic`.
    Basic { client_id: String, secret: String },
    /// `client_secret_post`.
    Post { client_id: String, secret: String },
    /// `none`: a public client names itself.
    None { client_id: String },
}

impl ClientAuthentication {
    pub(crate) fn client_id(&self) -> &str {
        match self {
            Self::Basic { client_id, .. }
            | Self::Post { client_id, .. }
            | Self::None { client_id } => client_id,
        }
    }
}

fn random_token(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        URL_SAFE_NO_PAD.encode(crate::keys::random_bytes::<32>())
    )
}

impl Oidc {
    /// Registers a client; a confidential one gets a secret, returned only here.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn register_client(
        &self,
        client: NewClient,
    ) -> Result<Credentials, OidcError> {
        let client_id = URL_SAFE_NO_PAD.encode(crate::keys::random_bytes::<16>());
        let secret = (!client.public).then(|| random_token("sec_"));
        ClientRow::insert(oidc_clients::ActiveModel {
            client_id: Set(client_id.clone()),
            name: Set(client.name),
            secret_hash: Set(secret.as_deref().map(sha256_hex)),
            redirect_uris: Set(serde_json::json!(client.redirect_uris).to_string()),
            post_logout_redirect_uris: Set(
                serde_json::json!(client.post_logout_redirect_uris).to_string()
            ),
            first_party: Set(client.first_party),
            created_at: Set(self.clock.now()),
            ..Default::default()
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(Credentials {
            client_id,
            client_secret: secret.map(SecretString::from),
        })
    }

    /// Every client, oldest first.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn clients(&self) -> Result<Vec<Client>, OidcError> {
        Ok(ClientRow::find()
            .order_by_asc(oidc_clients::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Client::from_row)
            .collect())
    }

    /// The client registered as `client_id`.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn client(&self, client_id: &str) -> Result<Option<Client>, OidcError> {
        Ok(ClientRow::find()
            .filter(oidc_clients::Column::ClientId.eq(client_id))
            .one(&self.db)
            .await?
            .map(Client::from_row))
    }

    /// Removes a client with every grant, token and consent it had. Returns whether it
    /// existed.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn remove_client(&self, client_id: &str) -> Result<bool, OidcError> {
        let removed = ClientRow::delete_many()
            .filter(oidc_clients::Column::ClientId.eq(client_id))
            .exec(&self.db)
            .await?
            .rows_affected
            > 0;
        if removed {
            self.forget_client(client_id).await?;
        }
        Ok(removed)
    }

    /// A new secret for a confidential client; the old one stops working at once.
    /// `None` when there is no such confidential client.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn rotate_client_secret(
        &self,
        client_id: &str,
    ) -> Result<Option<SecretString>, OidcError> {
        let secret = random_token("sec_");
        let updated = ClientRow::update_many()
            .col_expr(
                oidc_clients::Column::SecretHash,
                Expr::value(sha256_hex(&secret)),
            )
            .filter(oidc_clients::Column::ClientId.eq(client_id))
            .filter(oidc_clients::Column::SecretHash.is_not_null())
            .exec(&self.db)
            .await?;
        Ok((updated.rows_affected == 1).then(|| SecretString::from(secret)))
    }

    /// The client that `authentication` proves to be, as registered: a confidential
    /// client by its secret (compared as hashes, in constant time), a public one by its
    /// id alone. Failures count against the client id and the caller's address; past
    /// either limit a failure is answered `429`. Unlike a password, a secret is 256
    /// random bits that no number of guesses finds, so the limits only quiet a misbehaving
    /// caller and never hold up a right secret: a stranger failing with a client's id
    /// cannot lock the client out, and a busy client's concurrent exchanges cost no
    /// counter writes.
    ///
    /// # Errors
    /// [`OidcError::InvalidClient`] when it proves nothing; [`OidcError::Throttled`] past
    /// the limits; database errors.
    pub(crate) async fn authenticate_client(
        &self,
        authentication: &ClientAuthentication,
        origin: std::net::IpAddr,
    ) -> Result<Client, OidcError> {
        let client = self.client(authentication.client_id()).await?;
        let proven = match (&client, authentication) {
            (Some(client), ClientAuthentication::None { .. }) => client.is_public(),
            (
                Some(client),
                ClientAuthentication::Basic { secret, .. }
                | ClientAuthentication::Post { secret, .. },
            ) => client.secret_hash.as_deref().is_some_and(|stored| {
                let presented = sha256_hex(secret);
                // Constant time: both are 64 hex digits.
                stored.len() == presented.len()
                    && stored
                        .bytes()
                        .zip(presented.bytes())
                        .fold(0u8, |differ, (a, b)| differ | (a ^ b))
                        == 0
            }),
            (None, _) => false,
        };
        match client {
            Some(client) if proven => Ok(client),
            _ => Err(self
                .count_failed_client_authentication(authentication.client_id(), origin)
                .await?
                .map_or(OidcError::InvalidClient, |exceeded| OidcError::Throttled {
                    retry_after: exceeded.retry_after,
                })),
        }
    }
}

impl Credentials {
    pub(crate) fn secret(&self) -> Option<&str> {
        self.client_secret.as_ref().map(ExposeSecret::expose_secret)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_redirect_uri;

    #[test]
    fn redirect_uris_are_https_or_loopback_http_without_fragments() {
        for good in [
            "https://app.example.com/callback",
            "https://app.example.com:8443/oidc/callback?x=1",
            "http://localhost:8080/callback",
            "http://127.0.0.1/cb",
            "http://[::1]:3000/cb",
        ] {
            assert!(parse_redirect_uri(good).is_ok(), "{good}");
        }
        for bad in [
            "http://app.example.com/callback",
            "https://app.example.com/callback#frag",
            "/callback",
            "javascript:alert(1)",
            "app.example.com/callback",
            "ftp://app.example.com/",
        ] {
            assert!(parse_redirect_uri(bad).is_err(), "{bad}");
        }
    }
}
