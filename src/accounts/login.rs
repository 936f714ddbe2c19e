//! Logging in, with the failed-login throttle (in the database, shared by every instance)
//! and transparent hash upgrades.
//!
//! The throttle follows django-allauth's numbers and OWASP's device-cookie scheme: about
//! 10 failures a minute per client (IPv6 per /64) and 5 per 5 minutes per account, where a
//! browser that logged in to the account before (it shows a signed device cookie) is
//! counted on its own instead, so strangers guessing cannot lock the owner out. An attempt
//! is reserved before any hashing, atomically, and given back when it turns out to be the
//! owner's: parallel guesses cannot all slip through before the first failure is counted.

use std::net::IpAddr;
use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{Accounts, AccountsError, Email, UserKey};
use crate::db::entities::users::{self, Entity as User};
use crate::limits::{Exceeded, Limit, client_subject};
use crate::passwords::{PasswordAttempt, Verification};

const BY_CLIENT: Limit = Limit {
    name: "login-client",
    max: 10,
    window: Duration::from_secs(60),
};
const BY_ACCOUNT: Limit = Limit {
    name: "login-account",
    max: 5,
    window: Duration::from_secs(300),
};
/// A known browser's own allowance, apart from the account's.
const BY_DEVICE: Limit = Limit {
    name: "login-device",
    max: 5,
    window: Duration::from_secs(300),
};
/// What all the known browsers of one account may fail together: however many device
/// cookies someone collected, they buy no more than this.
const BY_ACCOUNT_DEVICES: Limit = Limit {
    name: "login-account-devices",
    max: 10,
    window: Duration::from_secs(300),
};

/// Where a password attempt comes from.
#[derive(Debug, Clone)]
pub(crate) struct AttemptOrigin {
    pub(crate) client: IpAddr,
    /// What this browser's signed device cookie says, if it has a valid one.
    pub(crate) device: Option<KnownDevice>,
}

/// How recent a sign-in must be to stand in for the password of an account that has none
/// (changing its address, setting a password, deleting it): what OWASP asks of
/// re-authentication before a sensitive change.
const RECENT_SIGN_IN: Duration = Duration::from_secs(15 * 60);

/// The current password as typed on the account page, and where it comes from; for an
/// account without a password, the browser's sign-in stands in for it while recent.
#[derive(Debug)]
pub(crate) struct CurrentPassword {
    pub(crate) attempt: PasswordAttempt,
    pub(crate) origin: AttemptOrigin,
    pub(crate) signed_in: Option<SignedInAt>,
}

/// The login a browser's session holds, and when it was made (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SignedInAt {
    pub(crate) grant: SessionGrant,
    pub(crate) at: i64,
}

/// The password stored for `user`, if it has one: an account that signed in by email
/// before confirming has none (see `email_sign_in`).
pub(super) fn stored_password(user: &users::Model) -> Option<&str> {
    Some(user.password_hash.as_str()).filter(|hash| !hash.is_empty())
}

/// A browser that logged in to `user_id` before, told apart from others by `nonce`. It
/// counts as known only while the account's credentials are the ones it logged in with:
/// a password reset or change makes every older device cookie a stranger's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KnownDevice {
    pub(crate) user_id: i64,
    pub(crate) credential_version: i32,
    pub(crate) nonce: String,
}

/// What a logged-in session holds: the account, and the version of its credentials the
/// login proved. A password change bumps the version, which ends every session made with
/// an older one, also a session saved by a login that raced the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct SessionGrant {
    pub(crate) user_id: i64,
    pub(crate) credential_version: i32,
}

impl SessionGrant {
    pub(super) fn of(user: &users::Model) -> Self {
        Self {
            user_id: user.id,
            credential_version: user.credential_version,
        }
    }
}

#[derive(Debug)]
pub(crate) enum Login {
    LoggedIn(SessionGrant),
    /// Unknown address or wrong password: deliberately indistinguishable.
    InvalidCredentials,
    /// The right password for an account whose address is not confirmed yet.
    Unconfirmed {
        email: Email,
    },
    /// The right password for an account an operator disabled.
    Disabled,
}

/// Attempts taken from the limits, to give back if the attempt was the owner's.
pub(super) struct Reservation(pub(super) Vec<(Limit, String)>);

