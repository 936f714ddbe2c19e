//! What a browser's session holds, behind one type that owns every key: the login (the
//! account and the credential version it proved) and, while someone signs up, the sign-up
//! (the address, the binding if that request created the account, where it was headed).
//!
//! The session id changes whenever the session gains privilege (a login, the sign-up
//! binding, a confirmation), so an id planted in the browser before (session fixation,
//! through a sibling host under `COOKIE_DOMAIN` or plain http) is worth nothing after.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;
use tower_sessions::session::{Error, Id};

use crate::accounts::{SessionGrant, SignedInAt, SignupBinding};

/// A session record's data, as the store keeps it.
pub(super) type Data = HashMap<String, serde_json::Value>;

/// The logged-in user's id. The store copies it into its own column, so every session of
/// a user can be ended with one statement.
const USER_ID_KEY: &str = "user_id";
/// The credential version the login proved; a session whose version is not the
/// account's is not logged in.
const CREDENTIAL_VERSION_KEY: &str = "credential_version";
/// When the login (or the emailed code) last proved the person, Unix seconds: what
/// OpenID Connect's `auth_time` and `max_age` are about.
const AUTHENTICATED_AT_KEY: &str = "authenticated_at";
/// The sign-up in progress ([`SignupState`]).
const SIGNUP_KEY: &str = "signup";
/// The sign-in email this browser asked for ([`EmailSignInState`]).
const EMAIL_SIGN_IN_KEY: &str = "email_sign_in";
/// Where and in what the login happened ([`LoginPlace`]), for the console.
const LOGIN_PLACE_KEY: &str = "login_place";
/// When a logged-in page was last seen in this session (Unix seconds), kept to within
/// [`SEEN_EVERY`].
const SEEN_AT_KEY: &str = "seen_at";

/// How stale "last seen" may get: noting it costs a write, so at most one per this many
/// seconds per session.
const SEEN_EVERY: i64 = 300;

/// Where a login happened, as the console lists a person's sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct LoginPlace {
    /// Unix seconds.
    pub(crate) started_at: i64,
    pub(crate) client_ip: Option<String>,
    /// The browser's `User-Agent`, cut to 200 characters.
    pub(crate) user_agent: Option<String>,
}

/// What the session remembers of this browser's sign-up (SPEC §9).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct SignupState {
    /// The address signed up with (any sign-up, new address or known), so a new and a
    /// known address set the same cookie.
    pub(crate) address: String,
    /// Only when this request created the account.
    pub(crate) binding: Option<SignupBinding>,
    /// Where the sign-up was headed: a `return_to` checked when it was given, and checked
    /// again when it is followed.
    pub(crate) return_to: Option<String>,
}

/// What the session remembers of the sign-in email this browser asked for (SPEC §14):
/// its code counts only here.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct EmailSignInState {
    /// The email's outbox row; `None` when nothing was sent (not an address, or the
    /// address's emails for the hour were spent), which no code matches.
    pub(crate) email_row: Option<i64>,
    /// Where the sign-in was headed, checked when given and again when followed.
    pub(crate) return_to: Option<String>,
}

/// Where the login in a record's data happened, and when it was last seen.
pub(super) fn place_in(data: &Data) -> (Option<LoginPlace>, Option<i64>) {
    let place = data
        .get(LOGIN_PLACE_KEY)
        .and_then(|value| serde_json::from_value(value.clone()).ok());
    (
        place,
        data.get(SEEN_AT_KEY).and_then(serde_json::Value::as_i64),
    )
}

/// The login in a record's data, if it holds both halves.
pub(super) fn login_in(data: &Data) -> Option<SessionGrant> {
    let user_id = data.get(USER_ID_KEY)?.as_i64()?;
    let credential_version = i32::try_from(data.get(CREDENTIAL_VERSION_KEY)?.as_i64()?).ok()?;
    Some(SessionGrant {
        user_id,
        credential_version,
    })
}

/// The browser's session, typed. Reading it loads the record (one query) unless the
/// browser sent no session cookie; writing saves it when the response leaves.
#[derive(Clone)]
pub(crate) struct TypedSession(Session);

impl TypedSession {
    /// The session's id, without loading it: `None` when the browser sent none.
    pub(crate) fn id(&self) -> Option<Id> {
        self.0.id()
    }

    /// The login this session holds. Whether it still holds for the account is the
    /// accounts domain's to say ([`crate::accounts::Account::logged_in`]).
    ///
    /// # Errors
    /// The session store failed.
    pub(crate) async fn login(&self) -> Result<Option<SessionGrant>, Error> {
        let user_id = self.0.get::<i64>(USER_ID_KEY).await?;
        let version = self.0.get::<i32>(CREDENTIAL_VERSION_KEY).await?;
        Ok(user_id
            .zip(version)
            .map(|(user_id, credential_version)| SessionGrant {
                user_id,
                credential_version,
            }))
    }

