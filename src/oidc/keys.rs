//! The provider's signing keys (SPEC §13): RSA 2048 (see [`KEY_BITS`]), generated on the first start, kept in
//! the database sealed under a key derived from `SECRET_KEY` (so every instance signs with
//! the same one), published as a JWKS, and rotated by `doorman keys rotate`: the new key
//! signs at once; the previous ones stay published until every token they signed expired.
//!
//! ring signs and verifies (RSASSA-PKCS1-v1_5 with SHA-256, constant-time, from
//! BoringSSL); the `rsa` crate only generates a key. Rotation is a row: every instance
//! reads the keys again within [`RELOAD_AFTER`], or at once when a token names a key it
//! has not seen.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use ring::rand::SystemRandom;
use ring::signature::{self, RsaKeyPair, RsaPublicKeyComponents};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::db::entities::oidc_keys::{self, Entity as KeyRow};
use crate::keys::Keyring;

/// How long an instance signs with the keys it read before reading them again.
const RELOAD_AFTER: Duration = Duration::from_secs(5);

/// A token naming a key this instance has not seen makes it read the keys again, but not
/// more often than this: made-up `kid`s cannot turn every request into a database read.
const UNKNOWN_KID_RELOAD_AFTER: Duration = Duration::from_secs(1);

/// 112-bit strength, NIST SP 800-57's floor through 2030 and what the large providers
/// publish; a 3072-bit key costs 2.5 times as much per signature, and every code exchange
/// signs twice. Keys of any size from 2048 to 8192 bits verify, so a later rotation to a
/// larger size needs no other change.
const KEY_BITS: usize = 2048;

#[derive(Debug, thiserror::Error)]
pub(crate) enum KeyError {
    #[error("database error")]
    Database(#[from] DbErr),
    #[error(
        "a signing key in the database cannot be opened with SECRET_KEY or SECRET_KEY_PREVIOUS"
    )]
    Sealed,
    #[error("generating a signing key failed: {0}")]
    Generation(String),
    #[error("signing failed")]
    Signing,
}

/// Why a JWS is not one of ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a token this provider signed")]
pub(crate) struct NotOurs;

/// One key as the JWKS publishes it.
struct PublishedKey {
    kid: String,
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

struct KeySet {
    read_at: Instant,
    signer_kid: String,
    signer: Arc<RsaKeyPair>,
    published: Vec<PublishedKey>,
}

pub(crate) struct SigningKeys {
    db: DatabaseConnection,
    keyring: Keyring,
    clock: Clock,
    /// The longest any token we sign lives: a retired key is published this much longer.
    longest_token_life: Duration,
    loaded: RwLock<Option<Arc<KeySet>>>,
    /// Held while reading the keys, so that requests arriving together read them once.
    reloading: tokio::sync::Mutex<()>,
    rng: SystemRandom,
}

impl SigningKeys {
    pub(crate) fn new(
        db: DatabaseConnection,
        keyring: Keyring,
        clock: Clock,
        longest_token_life: Duration,
    ) -> Self {
        Self {
            db,
            keyring,
            clock,
            longest_token_life,
            loaded: RwLock::new(None),
            reloading: tokio::sync::Mutex::new(()),
            rng: SystemRandom::new(),
        }
    }

    /// The keys as read at most [`RELOAD_AFTER`] ago; the first start makes one.
    async fn keys(&self) -> Result<Arc<KeySet>, KeyError> {
        self.keys_read_within(RELOAD_AFTER).await
    }

    /// The keys as read at most `age` ago: read again if older, by one request while
    /// the others wait for its answer.
    async fn keys_read_within(&self, age: Duration) -> Result<Arc<KeySet>, KeyError> {
        let fresh = || {
            self.loaded
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .as_ref()
                .filter(|keys| keys.read_at.elapsed() < age)
                .cloned()
        };
        if let Some(keys) = fresh() {
            return Ok(keys);
        }
        let _reading = self.reloading.lock().await;
        if let Some(keys) = fresh() {
            return Ok(keys);
        }
        self.reload().await
    }

