//! Doorman as an OpenID Connect provider (SPEC §13): OpenID Connect Core 1.0 with the
//! authorization code flow only, PKCE (S256), exact redirect URIs, rotating refresh tokens
//! with reuse detection, RFC 7009 revocation, RFC 9068 access tokens, RFC 9207 `iss`, and
//! RP-initiated logout.
//!
//! This module owns the protocol: clients, grants (one per authorization, with its code),
//! refresh tokens, consent, signing keys. It asks the accounts domain only through its
//! public functions (who may hold tokens). Every failure is an [`OidcError`], whose
//! variants are the RFC's `error` codes; the web layer turns one into a redirect, a JSON
//! body or a page in one function, and only a request whose client and redirect URI were
//! verified ever becomes a redirect.

mod clients;
mod keys;
mod request;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, Statement,
};
use sha2::{Digest, Sha256};

pub(crate) use clients::{ClientAuthentication, NewClient, parse_redirect_uri};
pub(crate) use keys::SigningKeys;
pub(crate) use request::{
    AuthorizationParams, AuthorizationRequest, AuthorizeFailure, SUPPORTED_SCOPES, VerifiedRedirect,
};

use crate::accounts::{Account, Accounts, AccountsError, SessionGrant};
use crate::clock::Clock;
use crate::db::entities::oidc_consents::{self, Entity as ConsentRow};
use crate::db::entities::oidc_grants::{self, Entity as GrantRow};
use crate::db::entities::oidc_refresh_tokens::{self, Entity as RefreshRow};
use crate::limits::{Exceeded, Limit, Limits, client_subject};
use keys::KeyError;
use request::Scope;

/// A code works once, for at most this long (SPEC §13).
const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// ID tokens live as long as access tokens, and never longer than this.
const LONGEST_ID_TOKEN_LIFE: Duration = Duration::from_secs(3600);
/// Userinfo trusts a grant it found alive this long (per instance), so a revocation or a
/// disabled account is refused everywhere within it.
const GRANT_FRESHNESS: Duration = Duration::from_millis(500);

/// Failed client authentications, per client and per address, like failed logins.
const FAILED_CLIENT_AUTH_BY_CLIENT: Limit = Limit {
    name: "client-auth-client",
    max: 10,
    window: Duration::from_secs(300),
};
const FAILED_CLIENT_AUTH_BY_ADDRESS: Limit = Limit {
    name: "client-auth-address",
    max: 10,
    window: Duration::from_secs(60),
};

