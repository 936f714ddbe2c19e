//! Secret keys and the sub-keys derived from them.
//!
//! One configured secret signs tokens, fingerprints account state and protects CSRF
//! cookies. Each use gets its own key, derived with HMAC-SHA256 under a distinct label, so a
//! value produced for one purpose can never be replayed as another.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use hmac::{Hmac, Mac};
use jsonwebtoken::{DecodingKey, EncodingKey};
use ring::aead;
use secrecy::{ExposeSecret, SecretBox, SecretSlice};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Key material that never appears in `Debug` output or logs.
#[derive(Clone, Debug)]
pub struct SecretKey(SecretSlice<u8>);

impl SecretKey {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes.into())
    }

    pub(crate) fn expose(&self) -> &[u8] {
        self.0.expose_secret()
    }

    /// Derives a 32-byte key for one purpose.
    fn derive(&self, label: &str) -> [u8; 32] {
        let mut mac =
            HmacSha256::new_from_slice(self.expose()).expect("HMAC accepts keys of any length");
        mac.update(&(label.len() as u64).to_be_bytes());
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Reads the development secret, creating it on first start.
    ///
    /// # Errors
    /// Any I/O error reading or writing the file.
    pub fn load_or_create(path: &Path) -> std::io::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(contents) if contents.trim().len() >= 32 => {
                Ok(Self::new(contents.trim().as_bytes().to_vec()))
            }
            Ok(_) => Err(std::io::Error::other(format!(
                "{} holds a secret shorter than 32 bytes",
                path.display()
            ))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let encoded = hex::encode(random_bytes::<32>());
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                options.open(path)?.write_all(encoded.as_bytes())?;
                Ok(Self::new(encoded.into_bytes()))
            }
            Err(error) => Err(error),
        }
    }
}

/// A 32-byte HMAC-SHA256 key for one use. Its bytes never leave this module: callers ask
/// for a tag or for a tag to be checked.
#[derive(Clone, Debug)]
pub(crate) struct MacKey(Arc<SecretBox<[u8; 32]>>);

impl MacKey {
    fn new(bytes: [u8; 32]) -> Self {
        Self(Arc::new(SecretBox::new(Box::new(bytes))))
    }

    fn mac(&self, parts: &[&[u8]]) -> HmacSha256 {
        let mut mac =
            HmacSha256::new_from_slice(self.0.expose_secret()).expect("HMAC accepts 32-byte keys");
        for part in parts {
            // Length prefixes keep ("ab","c") and ("a","bc") apart.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac
    }

    /// HMAC-SHA256 over `parts`.
    pub(crate) fn tag(&self, parts: &[&[u8]]) -> [u8; 32] {
        self.mac(parts).finalize().into_bytes().into()
    }

    /// True when `tag` is the tag of `parts`, or its leftmost bytes (a truncated tag of at
    /// least 16 bytes). Compared in constant time.
    pub(crate) fn verify(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        tag.len() >= 16 && self.mac(parts).verify_truncated_left(tag).is_ok()
    }
}

/// The keys derived from one configured secret.
#[derive(Clone)]
pub(crate) struct DerivedKeys {
    id: String,
    token_signing: MacKey,
    fingerprint: MacKey,
    csrf: MacKey,
    device: MacKey,
    code: MacKey,
    /// Seals what must be kept secret at rest (the OpenID Connect signing keys).
    sealing: MacKey,
}

impl DerivedKeys {
    fn from_secret(secret: &SecretKey) -> Self {
        let id_hash = Sha256::digest(secret.derive("doorman key id"));
        Self {
            id: hex::encode(&id_hash[..8]),
            token_signing: MacKey::new(secret.derive("doorman token signing")),
            fingerprint: MacKey::new(secret.derive("doorman state fingerprint")),
            csrf: MacKey::new(secret.derive("doorman csrf")),
            device: MacKey::new(secret.derive("doorman device cookie")),
            code: MacKey::new(secret.derive("doorman confirmation code")),
            sealing: MacKey::new(secret.derive("doorman sealing")),
        }
    }

    /// AES-256-GCM under this secret's sealing key: a random nonce, then the ciphertext
    /// and its tag.
    fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        let key = self.sealing_key();
        let nonce = random_bytes::<12>();
        let mut sealed = plaintext.to_vec();
        key.seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::empty(),
            &mut sealed,
        )
        .expect("AES-GCM seals any length a key has");
        [nonce.as_slice(), &sealed].concat()
    }

    fn unseal(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        let (nonce, ciphertext) = sealed.split_at_checked(12)?;
        let nonce = aead::Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut plaintext = ciphertext.to_vec();
        let opened = self
            .sealing_key()
            .open_in_place(nonce, aead::Aad::empty(), &mut plaintext)
            .ok()?
            .len();
        plaintext.truncate(opened);
        Some(plaintext)
    }

    fn sealing_key(&self) -> aead::LessSafeKey {
        let key = aead::UnboundKey::new(&aead::AES_256_GCM, self.sealing.0.expose_secret())
            .expect("a 32-byte key is an AES-256 key");
        aead::LessSafeKey::new(key)
    }

    /// Public, stable name of the key, written in each token's `kid` header.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn encoding_key(&self) -> EncodingKey {
        EncodingKey::from_secret(self.token_signing.0.expose_secret())
            .expect("derived signing keys are 32 bytes, never empty")
    }

    pub(crate) fn decoding_key(&self) -> DecodingKey {
        DecodingKey::from_secret(self.token_signing.0.expose_secret())
            .expect("derived signing keys are 32 bytes, never empty")
    }

    /// Fingerprints the account state a token covers.
    pub(crate) fn fingerprint(&self) -> &MacKey {
        &self.fingerprint
    }

    /// Signs CSRF cookies.
    pub(crate) fn csrf(&self) -> &MacKey {
        &self.csrf
    }

    /// Derives the six-digit confirmation codes.
    pub(crate) fn code(&self) -> &MacKey {
        &self.code
    }

    /// Signs the cookie of a browser that logged in before (the failed-login throttle's
    /// device cookie).
    pub(crate) fn device(&self) -> &MacKey {
        &self.device
    }
}