    async fn reload(&self) -> Result<Arc<KeySet>, KeyError> {
        let mut rows = self.published_rows().await?;
        if !rows.iter().any(|row| row.retired_at.is_none()) {
            self.insert_new_key(false).await?;
            rows = self.published_rows().await?;
        }
        let keys = Arc::new(self.key_set(&rows)?);
        *self
            .loaded
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(keys.clone());
        Ok(keys)
    }

    /// The keys still published: the signers, and those retired less than the longest
    /// token life ago (with a few minutes for clocks that disagree).
    async fn published_rows(&self) -> Result<Vec<oidc_keys::Model>, DbErr> {
        let published_since = self.clock.now()
            - chrono::Duration::from_std(self.longest_token_life + Duration::from_secs(300))
                .unwrap_or_default();
        KeyRow::find()
            .filter(
                sea_orm::Condition::any()
                    .add(oidc_keys::Column::RetiredAt.is_null())
                    .add(oidc_keys::Column::RetiredAt.gt(published_since)),
            )
            .order_by_desc(oidc_keys::Column::CreatedAt)
            .order_by_desc(oidc_keys::Column::Kid)
            .all(&self.db)
            .await
    }

    fn key_set(&self, rows: &[oidc_keys::Model]) -> Result<KeySet, KeyError> {
        let mut signer = None;
        let mut published = Vec::with_capacity(rows.len());
        for row in rows {
            let sealed = STANDARD
                .decode(&row.sealed_key)
                .map_err(|_| KeyError::Sealed)?;
            let der = self.keyring.unseal(&sealed).ok_or(KeyError::Sealed)?;
            let pair = RsaKeyPair::from_pkcs8(&der).map_err(|_| KeyError::Sealed)?;
            let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
            published.push(PublishedKey {
                kid: row.kid.clone(),
                modulus: public.n,
                exponent: public.e,
            });
            // Rows come newest first: the newest unretired key signs.
            if signer.is_none() && row.retired_at.is_none() {
                signer = Some((row.kid.clone(), Arc::new(pair)));
            }
        }
        let (signer_kid, signer) = signer.ok_or(KeyError::Sealed)?;
        Ok(KeySet {
            read_at: Instant::now(),
            signer_kid,
            signer,
            published,
        })
    }

    /// Generates a key and stores it sealed; with `retire_others`, in the same
    /// transaction every other key stops signing. Returns its `kid`.
    async fn insert_new_key(&self, retire_others: bool) -> Result<String, KeyError> {
        let der = tokio::task::spawn_blocking(|| {
            use rsa::pkcs8::EncodePrivateKey;
            rsa::PrivateKey::new(&mut getrandom::SysRng, KEY_BITS)
                .map_err(|error| KeyError::Generation(error.to_string()))?
                .to_pkcs8_der()
                .map(|der| der.as_bytes().to_vec())
                .map_err(|error| KeyError::Generation(error.to_string()))
        })
        .await
        .map_err(|error| KeyError::Generation(error.to_string()))??;
        let pair = RsaKeyPair::from_pkcs8(&der)
            .map_err(|error| KeyError::Generation(error.to_string()))?;
        // The thumbprint-like name of the public key: the same key, the same name.
        let digest = Sha256::digest(RsaPublicKeyComponents::<Vec<u8>>::from(pair.public()).n);
        let kid = URL_SAFE_NO_PAD.encode(&digest[..16]);
        let now = self.clock.now();
        let transaction = crate::db::begin_write(&self.db).await?;
        if retire_others {
            KeyRow::update_many()
                .col_expr(oidc_keys::Column::RetiredAt, Expr::value(now))
                .filter(oidc_keys::Column::RetiredAt.is_null())
                .exec(&transaction)
                .await?;
        }
        KeyRow::insert(oidc_keys::ActiveModel {
            kid: Set(kid.clone()),
            sealed_key: Set(STANDARD.encode(self.keyring.seal(&der))),
            created_at: Set(now),
            retired_at: Set(None),
        })
        .exec_without_returning(&transaction)
        .await?;
        transaction.commit().await?;
        Ok(kid)
    }