/// Everything that can go wrong, as the RFCs name it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OidcError {
    /// No client has this id: answered at Doorman, never redirected.
    #[error("unknown client")]
    UnknownClient,
    /// The redirect URI is not registered for the client: answered at Doorman.
    #[error("redirect URI not registered for the client")]
    UnregisteredRedirectUri,
    #[error("invalid request: {0}")]
    InvalidRequest(&'static str),
    #[error("unsupported response type")]
    UnsupportedResponseType,
    #[error("invalid scope")]
    InvalidScope,
    #[error("login required")]
    LoginRequired,
    #[error("consent required")]
    ConsentRequired,
    #[error("access denied")]
    AccessDenied,
    #[error("invalid grant: {0}")]
    InvalidGrant(&'static str),
    #[error("invalid client")]
    InvalidClient,
    #[error("unsupported grant type")]
    UnsupportedGrantType,
    #[error("invalid token")]
    InvalidToken,
    /// Too many failed client authentications.
    #[error("too many failed attempts; retry after {retry_after:?}")]
    Throttled { retry_after: Duration },
    #[error("database error")]
    Database(#[from] DbErr),
    #[error("signing keys")]
    Keys(#[from] KeyError),
    #[error("accounts")]
    Accounts(#[from] AccountsError),
}

impl OidcError {
    /// The RFC's `error` code.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            OidcError::UnknownClient | OidcError::UnregisteredRedirectUri => "invalid_request",
            OidcError::InvalidRequest(_) => "invalid_request",
            OidcError::UnsupportedResponseType => "unsupported_response_type",
            OidcError::InvalidScope => "invalid_scope",
            OidcError::LoginRequired => "login_required",
            OidcError::ConsentRequired => "consent_required",
            OidcError::AccessDenied => "access_denied",
            OidcError::InvalidGrant(_) => "invalid_grant",
            OidcError::InvalidClient => "invalid_client",
            OidcError::UnsupportedGrantType => "unsupported_grant_type",
            OidcError::InvalidToken => "invalid_token",
            OidcError::Throttled { .. } => "slow_down",
            OidcError::Database(_) | OidcError::Keys(_) | OidcError::Accounts(_) => "server_error",
        }
    }

    /// The `error_description`: for the client's developer, never a secret.
    pub(crate) fn description(&self) -> String {
        match self {
            OidcError::UnknownClient => "no client is registered with this client_id".into(),
            OidcError::UnregisteredRedirectUri => {
                "redirect_uri is not registered for this client".into()
            }
            OidcError::InvalidRequest(why) | OidcError::InvalidGrant(why) => (*why).into(),
            OidcError::UnsupportedResponseType => "only response_type=code is supported".into(),
            OidcError::InvalidScope => "scope must contain openid".into(),
            OidcError::LoginRequired => "the person is not logged in".into(),
            OidcError::ConsentRequired => "the person has not allowed this client yet".into(),
            OidcError::AccessDenied => "the person denied the request".into(),
            OidcError::InvalidClient => "client authentication failed".into(),
            OidcError::UnsupportedGrantType => {
                "grant_type must be authorization_code or refresh_token".into()
            }
            OidcError::InvalidToken => "the access token is not valid".into(),
            OidcError::Throttled { .. } => "too many failed attempts; try again later".into(),
            OidcError::Database(_) | OidcError::Keys(_) | OidcError::Accounts(_) => {
                "something went wrong on our side".into()
            }
        }
    }

    /// Our own failure, not the request's: logged, and answered generically.
    pub(crate) fn is_internal(&self) -> bool {
        matches!(
            self,
            OidcError::Database(_) | OidcError::Keys(_) | OidcError::Accounts(_)
        )
    }
}

/// The SHA-256 of a random secret (a code, a refresh token, a client secret), in hex: how
/// it is stored and looked up. The secrets are 256 random bits, so a key would add nothing
/// against a guess, and not depending on `SECRET_KEY` keeps every app signed in when that
/// secret is rotated.
pub(crate) fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn random_secret() -> String {
    URL_SAFE_NO_PAD.encode(crate::keys::random_bytes::<32>())
}

/// Who is logged in at the authorization endpoint.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn {
    pub(crate) account: Account,
    pub(crate) grant: SessionGrant,
    /// Unix seconds of the last time the person proved themselves.
    pub(crate) auth_time: i64,
}

/// What an authorization request comes to.
#[derive(Debug)]
pub(crate) enum Authorization {
    /// Nobody logged in (or not recently enough): log in, or sign up with `create`, and
    /// come back.
    LogIn { create: bool },
    /// Ask the person whether this client may have what it asks for.
    AskConsent,
    /// Back to the client with this code.
    Code(String),
}

/// The token endpoint's answer.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Tokens {
    pub(crate) access_token: String,
    pub(crate) token_type: &'static str,
    pub(crate) expires_in: u64,
    pub(crate) id_token: String,
    pub(crate) scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) refresh_token: Option<String>,
}

/// The userinfo endpoint's answer.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct UserInfo {
    sub: String,
    email: String,
    email_verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    locale: Option<String>,
}

/// An application with access to an account, for its account page.
#[derive(Debug, Clone)]
pub(crate) struct App {
    pub(crate) client_id: String,
    pub(crate) name: String,
}

