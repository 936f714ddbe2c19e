//! The password hashes an account may hold: Doorman's own argon2id, and those of the
//! systems people arrive from (SPEC §16): Django's, bcrypt's (Devise, phx.gen.auth,
//! Rails, PHP), argon2-cffi's, passlib's and PHC scrypt and PBKDF2. Each is recognised
//! once, here, and checked on the hashing threads; a login that matches a foreign one
//! replaces it with argon2id.

use argon2::password_hash::{Output, PasswordHash, PasswordVerifier};
use argon2::{Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

use super::hasher::{ITERATIONS, MEMORY_KIB, PARALLELISM};

/// scrypt's cost is memory as well as time: `ln` above this (1 GiB at `r=8`) is refused
/// rather than let one login take the machine's memory.
const MAX_SCRYPT_LOG_N: u32 = 20;

/// PBKDF2 as Django stores it: the salt is text, used as its UTF-8 bytes.
#[derive(Debug, Clone, Copy)]
enum DjangoDigest {
    Sha256,
    Sha1,
}

/// A stored hash, by how it is checked.
#[derive(Debug)]
enum Scheme {
    /// A PHC string argon2 verifies with its own parameters: `$argon2id$`, `$argon2i$`
    /// (Django's with its `argon2` prefix taken off).
    Argon2(String),
    /// `$2a$`, `$2b$`, `$2y$`; Django's `bcrypt_sha256` first hashes the password with
    /// SHA-256 and hands bcrypt its hex digest.
    Bcrypt { hash: String, sha256_first: bool },
    /// Django's `pbkdf2_sha256$ITERATIONS$SALT$BASE64` and `pbkdf2_sha1$…`.
    DjangoPbkdf2 {
        digest: DjangoDigest,
        iterations: u32,
        salt: String,
        hash: Vec<u8>,
    },
    /// A PHC string for RustCrypto's `scrypt` or `pbkdf2` (`$scrypt$ln=…`,
    /// `$pbkdf2-sha256$i=…,l=…`); passlib's forms are rewritten into it.
    Phc(String),
}

impl Scheme {
    fn parse(stored: &str) -> Option<Self> {
        let scheme = if stored.starts_with("$argon2id$") || stored.starts_with("$argon2i$") {
            Scheme::Argon2(stored.to_owned())
        } else if let Some(phc) = stored.strip_prefix("argon2") {
            Scheme::Argon2(phc.to_owned())
        } else if let Some(hash) = stored.strip_prefix("bcrypt_sha256$") {
            bcrypt_hash(hash, true)?
        } else if let Some(hash) = stored.strip_prefix("bcrypt$") {
            bcrypt_hash(hash, false)?
        } else if stored.starts_with("$2") {
            bcrypt_hash(stored, false)?
        } else if let Some(rest) = stored.strip_prefix("pbkdf2_sha256$") {
            django_pbkdf2(DjangoDigest::Sha256, rest)?
        } else if let Some(rest) = stored.strip_prefix("pbkdf2_sha1$") {
            django_pbkdf2(DjangoDigest::Sha1, rest)?
        } else if stored.starts_with("$scrypt$") || stored.starts_with("$pbkdf2-sha256$") {
            Scheme::Phc(phc_from_passlib(stored)?)
        } else {
            return None;
        };
        scheme.is_well_formed().then_some(scheme)
    }

    /// The PHC strings parse, with parameters the verifier accepts.
    fn is_well_formed(&self) -> bool {
        match self {
            Scheme::Argon2(phc) => {
                PasswordHash::new(phc).is_ok_and(|hash| Params::try_from(&hash).is_ok())
            }
            Scheme::Phc(phc) => {
                PasswordHash::new(phc).is_ok_and(|hash| match hash.algorithm.as_str() {
                    "scrypt" => scrypt::Params::try_from(&hash)
                        .is_ok_and(|params| u32::from(params.log_n()) <= MAX_SCRYPT_LOG_N),
                    "pbkdf2-sha256" => pbkdf2::Params::try_from(&hash).is_ok(),
                    _ => false,
                })
            }
            Scheme::Bcrypt { .. } | Scheme::DjangoPbkdf2 { .. } => true,
        }
    }

    fn verify(&self, argon: &Argon2<'static>, password: &str) -> bool {
        match self {
            Scheme::Argon2(phc) => PasswordHash::new(phc)
                .is_ok_and(|hash| argon.verify_password(password.as_bytes(), &hash).is_ok()),
            Scheme::Bcrypt { hash, sha256_first } => {
                let digest;
                let input = if *sha256_first {
                    digest = hex::encode(Sha256::digest(password.as_bytes()));
                    digest.as_str()
                } else {
                    password
                };
                bcrypt::verify(input, hash).unwrap_or(false)
            }
            Scheme::DjangoPbkdf2 {
                digest,
                iterations,
                salt,
                hash,
            } => {
                let mut computed = vec![0; hash.len()];
                let derive = match digest {
                    DjangoDigest::Sha256 => pbkdf2::pbkdf2_hmac::<Sha256>,
                    DjangoDigest::Sha1 => pbkdf2::pbkdf2_hmac::<Sha1>,
                };
                derive(
                    password.as_bytes(),
                    salt.as_bytes(),
                    *iterations,
                    &mut computed,
                );
                // `Output` compares in constant time.
                matches!(
                    (Output::new(&computed), Output::new(hash)),
                    (Ok(computed), Ok(stored)) if computed == stored
                )
            }
            Scheme::Phc(phc) => PasswordHash::new(phc).is_ok_and(|hash| {
                let password = password.as_bytes();
                match hash.algorithm.as_str() {
                    "scrypt" => scrypt::Scrypt.verify_password(password, &hash).is_ok(),
                    _ => pbkdf2::Pbkdf2.verify_password(password, &hash).is_ok(),
                }
            }),
        }
    }

    /// Doorman's own argon2id with today's parameters: nothing to replace.
    fn is_current(&self) -> bool {
        let Scheme::Argon2(phc) = self else {
            return false;
        };
        PasswordHash::new(phc).is_ok_and(|hash| {
            Params::try_from(&hash).is_ok_and(|params| {
                hash.algorithm.as_str() == "argon2id"
                    && hash.version == Some(Version::V0x13 as u32)
                    && params.m_cost() == MEMORY_KIB
                    && params.t_cost() == ITERATIONS
                    && params.p_cost() == PARALLELISM
            })
        })
    }
}

fn bcrypt_hash(hash: &str, sha256_first: bool) -> Option<Scheme> {
    let version_known = ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|version| hash.starts_with(version));
    // `$2b$12$` + 22 characters of salt + 31 of hash.
    (version_known && hash.len() == 60).then(|| Scheme::Bcrypt {
        hash: hash.to_owned(),
        sha256_first,
    })
}