    /// `doorman keys rotate`: a new key signs from now on, on every instance within
    /// [`RELOAD_AFTER`]; the others stay published while tokens they signed live.
    ///
    /// # Errors
    /// Database or key errors.
    pub(crate) async fn rotate(&self) -> Result<String, KeyError> {
        let kid = self.insert_new_key(true).await?;
        self.reload().await?;
        Ok(kid)
    }

    /// Every key still published, when each was made and whether it signs, for the CLI.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn listing(&self) -> Result<Vec<(String, DateTime<Utc>, bool)>, KeyError> {
        Ok(self
            .published_rows()
            .await?
            .into_iter()
            .map(|row| (row.kid, row.created_at, row.retired_at.is_none()))
            .collect())
    }

    /// The JWKS: public keys only.
    ///
    /// # Errors
    /// Database or key errors.
    pub(crate) async fn jwks(&self) -> Result<serde_json::Value, KeyError> {
        let keys = self.keys().await?;
        let keys: Vec<serde_json::Value> = keys
            .published
            .iter()
            .map(|key| {
                serde_json::json!({
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": key.kid,
                    "n": URL_SAFE_NO_PAD.encode(&key.modulus),
                    "e": URL_SAFE_NO_PAD.encode(&key.exponent),
                })
            })
            .collect();
        Ok(serde_json::json!({ "keys": keys }))
    }

    /// A compact JWS of `claims`, RS256 with the current signer, its header's `typ` as
    /// given (`JWT` for ID tokens, `at+jwt` for access tokens, RFC 9068).
    ///
    /// # Errors
    /// Database or key errors.
    pub(crate) async fn sign(
        &self,
        typ: &str,
        claims: &impl Serialize,
    ) -> Result<String, KeyError> {
        let keys = self.keys().await?;
        let header = serde_json::json!({"alg": "RS256", "typ": typ, "kid": keys.signer_kid});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).map_err(|_| KeyError::Signing)?)
        );
        let mut signature = vec![0; keys.signer.public().modulus_len()];
        keys.signer
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &self.rng,
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| KeyError::Signing)?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }

    /// The claims of a JWS this provider signed with a published key, whose header says
    /// `typ` when one is expected. Expiry is the caller's to check.
    ///
    /// # Errors
    /// [`NotOurs`] for anything else; key errors.
    pub(crate) async fn verify<C: DeserializeOwned>(
        &self,
        token: &str,
        typ: Option<&str>,
    ) -> Result<Result<C, NotOurs>, KeyError> {
        let Some((header, claims, signature)) = split_jws(token) else {
            return Ok(Err(NotOurs));
        };
        let Ok(header) = serde_json::from_slice::<serde_json::Value>(&header) else {
            return Ok(Err(NotOurs));
        };
        if header["alg"] != "RS256" || typ.is_some_and(|typ| header["typ"] != typ) {
            return Ok(Err(NotOurs));
        }
        let Some(kid) = header["kid"].as_str() else {
            return Ok(Err(NotOurs));
        };
        let mut keys = self.keys().await?;
        if !keys.published.iter().any(|key| key.kid == kid) {
            // Another instance may have rotated since this one read the keys.
            keys = self.keys_read_within(UNKNOWN_KID_RELOAD_AFTER).await?;
        }
        let Some(key) = keys.published.iter().find(|key| key.kid == kid) else {
            return Ok(Err(NotOurs));
        };
        let signing_input = &token[..token.rfind('.').unwrap_or_default()];
        let verified = RsaPublicKeyComponents {
            n: &key.modulus,
            e: &key.exponent,
        }
        .verify(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            signing_input.as_bytes(),
            &signature,
        );
        if verified.is_err() {
            return Ok(Err(NotOurs));
        }
        Ok(serde_json::from_slice(&claims).map_err(|_| NotOurs))
    }
}

/// The three decoded parts of a compact JWS, if it is one.
fn split_jws(token: &str) -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    // Longer is not a token we issued; refusing it bounds the work.
    if token.len() > 8192 {
        return None;
    }
    let mut parts = token.split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some((
        URL_SAFE_NO_PAD.decode(header).ok()?,
        URL_SAFE_NO_PAD.decode(claims).ok()?,
        URL_SAFE_NO_PAD.decode(signature).ok()?,
    ))
}
