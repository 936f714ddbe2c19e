use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OnceCell, Semaphore};

/// OWASP's recommendation for argon2id: m = 19456 KiB, t = 2, p = 1.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hashing slot is taken and the waiting line is full: shed load instead of
    /// letting memory grow with the flood.
    #[error("the password hasher is busy")]
    Busy,
    #[error("password hashing failed: {0}")]
    Failed(String),
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    Mismatch,
    /// `needs_rehash` is set when the stored hash used other parameters.
    Match {
        needs_rehash: bool,
    },
}

/// Hashes and verifies passwords on the blocking pool, at most `parallel` at a time and with
/// at most `waiting` more queued; each hash holds about 19 MiB while it runs.
pub struct PasswordHasher {
    argon: Argon2<'static>,
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
    admitted_capacity: usize,
    dummy_hash: OnceCell<String>,
}

impl PasswordHasher {
    pub fn new(parallel: usize, waiting: usize) -> Self {
        let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
            .expect("the OWASP parameters are valid");
        let admitted_capacity = parallel + waiting;
        Self {
            argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            running: Arc::new(Semaphore::new(parallel)),
            admitted: Arc::new(Semaphore::new(admitted_capacity)),
            admitted_capacity,
            dummy_hash: OnceCell::new(),
        }
    }

    /// Jobs running or waiting for a slot.
    pub fn queue_depth(&self) -> usize {
        self.admitted_capacity - self.admitted.available_permits()
    }

    /// Returns a PHC string.
    ///
    /// # Errors
    /// [`HashError::Busy`] when the queue is full.
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let password = password.to_owned();
        self.run(move |argon| {
            let salt = SaltString::generate(&mut OsRng);
            argon
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|error| HashError::Failed(error.to_string()))
        })
        .await?
    }

    /// Checks `password` against `stored`. With no stored hash (an unknown account) it
    /// checks against a dummy hash, so the answer takes as long as for a real account.
    ///
    /// # Errors
    /// [`HashError::Busy`] when the queue is full.
    pub async fn verify(
        &self,
        password: &str,
        stored: Option<&str>,
    ) -> Result<Verification, HashError> {
        let (stored, real) = match stored {
            Some(stored) => (stored.to_owned(), true),
            None => (self.dummy_hash().await?.clone(), false),
        };
        let password = password.to_owned();
        self.run(move |argon| {
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Verification::Mismatch;
            };
            if argon.verify_password(password.as_bytes(), &parsed).is_err() || !real {
                return Verification::Mismatch;
            }
            Verification::Match {
                needs_rehash: !uses_current_parameters(&parsed),
            }
        })
        .await
    }

    async fn dummy_hash(&self) -> Result<&String, HashError> {
        self.dummy_hash
            .get_or_try_init(|| self.hash("doorman dummy password for unknown accounts"))
            .await
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Argon2<'static>) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| HashError::Busy)?;
        let _running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| HashError::Busy)?;
        let argon = self.argon.clone();
        // argon2 is deliberately slow CPU work: on the async runtime it would stall every
        // other request on this worker thread.
        tokio::task::spawn_blocking(move || job(&argon))
            .await
            .map_err(|error| HashError::Failed(error.to_string()))
    }
}

fn uses_current_parameters(hash: &PasswordHash<'_>) -> bool {
    let Ok(params) = Params::try_from(hash) else {
        return false;
    };
    hash.algorithm.as_str() == "argon2id"
        && hash.version == Some(Version::V0x13 as u32)
        && params.m_cost() == MEMORY_KIB
        && params.t_cost() == ITERATIONS
        && params.p_cost() == PARALLELISM
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_report_their_parameters() {
        let hasher = PasswordHasher::new(2, 4);
        let hash = hasher.hash("correct horse battery staple").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(
            hasher
                .verify("correct horse battery staple", Some(&hash))
                .await
                .unwrap(),
            Verification::Match {
                needs_rehash: false
            }
        );
        assert_eq!(
            hasher
                .verify("wrong horse battery staple", Some(&hash))
                .await
                .unwrap(),
            Verification::Mismatch
        );
        assert_eq!(
            hasher
                .verify("correct horse battery staple", None)
                .await
                .unwrap(),
            Verification::Mismatch
        );
    }

    #[tokio::test]
    async fn hashes_with_old_parameters_ask_for_an_upgrade() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let old = weak
            .hash_password(b"correct horse battery staple", &salt)
            .unwrap()
            .to_string();
        let hasher = PasswordHasher::new(1, 1);
        assert_eq!(
            hasher
                .verify("correct horse battery staple", Some(&old))
                .await
                .unwrap(),
            Verification::Match { needs_rehash: true }
        );
    }

    #[tokio::test]
    async fn a_full_queue_sheds_load() {
        let hasher = Arc::new(PasswordHasher::new(1, 0));
        let busy = hasher.admitted.clone().try_acquire_owned().unwrap();
        assert!(matches!(
            hasher.hash("anything at all here").await,
            Err(HashError::Busy)
        ));
        assert_eq!(hasher.queue_depth(), 1);
        drop(busy);
        assert!(hasher.hash("anything at all here").await.is_ok());
    }
}
