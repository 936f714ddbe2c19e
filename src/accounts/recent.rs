//! Accounts as they were read less than a second ago, for the pages an emailed link opens.
//!
//! `GET /confirm/{token}` (and the reset and address-change pages) read the account to tell
//! a usable link from a spent one. On SQLite that one read was most of the page's cost,
//! and a link is typically opened a few times within a moment (a mail scanner, then the
//! person, a reload). Those pages change nothing and are only shown: an account read less
//! than [`FRESHNESS`] ago serves them. The form they show is checked against the account
//! as it is when posted, so a page shown from a read a moment old can only offer a form
//! that the post then answers as "already used". A change made by this instance drops its
//! read at once; one made by another instance is seen within a second.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::db::entities::users;

const FRESHNESS: Duration = Duration::from_secs(1);

/// Bounded: a read is only kept for an account a genuine token named.
const MOST_KEPT: usize = 4096;

#[derive(Default)]
pub(super) struct RecentAccounts(Mutex<HashMap<i64, (Instant, users::Model)>>);

impl RecentAccounts {
    /// The account `user_id` as read within [`FRESHNESS`], if it was.
    pub(super) fn get(&self, user_id: i64) -> Option<users::Model> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (read_at, user) = kept.get(&user_id)?;
        (read_at.elapsed() < FRESHNESS).then(|| user.clone())
    }

    /// Drops what was read of `user_id`: this instance just changed it.
    pub(super) fn forget(&self, user_id: i64) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&user_id);
    }

    pub(super) fn keep(&self, user: &users::Model) {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= MOST_KEPT {
            kept.retain(|_, (read_at, _)| read_at.elapsed() < FRESHNESS);
            if kept.len() >= MOST_KEPT {
                kept.clear();
            }
        }
        kept.insert(user.id, (Instant::now(), user.clone()));
    }
}
