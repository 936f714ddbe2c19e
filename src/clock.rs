//! The time tokens are minted and checked at, the outbox schedules by and the shared
//! limits count in. The system clock in production; tests move a [`Clock`] forward instead
//! of sleeping through a link's lifetime, a retry's backoff or a limit's window.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The system clock, plus an offset only tests ever move.
#[derive(Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    /// Seconds since the Unix epoch.
    pub(crate) fn unix_now(&self) -> i64 {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs() as i64)
            .unwrap_or_default();
        system.saturating_add(self.offset_seconds.load(Ordering::Relaxed))
    }

    /// Now, on this clock.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::seconds(self.offset_seconds.load(Ordering::Relaxed))
    }

    /// Moves this clock, and every copy of it, `by` into the future.
    pub fn advance(&self, by: Duration) {
        let seconds = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.offset_seconds.fetch_add(seconds, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advanced_clock_moves_every_copy() {
        let clock = Clock::system();
        let copy = clock.clone();
        let before = copy.unix_now();
        clock.advance(Duration::from_secs(3600));
        assert!(copy.unix_now() >= before + 3600);
    }
}
