//! Forward auth's short memory (SPEC §10, §12). Every request of the application behind
//! the proxy asks `/auth/verify`; asking the database each time made the check cost more
//! than the application's own page. Each instance remembers a session it found logged in
//! for [`FRESHNESS`], so a logout, a password change or a disabled account is refused by
//! every instance within that time (measured by `bench/verify.py --instances 3`), and by
//! the instance that logged the session out at once.
//!
//! Only sessions found logged in are remembered: a flood of made-up cookies cannot fill
//! the memory, and there are never more entries than [`MOST_REMEMBERED`].

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::HeaderValue;
use tower_sessions::session::Id;

/// How long an answer is trusted. Under a second, so every instance refuses a revoked
/// session within a second of its revocation, whatever the load.
pub(crate) const FRESHNESS: Duration = Duration::from_millis(500);

/// A bound on memory: about 150 bytes an entry.
const MOST_REMEMBERED: usize = 65_536;

/// The headers forward auth answers a logged-in session with.
#[derive(Clone)]
pub(crate) struct Verified {
    pub(crate) user: HeaderValue,
    pub(crate) email: HeaderValue,
}

#[derive(Default)]
pub(crate) struct VerifiedSessions {
    entries: Mutex<HashMap<Id, (Instant, Verified)>>,
}

impl VerifiedSessions {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Id, (Instant, Verified)>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The answer for session `id`, if one was found within [`FRESHNESS`].
    pub(crate) fn get(&self, id: &Id) -> Option<Verified> {
        let entries = self.entries();
        let (at, verified) = entries.get(id)?;
        (at.elapsed() < FRESHNESS).then(|| verified.clone())
    }

    /// Remembers that session `id` was found logged in just now.
    pub(crate) fn remember(&self, id: Id, verified: Verified) {
        let mut entries = self.entries();
        if entries.len() >= MOST_REMEMBERED {
            entries.retain(|_, (at, _)| at.elapsed() < FRESHNESS);
            if entries.len() >= MOST_REMEMBERED {
                entries.clear();
            }
        }
        entries.insert(id, (Instant::now(), verified));
    }

    /// Forgets session `id`: it was logged out here.
    pub(crate) fn forget(&self, id: &Id) {
        self.entries().remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verified() -> Verified {
        Verified {
            user: HeaderValue::from(7),
            email: HeaderValue::from_static("ada@example.com"),
        }
    }

    #[test]
    fn answers_are_remembered_briefly_and_forgotten_on_logout() {
        let sessions = VerifiedSessions::default();
        let id = Id::default();
        assert!(sessions.get(&id).is_none());
        sessions.remember(id, verified());
        assert_eq!(sessions.get(&id).unwrap().user, HeaderValue::from(7));
        sessions.forget(&id);
        assert!(sessions.get(&id).is_none());
    }

    #[test]
    fn memory_is_bounded() {
        let sessions = VerifiedSessions::default();
        for _ in 0..MOST_REMEMBERED + 10 {
            sessions.remember(Id::default(), verified());
        }
        assert!(sessions.entries().len() <= MOST_REMEMBERED);
    }
}
