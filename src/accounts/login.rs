//! Logging in, with failed-login throttling and transparent hash upgrades.

use std::net::IpAddr;
use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{Accounts, AccountsError, Email, UserKey};
use crate::db::entities::users::{self, Entity as User};
use crate::passwords::{PasswordAttempt, Verification};
use crate::throttle::RateLimiter;

#[derive(Debug)]
pub enum Login {
    LoggedIn {
        user_id: i64,
    },
    /// Too many failed attempts from this client or for this address; checked before the
    /// password, and the same for unknown addresses.
    Throttled {
        retry_after: Duration,
    },
    /// Unknown address or wrong password: deliberately indistinguishable.
    InvalidCredentials,
    /// The right password for an account whose address is not confirmed yet.
    Unconfirmed {
        email: Email,
    },
}

/// Failed-login throttling in the spirit of django-allauth: about 10 failures a minute per
/// client IP and 5 per 5 minutes per address. In memory, so per instance.
pub(super) struct FailedLogins {
    by_client: RateLimiter,
    by_address: RateLimiter,
}

impl FailedLogins {
    pub(super) fn new() -> Self {
        Self {
            by_client: RateLimiter::new(10, Duration::from_secs(60)),
            by_address: RateLimiter::new(5, Duration::from_secs(300)),
        }
    }

    fn check(&self, client: &str, address: &str) -> Result<(), Duration> {
        self.by_client.check(client)?;
        self.by_address.check(address)
    }

    fn record(&self, client: &str, address: &str) {
        let _ = self.by_client.hit(client);
        let _ = self.by_address.hit(address);
    }
}

impl Accounts {
    /// Checks an email and password from `client`. An unknown address costs the same
    /// hashing time as a wrong password, and both answer [`Login::InvalidCredentials`].
    /// A password too long to be one (over 128 characters) is refused without hashing.
    ///
    /// # Errors
    /// [`AccountsError::Busy`] when the hasher's queue is full; database errors.
    pub async fn login(
        &self,
        email: &str,
        password: &PasswordAttempt,
        client: IpAddr,
    ) -> Result<Login, AccountsError> {
        let client = client.to_string();
        // Throttled by what was typed, parsed or not: unknown and malformed addresses
        // count like known ones.
        let address = email.trim().to_lowercase();
        if let Err(retry_after) = self.failed_logins.check(&client, &address) {
            return Ok(Login::Throttled { retry_after });
        }
        let outcome = self.check_credentials(email, password).await?;
        if matches!(outcome, Login::InvalidCredentials) {
            self.failed_logins.record(&client, &address);
        }
        Ok(outcome)
    }

    async fn check_credentials(
        &self,
        email: &str,
        password: &PasswordAttempt,
    ) -> Result<Login, AccountsError> {
        let Some(typed) = password.plausible() else {
            return Ok(Login::InvalidCredentials);
        };
        let user = match Email::parse(email) {
            Ok(email) => self.find_user(&self.db, UserKey::Email(&email)).await?,
            Err(_) => None,
        };
        let verification = self
            .hasher
            .verify(typed, user.as_ref().map(|u| u.password_hash.as_str()))
            .await?;
        let (Some(user), Verification::Match { needs_rehash }) = (user, verification) else {
            return Ok(Login::InvalidCredentials);
        };
        if user.confirmed_at.is_none() {
            return Ok(Login::Unconfirmed {
                email: Email::from_stored(user.email),
            });
        }
        if needs_rehash {
            self.upgrade_hash(&user, typed).await;
        }
        Ok(Login::LoggedIn { user_id: user.id })
    }

    /// Re-hashes with today's parameters; a failure only postpones the upgrade.
    async fn upgrade_hash(&self, user: &users::Model, password: &str) {
        let Ok(hash) = self.hasher.hash(password).await else {
            return;
        };
        let result = User::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(hash))
            .filter(users::Column::Id.eq(user.id))
            .filter(users::Column::PasswordHash.eq(user.password_hash.as_str()))
            .exec(&self.db)
            .await;
        if let Err(error) = result {
            tracing::warn!(user_id = user.id, %error, "could not upgrade a password hash");
        }
    }
}