fn django_pbkdf2(digest: DjangoDigest, rest: &str) -> Option<Scheme> {
    let mut parts = rest.split('$');
    let (Some(iterations), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let iterations = iterations.parse().ok().filter(|&n: &u32| n > 0)?;
    let hash = STANDARD.decode(hash).ok()?;
    let hash_fits = (10..=Output::MAX_LENGTH).contains(&hash.len());
    (!salt.is_empty() && hash_fits).then(|| Scheme::DjangoPbkdf2 {
        digest,
        iterations,
        salt: salt.to_owned(),
        hash,
    })
}

/// passlib writes base64 with `.` for `+` and, for PBKDF2, the rounds bare
/// (`$pbkdf2-sha256$29000$SALT$HASH`); PHC wants `+` and `i=…,l=…`.
fn phc_from_passlib(stored: &str) -> Option<String> {
    let fields: Vec<String> = stored.split('$').map(|f| f.replace('.', "+")).collect();
    match fields.as_slice() {
        [empty, algorithm, rounds, salt, hash]
            if empty.is_empty()
                && algorithm == "pbkdf2-sha256"
                && rounds.bytes().all(|b| b.is_ascii_digit()) =>
        {
            let length = Output::b64_decode(hash).ok()?.len();
            Some(format!(
                "$pbkdf2-sha256$i={rounds},l={length}${salt}${hash}"
            ))
        }
        _ => Some(fields.join("$")),
    }
}

/// Whether Doorman can check a password against `stored`: the import's test of a line.
pub(crate) fn is_recognised(stored: &str) -> bool {
    Scheme::parse(stored).is_some()
}

/// Checks `password` against `stored`: `None` when it does not match (or `stored` is no
/// hash Doorman knows), else whether it should be replaced by today's argon2id.
pub(super) fn verify(argon: &Argon2<'static>, password: &str, stored: &str) -> Option<bool> {
    let scheme = Scheme::parse(stored)?;
    scheme.verify(argon, password).then(|| !scheme.is_current())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passlib_pbkdf2_becomes_phc() {
        assert_eq!(
            phc_from_passlib(
                "$pbkdf2-sha256$29000$N2ZPR3QSq.s$8Ua9Rx7Gb0L.5Ci8s6f8iH3zk3jpM4WFLh3dFNSk2Jc"
            )
            .as_deref(),
            Some(
                "$pbkdf2-sha256$i=29000,l=32$N2ZPR3QSq+s$8Ua9Rx7Gb0L+5Ci8s6f8iH3zk3jpM4WFLh3dFNSk2Jc"
            )
        );
    }

    #[test]
    fn what_is_not_a_known_hash_is_not_recognised() {
        for stored in [
            "",
            "plaintext",
            "md5$salt$5f4dcc3b5aa765d61d8327deb882cf99",
            "pbkdf2_sha256$0$salt$AAAAAAAAAAAAAAAAAAAAAA==",
            "pbkdf2_sha256$600000$salt$not base64!",
            "pbkdf2_sha256$600000$salt",
            "bcrypt$$2b$12$tooshort",
            "$2c$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
            "$argon2id$v=19$m=nonsense$salt$hash",
            "$scrypt$ln=30,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$sha512$whatever",
        ] {
            assert!(!is_recognised(stored), "{stored:?}");
        }
    }
}