impl Accounts {
    /// Checks an email and password. An unknown address costs the same hashing time as a
    /// wrong password, and both answer [`Login::InvalidCredentials`].
    ///
    /// # Errors
    /// [`AccountsError::Throttled`] past the failed-login limits (checked before the
    /// password, the same for unknown addresses); [`AccountsError::Busy`] when the
    /// hasher's queue is full; database errors.
    pub(crate) async fn login(
        &self,
        email: &str,
        password: &PasswordAttempt,
        origin: &AttemptOrigin,
    ) -> Result<Login, AccountsError> {
        let user = match Email::parse(email) {
            Ok(email) => self.find_user(&self.db, UserKey::Email(&email)).await?,
            Err(_) => None,
        };
        let address = match (&user, Email::parse(email)) {
            (Some(user), _) => user.email_normalized.clone(),
            (None, Ok(email)) => email.normalized(),
            (None, Err(_)) => email.trim().to_lowercase(),
        };
        let reservation = self
            .reserve_attempt(origin, &address, user.as_ref())
            .await?;
        let verification = match password.plausible() {
            Some(typed) => {
                // An account without a password is checked against the dummy hash, like an
                // unknown address: as slow, and never a match.
                self.hasher
                    .verify(typed, user.as_ref().and_then(stored_password))
                    .await?
            }
            None => Verification::Mismatch,
        };
        let (Some(user), Verification::Match { needs_rehash }) = (user, verification) else {
            return Ok(Login::InvalidCredentials);
        };
        self.give_back(reservation).await?;
        if user.disabled_at.is_some() {
            return Ok(Login::Disabled);
        }
        if user.confirmed_at.is_none() {
            return Ok(Login::Unconfirmed {
                email: Email::from_stored(user.email),
            });
        }
        if needs_rehash && let Some(typed) = password.plausible() {
            self.upgrade_hash(&user, typed).await;
        }
        Ok(Login::LoggedIn(SessionGrant::of(&user)))
    }

    /// The logged-in account `user_id`, if `current` is its password (changing the
    /// address or the password, deleting the account). The check counts as a login
    /// attempt, so a stolen session cannot be used to guess the password either.
    ///
    /// # Errors
    /// [`AccountsError::Throttled`] past the failed-login limits; hashing and database
    /// errors.
    pub(super) async fn user_proving(
        &self,
        user_id: i64,
        current: &CurrentPassword,
    ) -> Result<Option<users::Model>, AccountsError> {
        let user = self.existing_user(user_id).await?;
        Ok(self.proves(&user, current).await?.then_some(user))
    }

    /// True when `current` proves the person is `user`'s owner: its password, or, for an
    /// account without one, a sign-in to it in this browser within [`RECENT_SIGN_IN`].
    ///
    /// # Errors
    /// [`AccountsError::Throttled`] past the failed-login limits; hashing and database
    /// errors.
    pub(super) async fn proves(
        &self,
        user: &users::Model,
        current: &CurrentPassword,
    ) -> Result<bool, AccountsError> {
        if stored_password(user).is_some() {
            return self
                .password_holds(user, &current.attempt, &current.origin)
                .await;
        }
        let recent = RECENT_SIGN_IN.as_secs() as i64;
        Ok(current.signed_in.is_some_and(|signed_in| {
            signed_in.grant == SessionGrant::of(user)
                && self.clock.unix_now() - signed_in.at <= recent
        }))
    }

    /// True when `attempt` is `user`'s password. Every place that checks a password asks
    /// this, so every check counts as a login attempt (SPEC §12): a guess on the account
    /// page, the confirmation page or the address change's link is throttled like a guess
    /// at the login form. An attempt that cannot be a password is refused without hashing.
    ///
    /// # Errors
    /// [`AccountsError::Throttled`] past the failed-login limits; hashing and database
    /// errors.
    pub(super) async fn password_holds(
        &self,
        user: &users::Model,
        attempt: &PasswordAttempt,
        origin: &AttemptOrigin,
    ) -> Result<bool, AccountsError> {
        let reservation = self
            .reserve_attempt(origin, &user.email_normalized, Some(user))
            .await?;
        let Some(typed) = attempt.plausible() else {
            return Ok(false);
        };
        let holds = matches!(
            self.hasher.verify(typed, stored_password(user)).await?,
            Verification::Match { .. }
        );
        if holds {
            self.give_back(reservation).await?;
        }
        Ok(holds)
    }

    /// Takes one attempt from the client's limit and from the account's, or, for a browser
    /// that logged in to this account before, from that browser's own.
    async fn reserve_attempt(
        &self,
        origin: &AttemptOrigin,
        address: &str,
        user: Option<&users::Model>,
    ) -> Result<Reservation, AccountsError> {
        let known_device = origin.device.as_ref().filter(|device| {
            user.is_some_and(|user| {
                user.id == device.user_id && user.credential_version == device.credential_version
            })
        });
        let mut taken = vec![(BY_CLIENT, client_subject(origin.client))];
        match known_device {
            Some(device) => {
                taken.push((BY_DEVICE, device.nonce.clone()));
                taken.push((BY_ACCOUNT_DEVICES, address.to_owned()));
            }
            None => taken.push((BY_ACCOUNT, address.to_owned())),
        }
        let mut longest_wait: Option<Exceeded> = None;
        for (limit, subject) in &taken {
            if let Err(exceeded) = self.limits.take(limit, subject).await? {
                longest_wait = longest_wait.max(Some(exceeded));
            }
        }
        match longest_wait {
            Some(exceeded) => Err(AccountsError::Throttled {
                retry_after: exceeded.retry_after,
            }),
            None => Ok(Reservation(taken)),
        }
    }

    pub(super) async fn give_back(&self, reservation: Reservation) -> Result<(), AccountsError> {
        for (limit, subject) in &reservation.0 {
            self.limits.give_back(limit, subject).await?;
        }
        Ok(())
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