    /// Logs this browser in under a new session id, proved at `at` (Unix seconds); the
    /// sign-up it came from is done.
    ///
    /// # Errors
    /// The session store failed.
    pub(crate) async fn log_in(
        &self,
        grant: &SessionGrant,
        place: &LoginPlace,
    ) -> Result<(), Error> {
        self.0.cycle_id().await?;
        self.0.remove_value(SIGNUP_KEY).await?;
        self.0.remove_value(EMAIL_SIGN_IN_KEY).await?;
        self.0
            .insert(AUTHENTICATED_AT_KEY, place.started_at)
            .await?;
        self.0.insert(SEEN_AT_KEY, place.started_at).await?;
        self.0.insert(LOGIN_PLACE_KEY, place).await?;
        self.keep_login(grant).await
    }

    /// The login this session holds and when it was made: what stands in for the password
    /// of an account without one.
    ///
    /// # Errors
    /// The session store failed.
    pub(crate) async fn signed_in_at(&self) -> Result<Option<SignedInAt>, Error> {
        let Some(grant) = self.login().await? else {
            return Ok(None);
        };
        let at = self.authenticated_at().await?.unwrap_or_default();
        Ok(Some(SignedInAt { grant, at }))
    }

    /// Notes that the logged-in person was seen `now` (Unix seconds), unless that was
    /// noted less than [`SEEN_EVERY`] ago.
    ///
    /// # Errors
    /// The session store failed.
    pub(crate) async fn note_seen(&self, now: i64) -> Result<(), Error> {
        let seen = self.0.get::<i64>(SEEN_AT_KEY).await?.unwrap_or_default();
        if now - seen >= SEEN_EVERY {
            self.0.insert(SEEN_AT_KEY, now).await?;
        }
        Ok(())
    }

    /// The person proved themselves again (the console's re-check), `now`.
    ///
    /// # Errors
    /// The session store failed.
    pub(crate) async fn reauthenticated(&self, now: i64) -> Result<(), Error> {
        self.0.insert(AUTHENTICATED_AT_KEY, now).await
    }

    /// When the person last proved themselves in this session (Unix seconds).
    ///
    /// # Errors
    /// The session store failed.
    pub(crate) async fn authenticated_at(&self) -> Result<Option<i64>, Error> {
        self.0.get(AUTHENTICATED_AT_KEY).await
    }

    /// Records the credential version a password change gave this browser, which stays
    /// logged in while the change ends every other session.
    ///
    /// # Errors
    /// The session store failed.
    pub(crate) async fn keep_login(&self, grant: &SessionGrant) -> Result<(), Error> {
        self.0.insert(USER_ID_KEY, grant.user_id).await?;
        self.0
            .insert(CREDENTIAL_VERSION_KEY, grant.credential_version)
            .await
    }

    /// Ends the session: its record is deleted and its cookie cleared.
    ///
    /// # Errors
    /// The session store failed.
    pub(crate) async fn log_out(&self) -> Result<(), Error> {
        self.0.flush().await
    }

    /// This browser's sign-up, if it signed up and has not logged in since.
    ///
    /// # Errors
    /// The session store failed.
    pub(crate) async fn signup(&self) -> Result<Option<SignupState>, Error> {
        // A record from an older release holds another shape: as good as none.
        Ok(self
            .0
            .get_value(SIGNUP_KEY)
            .await?
            .and_then(|value| serde_json::from_value(value).ok()))
    }

    /// Records a sign-up, replacing an earlier one (and its binding), under a new id: a
    /// binding is privilege, and every sign-up cycles alike, so whether the id changed
    /// says nothing about whether the address was new.
    ///
    /// # Errors
    /// The session store failed.
    pub(crate) async fn record_signup(&self, signup: &SignupState) -> Result<(), Error> {
        self.0.cycle_id().await?;
        self.0.insert(SIGNUP_KEY, signup).await
    }

    /// The sign-in email this browser asked for last, if it has not logged in since.
    ///
    /// # Errors
    /// The session store failed.
    pub(crate) async fn email_sign_in(&self) -> Result<Option<EmailSignInState>, Error> {
        Ok(self
            .0
            .get_value(EMAIL_SIGN_IN_KEY)
            .await?
            .and_then(|value| serde_json::from_value(value).ok()))
    }

    /// Records a request for a sign-in email, replacing an earlier one, under a new id
    /// whatever the address: the cookie looks the same for every address.
    ///
    /// # Errors
    /// The session store failed.
    pub(crate) async fn record_email_sign_in(
        &self,
        request: &EmailSignInState,
    ) -> Result<(), Error> {
        self.0.cycle_id().await?;
        self.0.insert(EMAIL_SIGN_IN_KEY, request).await
    }
}

impl<S: Send + Sync> FromRequestParts<S> for TypedSession {
    type Rejection = <Session as FromRequestParts<S>>::Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Session::from_request_parts(parts, state).await.map(Self)
    }
}
