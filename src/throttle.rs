//! In-memory rate limiting with bounded memory: one token bucket per key (a client IP, an
//! account), refilled continuously. Limits kept here are per instance; behind a load
//! balancer each instance enforces its own share.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys tracked at once; a flood of distinct keys cannot grow memory past this.
const MAX_KEYS: usize = 100_000;

pub(crate) struct RateLimiter {
    capacity: f64,
    refill_per_second: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// Allows `burst` events per `window`, refilling evenly across it.
    pub(crate) fn new(burst: u32, window: Duration) -> Self {
        let capacity = f64::from(burst.max(1));
        Self {
            capacity,
            refill_per_second: capacity / window.as_secs_f64(),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`.
    ///
    /// # Errors
    /// How long until a token is available, when none is.
    pub(crate) fn hit(&self, key: &str) -> Result<(), Duration> {
        self.with_bucket(key, |bucket| {
            if bucket.tokens >= 1.0 {
                bucket.tokens -= 1.0;
                Ok(())
            } else {
                Err(self.wait_for_token(bucket))
            }
        })
    }

    /// Like [`RateLimiter::hit`] but takes nothing: for limits that only failures consume.
    ///
    /// # Errors
    /// How long until a token is available, when none is.
    pub(crate) fn check(&self, key: &str) -> Result<(), Duration> {
        self.with_bucket(key, |bucket| {
            if bucket.tokens >= 1.0 {
                Ok(())
            } else {
                Err(self.wait_for_token(bucket))
            }
        })
    }

    fn wait_for_token(&self, bucket: &Bucket) -> Duration {
        Duration::from_secs_f64((1.0 - bucket.tokens) / self.refill_per_second)
    }

    fn with_bucket<T>(&self, key: &str, action: impl FnOnce(&mut Bucket) -> T) -> T {
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(key) {
            self.forget_full_buckets(&mut buckets, now);
            if buckets.len() >= MAX_KEYS {
                tracing::warn!("rate limiter is tracking too many clients; starting afresh");
                buckets.clear();
            }
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.refill_per_second).min(self.capacity);
        bucket.updated = now;
        action(bucket)
    }

    /// A bucket that has refilled completely is the same as no bucket.
    fn forget_full_buckets(&self, buckets: &mut HashMap<String, Bucket>, now: Instant) {
        buckets.retain(|_, bucket| {
            let elapsed = now.duration_since(bucket.updated).as_secs_f64();
            bucket.tokens + elapsed * self.refill_per_second < self.capacity
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_burst_then_says_how_long_to_wait() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(limiter.hit("10.0.0.1").is_ok());
        }
        let wait = limiter.hit("10.0.0.1").unwrap_err();
        assert!(
            wait > Duration::from_secs(15) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(limiter.hit("10.0.0.2").is_ok(), "other keys are unaffected");
    }

    #[test]
    fn check_does_not_consume() {
        let limiter = RateLimiter::new(1, Duration::from_secs(60));
        for _ in 0..5 {
            assert!(limiter.check("key").is_ok());
        }
        limiter.hit("key").unwrap();
        assert!(limiter.check("key").is_err());
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_keys() {
        let limiter = RateLimiter::new(1, Duration::from_secs(60));
        for i in 0..(MAX_KEYS + 10) {
            let _ = limiter.hit(&i.to_string());
        }
        assert!(limiter.buckets.lock().unwrap().len() <= MAX_KEYS);
    }
}