/// The current key, which signs, and older keys still accepted for verification.
#[derive(Clone)]
pub struct Keyring {
    current: DerivedKeys,
    previous: Vec<DerivedKeys>,
}

impl Keyring {
    pub fn new(current: &SecretKey, previous: &[SecretKey]) -> Self {
        Self {
            current: DerivedKeys::from_secret(current),
            previous: previous.iter().map(DerivedKeys::from_secret).collect(),
        }
    }

    pub(crate) fn current(&self) -> &DerivedKeys {
        &self.current
    }

    /// Seals `plaintext` under the current secret.
    pub(crate) fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        self.current.seal(plaintext)
    }

    /// Opens what [`Keyring::seal`] sealed under the current or a previous secret.
    pub(crate) fn unseal(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find_map(|keys| keys.unseal(sealed))
    }

    /// The key named by a token's `kid`, current or previous.
    pub(crate) fn find(&self, key_id: &str) -> Option<&DerivedKeys> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|keys| keys.id == key_id)
    }
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_differ_per_purpose_and_secret() {
        let one = DerivedKeys::from_secret(&SecretKey::new(vec![1; 32]));
        let two = DerivedKeys::from_secret(&SecretKey::new(vec![2; 32]));
        let bytes = |key: &MacKey| *key.0.expose_secret();
        assert_ne!(bytes(&one.token_signing), bytes(&one.fingerprint));
        assert_ne!(bytes(&one.token_signing), bytes(&one.csrf));
        assert_ne!(bytes(&one.fingerprint), bytes(&one.csrf));
        assert_ne!(bytes(&one.token_signing), bytes(&two.token_signing));
        assert_ne!(one.id, two.id);
    }

    #[test]
    fn tags_verify_whole_or_truncated_and_nothing_else() {
        let key = DerivedKeys::from_secret(&SecretKey::new(vec![1; 32])).csrf;
        let tag = key.tag(&[b"ab", b"c"]);
        assert!(key.verify(&[b"ab", b"c"], &tag));
        assert!(key.verify(&[b"ab", b"c"], &tag[..16]));
        assert!(
            !key.verify(&[b"a", b"bc"], &tag),
            "parts are length-prefixed"
        );
        assert!(!key.verify(&[b"ab", b"c"], &tag[..8]), "too short to trust");
        assert!(!key.verify(&[b"ab", b"c"], &[0; 32]));
        assert!(format!("{key:?}").contains("REDACTED"));
    }

    #[test]
    fn keyring_finds_previous_keys_by_id() {
        let old = SecretKey::new(vec![1; 32]);
        let new = SecretKey::new(vec![2; 32]);
        let ring = Keyring::new(&new, std::slice::from_ref(&old));
        let old_id = DerivedKeys::from_secret(&old).id;
        assert!(ring.find(&old_id).is_some());
        assert!(ring.find(&ring.current().id).is_some());
        assert!(ring.find("unknown").is_none());
    }

    #[test]
    fn sealed_secrets_open_under_the_current_or_a_previous_secret_only() {
        let old = SecretKey::new(vec![1; 32]);
        let sealed = Keyring::new(&old, &[]).seal(b"a private key");
        assert_ne!(&sealed[12..], b"a private key");
        let rotated = Keyring::new(&SecretKey::new(vec![2; 32]), std::slice::from_ref(&old));
        assert_eq!(rotated.unseal(&sealed).unwrap(), b"a private key");
        let stranger = Keyring::new(&SecretKey::new(vec![3; 32]), &[]);
        assert!(stranger.unseal(&sealed).is_none());
        let mut tampered = sealed.clone();
        tampered[20] ^= 1;
        assert!(rotated.unseal(&tampered).is_none());
    }

    #[test]
    fn secrets_never_print() {
        let key = SecretKey::new(b"super secret value that is long enough".to_vec());
        let printed = format!("{key:?}");
        assert!(
            printed.contains("REDACTED") && !printed.contains("115, 117"),
            "{printed}"
        );
    }

    #[test]
    fn development_secret_is_created_once() {
        let dir = std::env::temp_dir().join(format!("doorman-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("test.secret");
        let _ = std::fs::remove_file(&path);
        let first = SecretKey::load_or_create(&path).unwrap();
        let second = SecretKey::load_or_create(&path).unwrap();
        assert_eq!(first.expose(), second.expose());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
