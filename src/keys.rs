//! Secret keys and the sub-keys derived from them.
//!
//! One configured secret signs tokens, fingerprints account state and protects CSRF
//! cookies. Each use gets its own key, derived with HMAC-SHA256 under a distinct label, so a
//! value produced for one purpose can never be replayed as another.

use std::fmt;
use std::io::Write;
use std::path::Path;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Key material that never appears in `Debug` output or logs.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Derives a 32-byte key for one purpose.
    fn derive(&self, label: &str) -> [u8; 32] {
        hmac_sha256(&self.0, &[label.as_bytes()])
    }

    /// Reads the development secret, creating it on first start.
    ///
    /// # Errors
    /// Any I/O error reading or writing the file.
    pub fn load_or_create(path: &Path) -> std::io::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(contents) if contents.trim().len() >= 32 => {
                Ok(Self(contents.trim().as_bytes().to_vec()))
            }
            Ok(_) => Err(std::io::Error::other(format!(
                "{} holds a secret shorter than 32 bytes",
                path.display()
            ))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let encoded = hex(&random_bytes::<32>());
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                options.open(path)?.write_all(encoded.as_bytes())?;
                Ok(Self(encoded.into_bytes()))
            }
            Err(error) => Err(error),
        }
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// The keys derived from one configured secret.
#[derive(Clone)]
pub struct DerivedKeys {
    /// Public, stable name of the key, written in each token's `kid` header.
    pub id: String,
    pub token_signing: [u8; 32],
    pub fingerprint: [u8; 32],
    pub csrf: [u8; 32],
}

impl DerivedKeys {
    fn from_secret(secret: &SecretKey) -> Self {
        let id_hash = Sha256::digest(secret.derive("doorman key id"));
        Self {
            id: hex(&id_hash[..8]),
            token_signing: secret.derive("doorman token signing"),
            fingerprint: secret.derive("doorman state fingerprint"),
            csrf: secret.derive("doorman csrf"),
        }
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

    pub fn current(&self) -> &DerivedKeys {
        &self.current
    }

    /// The key named by a token's `kid`, current or previous.
    pub fn find(&self, key_id: &str) -> Option<&DerivedKeys> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|keys| keys.id == key_id)
    }
}

pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        // Length prefixes keep ("ab","c") and ("a","bc") apart.
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Constant-time comparison of two MACs.
pub(crate) fn macs_equal(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len()
        && left
            .iter()
            .zip(right)
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_differ_per_purpose_and_secret() {
        let one = DerivedKeys::from_secret(&SecretKey::new(vec![1; 32]));
        let two = DerivedKeys::from_secret(&SecretKey::new(vec![2; 32]));
        assert_ne!(one.token_signing, one.fingerprint);
        assert_ne!(one.token_signing, one.csrf);
        assert_ne!(one.token_signing, two.token_signing);
        assert_ne!(one.id, two.id);
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
    fn secrets_never_print() {
        let key = SecretKey::new(b"super secret value that is long enough".to_vec());
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
    }

    #[test]
    fn development_secret_is_created_once() {
        let dir = std::env::temp_dir().join(format!("doorman-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("test.secret");
        let _ = std::fs::remove_file(&path);
        let first = SecretKey::load_or_create(&path).unwrap();
        let second = SecretKey::load_or_create(&path).unwrap();
        assert_eq!(first.0, second.0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
