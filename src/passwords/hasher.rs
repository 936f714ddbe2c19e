use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OnceCell, Semaphore, oneshot};

/// OWASP's recommendation for argon2id: m = 19456 KiB, t = 2, p = 1.
pub(super) const MEMORY_KIB: u32 = 19_456;
pub(super) const ITERATIONS: u32 = 2;
pub(super) const PARALLELISM: u32 = 1;

/// Hashing threads run at a lower priority than the async runtime, so a flood of sign-ups
/// uses every idle cycle without making page requests wait behind it.
#[cfg(target_os = "linux")]
const HASHING_NICENESS: i32 = 10;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hashing thread is busy and the waiting line is full: shed load instead of
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

type Job = Box<dyn FnOnce(&Argon2<'static>) + Send>;

/// Hashes and verifies passwords on its own threads, off the async runtime: `threads` at a
/// time (each holds about 19 MiB while it runs) and at most `waiting` more in line. Past
/// that, [`HashError::Busy`].
pub struct PasswordHasher {
    jobs: SyncSender<Job>,
    /// One permit per admitted job (threads plus waiting places). A job owns its permit,
    /// so the place is given back when the job ends, even if it panics.
    admission: Arc<Semaphore>,
    capacity: usize,
    dummy_hash: OnceCell<String>,
}

impl PasswordHasher {
    pub fn new(threads: usize, waiting: usize) -> Self {
        let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
            .expect("the OWASP parameters are valid");
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let threads = threads.max(1);
        let capacity = threads + waiting;
        // The channel has room for every admitted job, so sending never blocks.
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(capacity);
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..threads {
            let queue = queue.clone();
            let argon = argon.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || hashing_thread(&queue, &argon))
                .expect("the OS can start a hashing thread");
        }
        Self {
            jobs,
            admission: Arc::new(Semaphore::new(capacity)),
            capacity,
            dummy_hash: OnceCell::new(),
        }
    }

    /// Jobs running or waiting for a thread.
    pub fn queue_depth(&self) -> usize {
        self.capacity - self.admission.available_permits()
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

    /// Checks `password` against `stored`: Doorman's argon2id or a hash an import brought
    /// (see `stored`). With no stored hash (an unknown account) it checks against a dummy
    /// hash, so the answer takes as long as for a real account.
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
        self.run(
            move |argon| match super::stored::verify(argon, &password, &stored) {
                Some(needs_rehash) if real => Verification::Match { needs_rehash },
                _ => Verification::Mismatch,
            },
        )
        .await
    }

    async fn dummy_hash(&self) -> Result<&String, HashError> {
        self.dummy_hash
            .get_or_try_init(|| self.hash("doorman dummy password for unknown accounts"))
            .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Argon2<'static>) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let Ok(permit) = self.admission.clone().try_acquire_owned() else {
            return Err(HashError::Busy);
        };
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |argon| {
            let result = work(argon);
            // Before replying, so the caller sees its place free again.
            drop(permit);
            let _ = reply.send(result);
        });
        if let Err(error) = self.jobs.try_send(job) {
            return Err(match error {
                TrySendError::Full(_) => HashError::Busy,
                TrySendError::Disconnected(_) => {
                    HashError::Failed("the hashing threads stopped".into())
                }
            });
        }
        answer
            .await
            .map_err(|_| HashError::Failed("a hashing thread dropped its job".into()))
    }
}

fn hashing_thread(queue: &Mutex<Receiver<Job>>, argon: &Argon2<'static>) {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its integer arguments; `who = 0` is this thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, HASHING_NICENESS);
    }
    loop {
        let job = {
            let Ok(queue) = queue.lock() else { return };
            match queue.recv() {
                Ok(job) => job,
                // Every sender is gone: the hasher was dropped.
                Err(_) => return,
            }
        };
        // A panicking job gives its admission back as it unwinds; the thread carries on.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(argon)));
    }
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
        assert_eq!(hasher.queue_depth(), 0);
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
    async fn a_full_queue_sheds_load_and_recovers() {
        let hasher = Arc::new(PasswordHasher::new(1, 1));
        // Hold the only thread, then take the one waiting place.
        let (release, blocked) = std::sync::mpsc::channel::<()>();
        let holding = {
            let hasher = hasher.clone();
            tokio::spawn(async move {
                hasher
                    .run(move |_| {
                        let _ = blocked.recv();
                    })
                    .await
            })
        };
        let waiting = {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.hash("waits its turn patiently").await })
        };
        while hasher.queue_depth() < 2 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(
            hasher.hash("one too many for the queue").await,
            Err(HashError::Busy)
        ));
        release.send(()).unwrap();
        holding.await.unwrap().unwrap();
        assert!(waiting.await.unwrap().is_ok());
        assert!(hasher.hash("room again after the wait").await.is_ok());
        assert_eq!(hasher.queue_depth(), 0);
    }

    #[tokio::test]
    async fn a_panicking_job_gives_its_place_back_and_the_thread_carries_on() {
        let hasher = PasswordHasher::new(1, 0);
        let outcome = hasher
            .run(|_| -> () { panic!("a bug in a hashing job") })
            .await;
        assert!(matches!(outcome, Err(HashError::Failed(_))));
        assert_eq!(hasher.queue_depth(), 0);
        assert!(hasher.hash("correct horse battery staple").await.is_ok());
    }
}