/// What an RP-initiated logout does.
#[derive(Debug)]
pub(crate) struct LogoutPlan {
    /// The account the `id_token_hint` names: its session may end without asking.
    pub(crate) hinted_user: Option<i64>,
    /// Where to send the person afterwards: a registered post-logout URI with `state`.
    pub(crate) redirect: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct AccessClaims {
    iss: String,
    sub: String,
    aud: String,
    client_id: String,
    scope: String,
    iat: i64,
    exp: i64,
    jti: String,
    /// The grant the token came from, so revoking the grant ends it.
    gid: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct IdClaims {
    iss: String,
    sub: String,
    aud: String,
    exp: i64,
    iat: i64,
    auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    email: String,
    email_verified: bool,
    at_hash: String,
}

/// What the provider is configured with.
pub(crate) struct OidcSettings {
    /// `BASE_URL`, without a trailing slash.
    pub(crate) issuer: String,
    pub(crate) access_token_ttl: Duration,
    pub(crate) refresh_token_ttl: Duration,
}

pub(crate) struct Oidc {
    db: DatabaseConnection,
    clock: Clock,
    keys: SigningKeys,
    accounts: Accounts,
    limits: Limits,
    settings: OidcSettings,
    /// Access tokens userinfo verified, by their SHA-256.
    verified: Mutex<HashMap<[u8; 32], VerifiedAccess>>,
}

/// An access token whose signature userinfo checked: an RSA verification costs more than
/// the rest of the request, so it is done once per token and instance. Its grant is
/// checked again once the answer is older than [`GRANT_FRESHNESS`].
#[derive(Clone)]
struct VerifiedAccess {
    grant_id: String,
    expires: i64,
    answer: Option<(Instant, UserInfo)>,
}

/// Most access tokens userinfo remembers per instance (about 200 bytes each).
const VERIFIED_TOKENS_KEPT: usize = 65_536;

impl Oidc {
    pub(crate) fn new(
        db: DatabaseConnection,
        clock: Clock,
        keys: SigningKeys,
        accounts: Accounts,
        settings: OidcSettings,
    ) -> Self {
        Self {
            limits: Limits::new(db.clone(), clock.clone()),
            db,
            clock,
            keys,
            accounts,
            settings,
            verified: Mutex::default(),
        }
    }

    pub(crate) fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    pub(crate) fn keys(&self) -> &SigningKeys {
        &self.keys
    }

    fn id_token_life(&self) -> Duration {
        self.settings.access_token_ttl.min(LONGEST_ID_TOKEN_LIFE)
    }

    /// Parses an authorization request, looking its client up.
    ///
    /// # Errors
    /// The problem, and where it may be answered.
    pub(crate) async fn authorization_request(
        &self,
        params: AuthorizationParams,
    ) -> Result<AuthorizationRequest, AuthorizeFailure> {
        let client = self
            .client(&params.client_id)
            .await
            .map_err(|error| AuthorizeFailure {
                error,
                back_to: None,
            })?;
        AuthorizationRequest::parse(params, client)
    }

    /// Decides an authorization request for whoever is logged in.
    ///
    /// # Errors
    /// `login_required` or `consent_required` under `prompt=none`; database errors.
    pub(crate) async fn authorize(
        &self,
        request: &AuthorizationRequest,
        signed_in: Option<&SignedIn>,
    ) -> Result<Authorization, AuthorizeFailure> {
        let back = |error| AuthorizeFailure {
            error,
            back_to: Some(request.back_to()),
        };
        let now = self.clock.unix_now();
        let fresh_enough = |signed_in: &SignedIn| {
            !request.prompt.login
                && request
                    .max_age
                    .is_none_or(|max_age| now - signed_in.auth_time <= max_age)
        };
        let Some(signed_in) = signed_in.filter(|signed_in| fresh_enough(signed_in)) else {
            if request.prompt.none {
                return Err(back(OidcError::LoginRequired));
            }
            return Ok(Authorization::LogIn {
                create: request.prompt.create && signed_in.is_none(),
            });
        };
        if !request.client.first_party {
            let granted = self
                .consented_scope(signed_in.account.id, &request.client.client_id)
                .await
                .map_err(back)?;
            let consented = !request.prompt.consent
                && granted.is_some_and(|granted| request.scope.within(&granted));
            if !consented {
                if request.prompt.none {
                    return Err(back(OidcError::ConsentRequired));
                }
                return Ok(Authorization::AskConsent);
            }
        }
        let code = self.issue_code(request, signed_in).await.map_err(back)?;
        Ok(Authorization::Code(code))
    }

    /// The person's answer on the consent page: allowed, it is remembered (with every
    /// scope allowed before) and a code issued; denied, `access_denied`.
    ///
    /// # Errors
    /// `access_denied`; database errors.
    pub(crate) async fn answer_consent(
        &self,
        request: &AuthorizationRequest,
        signed_in: &SignedIn,
        allowed: bool,
    ) -> Result<String, AuthorizeFailure> {
        let back = |error| AuthorizeFailure {
            error,
            back_to: Some(request.back_to()),
        };
        if !allowed {
            return Err(back(OidcError::AccessDenied));
        }
        let user_id = signed_in.account.id;
        let client_id = &request.client.client_id;
        let scope = match self
            .consented_scope(user_id, client_id)
            .await
            .map_err(back)?
        {
            Some(granted) => granted.union(&request.scope),
            None => request.scope.clone(),
        };
        ConsentRow::insert(oidc_consents::ActiveModel {
            user_id: Set(user_id),
            client_id: Set(client_id.clone()),
            scope: Set(scope.to_string()),
            granted_at: Set(self.clock.now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                oidc_consents::Column::UserId,
                oidc_consents::Column::ClientId,
            ])
            .update_columns([
                oidc_consents::Column::Scope,
                oidc_consents::Column::GrantedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await
        .map_err(|error| back(error.into()))?;
        self.issue_code(request, signed_in).await.map_err(back)
    }

    async fn consented_scope(
        &self,
        user_id: i64,
        client_id: &str,
    ) -> Result<Option<Scope>, OidcError> {
        Ok(ConsentRow::find()
            .filter(oidc_consents::Column::UserId.eq(user_id))
            .filter(oidc_consents::Column::ClientId.eq(client_id))
            .one(&self.db)
            .await?
            .map(|consent| Scope::parse(&consent.scope)))
    }

    async fn issue_code(
        &self,
        request: &AuthorizationRequest,
        signed_in: &SignedIn,
    ) -> Result<String, OidcError> {
        let code = random_secret();
        let now = self.clock.now();
        GrantRow::insert(oidc_grants::ActiveModel {
            grant_id: Set(URL_SAFE_NO_PAD.encode(crate::keys::random_bytes::<16>())),
            code_hash: Set(sha256_hex(&code)),
            client_id: Set(request.client.client_id.clone()),
            user_id: Set(signed_in.account.id),
            redirect_uri: Set(request.redirect_uri.clone()),
            scope: Set(request.scope.to_string()),
            nonce: Set(request.nonce.clone()),
            code_challenge: Set(request.code_challenge.clone()),
            auth_time: Set(signed_in.auth_time),
            credential_version: Set(signed_in.grant.credential_version),
            created_at: Set(now),
            code_expires_at: Set(
                now + chrono::Duration::from_std(CODE_LIFETIME).unwrap_or_default()
            ),
            code_used_at: Set(None),
            revoked_at: Set(None),
            ..Default::default()
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(code)
    }

    /// `grant_type=authorization_code`: a code works once, within a minute, for its client
    /// and redirect URI, with its PKCE verifier; a second use revokes every token issued
    /// from it.
    ///
    /// # Errors
    /// `invalid_grant` for any of the above; database and key errors.
    pub(crate) async fn exchange_code(
        &self,
        client: &clients::Client,
        code: &str,
        redirect_uri: &str,
        code_verifier: Option<&str>,
    ) -> Result<Tokens, OidcError> {
        let code_hash = sha256_hex(code);
        let now = self.clock.now();
        // Marking the code used and reading its grant is one statement: a code
        // presented twice at once is spent by exactly one of them.
        let spent = GrantRow::update_many()
            .col_expr(oidc_grants::Column::CodeUsedAt, Expr::value(now))
            .filter(oidc_grants::Column::CodeHash.eq(code_hash.as_str()))
            .filter(oidc_grants::Column::CodeUsedAt.is_null())
            .exec_with_returning(&self.db)
            .await?
            .pop();
        let Some(grant) = spent else {
            let used = GrantRow::find()
                .filter(oidc_grants::Column::CodeHash.eq(code_hash))
                .one(&self.db)
                .await?
                .ok_or(OidcError::InvalidGrant("the code is not valid"))?;
            if used.client_id == client.client_id {
                self.revoke_grant(&used).await?;
            }
            return Err(OidcError::InvalidGrant("the code was already used"));
        };
        if grant.client_id != client.client_id {
            return Err(OidcError::InvalidGrant(
                "the code was issued to another client",
            ));
        }
        if grant.revoked_at.is_some() || grant.code_expires_at <= now {
            return Err(OidcError::InvalidGrant("the code has expired"));
        }
        if grant.redirect_uri != redirect_uri {
            return Err(OidcError::InvalidGrant(
                "redirect_uri is not the one of the authorization request",
            ));
        }
        let pkce_holds = match (&grant.code_challenge, code_verifier) {
            (Some(challenge), Some(verifier)) => {
                *challenge == URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
            }
            (None, None) => true,
            _ => false,
        };
        if !pkce_holds {
            return Err(OidcError::InvalidGrant("code_verifier does not match"));
        }
        let holder = self
            .accounts
            .token_holder(grant.user_id)
            .await?
            .filter(|holder| holder.credential_version == grant.credential_version)
            .ok_or(OidcError::InvalidGrant("the account can no longer sign in"))?;
        let refresh_token = if Scope::parse(&grant.scope).contains("offline_access") {
            Some(self.new_refresh_token(grant.id).await?)
        } else {
            None
        };
        self.tokens(client, &grant, &holder, grant.nonce.clone(), refresh_token)
            .await
    }

    /// `grant_type=refresh_token`: each use returns a new refresh token and ends the old
    /// one; presenting an ended one revokes the whole chain (reuse detection). A chain
    /// ends with the account's password, its deletion or disabling, and after
    /// `OIDC_REFRESH_TOKEN_TTL` unused.
    ///
    /// # Errors
    /// `invalid_grant`; database and key errors.
    pub(crate) async fn refresh(
        &self,
        client: &clients::Client,
        refresh_token: &str,
    ) -> Result<Tokens, OidcError> {
        let token = RefreshRow::find()
            .filter(oidc_refresh_tokens::Column::TokenHash.eq(sha256_hex(refresh_token)))
            .one(&self.db)
            .await?
            .ok_or(OidcError::InvalidGrant("the refresh token is not valid"))?;
        let grant = GrantRow::find_by_id(token.grant_id)
            .one(&self.db)
            .await?
            .ok_or(OidcError::InvalidGrant("the refresh token is not valid"))?;
        if grant.client_id != client.client_id {
            return Err(OidcError::InvalidGrant(
                "the refresh token belongs to another client",
            ));
        }
        if grant.revoked_at.is_some() {
            return Err(OidcError::InvalidGrant("the refresh token was revoked"));
        }
        let now = self.clock.now();
        if token.replaced_at.is_some() {
            self.revoke_grant(&grant).await?;
            return Err(OidcError::InvalidGrant(
                "the refresh token was already used; its chain is revoked",
            ));
        }
        if token.expires_at <= now {
            return Err(OidcError::InvalidGrant("the refresh token has expired"));
        }
        let Some(holder) = self
            .accounts
            .token_holder(grant.user_id)
            .await?
            .filter(|holder| holder.credential_version == grant.credential_version)
        else {
            self.revoke_grant(&grant).await?;
            return Err(OidcError::InvalidGrant("the account can no longer sign in"));
        };
        let replaced = RefreshRow::update_many()
            .col_expr(oidc_refresh_tokens::Column::ReplacedAt, Expr::value(now))
            .filter(oidc_refresh_tokens::Column::Id.eq(token.id))
            .filter(oidc_refresh_tokens::Column::ReplacedAt.is_null())
            .exec(&self.db)
            .await?
            .rows_affected
            == 1;
        if !replaced {
            // Two requests raced with one token: one of them is not its holder.
            self.revoke_grant(&grant).await?;
            return Err(OidcError::InvalidGrant(
                "the refresh token was already used; its chain is revoked",
            ));
        }
        let next = self.new_refresh_token(grant.id).await?;
        self.tokens(client, &grant, &holder, None, Some(next)).await
    }

    async fn new_refresh_token(&self, grant_row: i64) -> Result<String, OidcError> {
        let token = random_secret();
        let now = self.clock.now();
        RefreshRow::insert(oidc_refresh_tokens::ActiveModel {
            token_hash: Set(sha256_hex(&token)),
            grant_id: Set(grant_row),
            created_at: Set(now),
            expires_at: Set(now
                + chrono::Duration::from_std(self.settings.refresh_token_ttl).unwrap_or_default()),
            replaced_at: Set(None),
            ..Default::default()
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(token)
    }

    async fn tokens(
        &self,
        client: &clients::Client,
        grant: &oidc_grants::Model,
        holder: &crate::accounts::TokenHolder,
        nonce: Option<String>,
        refresh_token: Option<String>,
    ) -> Result<Tokens, OidcError> {
        let now = self.clock.unix_now();
        let access_life = self.settings.access_token_ttl.as_secs();
        let access_token = self
            .keys
            .sign(
                "at+jwt",
                &AccessClaims {
                    iss: self.settings.issuer.clone(),
                    sub: holder.id.to_string(),
                    aud: client.client_id.clone(),
                    client_id: client.client_id.clone(),
                    scope: grant.scope.clone(),
                    iat: now,
                    exp: now + access_life as i64,
                    jti: URL_SAFE_NO_PAD.encode(crate::keys::random_bytes::<16>()),
                    gid: grant.grant_id.clone(),
                },
            )
            .await?;
        let digest = Sha256::digest(access_token.as_bytes());
        let id_token = self
            .keys
            .sign(
                "JWT",
                &IdClaims {
                    iss: self.settings.issuer.clone(),
                    sub: holder.id.to_string(),
                    aud: client.client_id.clone(),
                    exp: now + self.id_token_life().as_secs() as i64,
                    iat: now,
                    auth_time: grant.auth_time,
                    nonce,
                    email: holder.email.as_str().to_owned(),
                    email_verified: true,
                    at_hash: URL_SAFE_NO_PAD.encode(&digest[..16]),
                },
            )
            .await?;
        Ok(Tokens {
            access_token,
            token_type: "Bearer",
            expires_in: access_life,
            id_token,
            scope: grant.scope.clone(),
            refresh_token,
        })
    }

    /// The claims userinfo answers for an access token: ours, unexpired, its grant alive,
    /// its account able to sign in. A grant found alive is trusted for
    /// [`GRANT_FRESHNESS`] on this instance.
    ///
    /// # Errors
    /// `invalid_token`; database and key errors.
    pub(crate) async fn userinfo(&self, access_token: &str) -> Result<UserInfo, OidcError> {
        let digest: [u8; 32] = Sha256::digest(access_token.as_bytes()).into();
        let mut token = match self.remembered_token(&digest) {
            Some(token) => token,
            None => {
                let claims: AccessClaims = self
                    .keys
                    .verify(access_token, Some("at+jwt"))
                    .await?
                    .map_err(|_| OidcError::InvalidToken)?;
                if claims.iss != self.settings.issuer {
                    return Err(OidcError::InvalidToken);
                }
                VerifiedAccess {
                    grant_id: claims.gid,
                    expires: claims.exp,
                    answer: None,
                }
            }
        };
        if token.expires <= self.clock.unix_now() {
            return Err(OidcError::InvalidToken);
        }
        if let Some((_, info)) = token
            .answer
            .as_ref()
            .filter(|(found_at, _)| found_at.elapsed() < GRANT_FRESHNESS)
        {
            return Ok(info.clone());
        }
        let grant = GrantRow::find()
            .filter(oidc_grants::Column::GrantId.eq(token.grant_id.as_str()))
            .filter(oidc_grants::Column::RevokedAt.is_null())
            .one(&self.db)
            .await?
            .ok_or(OidcError::InvalidToken)?;
        let holder = self
            .accounts
            .token_holder(grant.user_id)
            .await?
            .ok_or(OidcError::InvalidToken)?;
        let info = UserInfo {
            sub: holder.id.to_string(),
            email: holder.email.as_str().to_owned(),
            email_verified: true,
            locale: Scope::parse(&grant.scope)
                .contains("profile")
                .then(|| holder.locale.clone())
                .flatten(),
        };
        token.answer = Some((Instant::now(), info.clone()));
        self.remember_token(digest, token);
        Ok(info)
    }

    fn remembered_token(&self, digest: &[u8; 32]) -> Option<VerifiedAccess> {
        let verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        verified.get(digest).cloned()
    }

    fn remember_token(&self, digest: [u8; 32], token: VerifiedAccess) {
        let now = self.clock.unix_now();
        let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        if verified.len() >= VERIFIED_TOKENS_KEPT {
            verified.retain(|_, token| token.expires > now);
            if verified.len() >= VERIFIED_TOKENS_KEPT {
                verified.clear();
            }
        }
        verified.insert(digest, token);
    }

    /// RFC 7009: a refresh token revokes its whole chain, an access token its grant; any
    /// other token, or one of another client, is quietly ignored.
    ///
    /// # Errors
    /// Database and key errors.
    pub(crate) async fn revoke(
        &self,
        client: &clients::Client,
        token: &str,
    ) -> Result<(), OidcError> {
        let by_refresh = RefreshRow::find()
            .filter(oidc_refresh_tokens::Column::TokenHash.eq(sha256_hex(token)))
            .one(&self.db)
            .await?;
        let grant = match by_refresh {
            Some(refresh) => GrantRow::find_by_id(refresh.grant_id).one(&self.db).await?,
            None => match self
                .keys
                .verify::<AccessClaims>(token, Some("at+jwt"))
                .await?
            {
                Ok(claims) => {
                    GrantRow::find()
                        .filter(oidc_grants::Column::GrantId.eq(claims.gid))
                        .one(&self.db)
                        .await?
                }
                Err(_) => None,
            },
        };
        if let Some(grant) = grant.filter(|grant| grant.client_id == client.client_id) {
            self.revoke_grant(&grant).await?;
        }
        Ok(())
    }

    async fn revoke_grant(&self, grant: &oidc_grants::Model) -> Result<(), OidcError> {
        GrantRow::update_many()
            .col_expr(
                oidc_grants::Column::RevokedAt,
                Expr::value(self.clock.now()),
            )
            .filter(oidc_grants::Column::Id.eq(grant.id))
            .filter(oidc_grants::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        // This instance stops answering for the grant's tokens at once; others within
        // GRANT_FRESHNESS.
        self.verified
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, token| token.grant_id != grant.grant_id);
        Ok(())
    }

    /// Applications with access to `account`: those it consented to, and those holding a
    /// live refresh token.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn apps_with_access(&self, user_id: i64) -> Result<Vec<App>, OidcError> {
        let backend = self.db.get_database_backend();
        let p = |n: usize| match backend {
            DbBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        };
        let sql = format!(
            "SELECT c.client_id, c.name FROM oidc_clients c \
             WHERE c.client_id IN (SELECT client_id FROM oidc_consents WHERE user_id = {p1}) \
                OR c.client_id IN (SELECT g.client_id FROM oidc_grants g \
                    JOIN oidc_refresh_tokens t ON t.grant_id = g.id \
                    JOIN users u ON u.id = g.user_id \
                    WHERE g.user_id = {p2} AND g.revoked_at IS NULL \
                      AND g.credential_version = u.credential_version \
                      AND t.replaced_at IS NULL AND t.expires_at > {p3}) \
             ORDER BY c.name, c.client_id",
            p1 = p(1),
            p2 = p(2),
            p3 = p(3),
        );
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [user_id.into(), user_id.into(), self.clock.now().into()],
            ))
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(App {
                    client_id: row.try_get("", "client_id")?,
                    name: row.try_get("", "name")?,
                })
            })
            .collect::<Result<_, DbErr>>()
            .map_err(OidcError::from)
    }

    /// "Remove access" on the account page: the consent goes, and every grant of that
    /// application to the account is revoked with its tokens.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn remove_access(
        &self,
        user_id: i64,
        client_id: &str,
    ) -> Result<(), OidcError> {
        ConsentRow::delete_many()
            .filter(oidc_consents::Column::UserId.eq(user_id))
            .filter(oidc_consents::Column::ClientId.eq(client_id))
            .exec(&self.db)
            .await?;
        let grants = GrantRow::find()
            .filter(oidc_grants::Column::UserId.eq(user_id))
            .filter(oidc_grants::Column::ClientId.eq(client_id))
            .filter(oidc_grants::Column::RevokedAt.is_null())
            .all(&self.db)
            .await?;
        for grant in &grants {
            self.revoke_grant(grant).await?;
        }
        Ok(())
    }

    /// Revokes every grant and consent of a removed client.
    async fn forget_client(&self, client_id: &str) -> Result<(), OidcError> {
        ConsentRow::delete_many()
            .filter(oidc_consents::Column::ClientId.eq(client_id))
            .exec(&self.db)
            .await?;
        GrantRow::update_many()
            .col_expr(
                oidc_grants::Column::RevokedAt,
                Expr::value(self.clock.now()),
            )
            .filter(oidc_grants::Column::ClientId.eq(client_id))
            .filter(oidc_grants::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// RP-initiated logout: which account the `id_token_hint` names (one we signed, for
    /// this issuer; an expired one will do), and where to go afterwards: the
    /// `post_logout_redirect_uri`, only when registered for the client the hint or
    /// `client_id` names.
    ///
    /// # Errors
    /// Database and key errors.
    pub(crate) async fn logout_plan(
        &self,
        id_token_hint: Option<&str>,
        client_id: Option<&str>,
        post_logout_redirect_uri: Option<&str>,
        state: Option<&str>,
    ) -> Result<LogoutPlan, OidcError> {
        let hint = match id_token_hint {
            Some(hint) => self
                .keys
                .verify::<IdClaims>(hint, None)
                .await?
                .ok()
                .filter(|claims| claims.iss == self.settings.issuer),
            None => None,
        };
        let client_id = hint
            .as_ref()
            .map(|claims| claims.aud.as_str())
            .or(client_id);
        let client = match client_id {
            Some(client_id) => self.client(client_id).await?,
            None => None,
        };
        let redirect = post_logout_redirect_uri
            .filter(|uri| {
                client.as_ref().is_some_and(|client| {
                    client
                        .post_logout_redirect_uris
                        .iter()
                        .any(|known| known == uri)
                })
            })
            .map(|uri| match state {
                Some(state) => with_query(uri, &[("state", state)]),
                None => uri.to_owned(),
            });
        Ok(LogoutPlan {
            hinted_user: hint.and_then(|claims| claims.sub.parse().ok()),
            redirect,
        })
    }

    /// Counts a failed client authentication; the longest wait when it was over a limit.
    async fn count_failed_client_authentication(
        &self,
        client_id: &str,
        origin: IpAddr,
    ) -> Result<Option<Exceeded>, OidcError> {
        let mut longest_wait: Option<Exceeded> = None;
        for (limit, subject) in [
            (FAILED_CLIENT_AUTH_BY_CLIENT, client_id.to_owned()),
            (FAILED_CLIENT_AUTH_BY_ADDRESS, client_subject(origin)),
        ] {
            if let Err(exceeded) = self.limits.take(&limit, &subject).await? {
                longest_wait = longest_wait.max(Some(exceeded));
            }
        }
        Ok(longest_wait)
    }

    /// Deletes grants whose code and every refresh token have ended, for housekeeping.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn delete_ended_grants(&self) -> Result<u64, OidcError> {
        let backend = self.db.get_database_backend();
        let p = |n: usize| match backend {
            DbBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        };
        let sql = format!(
            "DELETE FROM oidc_grants WHERE code_expires_at < {p1} \
             AND NOT EXISTS (SELECT 1 FROM oidc_refresh_tokens t \
                 WHERE t.grant_id = oidc_grants.id AND t.expires_at > {p1} \
                   AND t.replaced_at IS NULL) \
             AND created_at < {p2}",
            p1 = p(1),
            p2 = p(2),
        );
        let now = self.clock.now();
        // Kept a day past their end, so a late reuse is still recognised and revoked.
        let day_ago = now - chrono::Duration::days(1);
        let deleted = self
            .db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [now.into(), day_ago.into()],
            ))
            .await?
            .rows_affected();
        self.db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                "DELETE FROM oidc_refresh_tokens WHERE grant_id NOT IN (SELECT id FROM oidc_grants)",
                [],
            ))
            .await?;
        Ok(deleted)
    }
}

/// `uri` with `pairs` added to its query.
pub(crate) fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(pairs);
            url.into()
        }
        Err(_) => uri.to_owned(),
    }
}
