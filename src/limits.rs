//! Limits shared by every instance (SPEC §12): counters in the database, over a sliding
//! window estimated from two fixed ones (this window's count plus the previous window's,
//! weighted by how much of it still overlaps), so a burst at a window's edge is not let
//! through twice.
//!
//! Taking a use is one atomic upsert, so requests arriving together on any number of
//! instances are counted one after the other and cannot slip past a limit. Subjects are
//! stored hashed (no addresses or IPs at rest), and a flood of distinct subjects only adds
//! rows, which housekeeping deletes once their window has passed: it never resets anyone
//! else's counter.

use std::net::IpAddr;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use sha2::{Digest, Sha256};

use crate::clock::Clock;

/// How many uses of something a subject gets per window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit {
    /// Keeps the counters of different limits apart.
    pub(crate) name: &'static str,
    pub(crate) max: u32,
    pub(crate) window: Duration,
}

/// Over the limit: come back after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Exceeded {
    pub(crate) retry_after: Duration,
}

#[derive(Clone)]
pub(crate) struct Limits {
    db: DatabaseConnection,
    clock: Clock,
}

impl Limits {
    pub(crate) fn new(db: DatabaseConnection, clock: Clock) -> Self {
        Self { db, clock }
    }

    /// Counts one use of `limit` by `subject`.
    ///
    /// # Errors
    /// `Ok(Err(Exceeded))` when this use is over the limit (it stays counted, so hammering
    /// a closed door keeps it closed); database errors.
    pub(crate) async fn take(
        &self,
        limit: &Limit,
        subject: &str,
    ) -> Result<Result<(), Exceeded>, DbErr> {
        let (window_start, now) = self.window(limit);
        let length = window_length(limit);
        let backend = self.db.get_database_backend();
        let p = placeholder(backend);
        // Every right-hand side reads the row as it was, on both databases. A counter
        // counts for nothing once two windows have passed since its own began.
        let sql = format!(
            "INSERT INTO limits (key, window_start, count, previous_count, expires_at) \
             VALUES ({p}1, {p}2, 1, 0, {p}4) \
             ON CONFLICT (key) DO UPDATE SET \
                 expires_at = excluded.expires_at, \
                 previous_count = CASE \
                     WHEN limits.window_start = excluded.window_start THEN limits.previous_count \
                     WHEN limits.window_start = excluded.window_start - {p}3 THEN limits.count \
                     ELSE 0 END, \
                 count = CASE WHEN limits.window_start = excluded.window_start \
                     THEN limits.count + 1 ELSE 1 END, \
                 window_start = excluded.window_start \
             RETURNING count, previous_count"
        );
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    key(limit, subject).into(),
                    window_start.into(),
                    length.into(),
                    (window_start + 2 * length).into(),
                ],
            ))
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("the upsert returned no row".into()))?;
        let count = f64::from(row.try_get::<i32>("", "count")?);
        let previous = f64::from(row.try_get::<i32>("", "previous_count")?);
        let length = length as f64;
        let remaining = (window_start as f64 + length - now as f64).clamp(0.0, length);
        let max = f64::from(limit.max);
        if count + previous * remaining / length <= max {
            return Ok(Ok(()));
        }
        // When the previous window's weight has decayed enough, or else when this one ends.
        let wait = if count <= max && previous > 0.0 {
            remaining - (max - count) * length / previous
        } else {
            remaining
        };
        Ok(Err(Exceeded {
            retry_after: Duration::from_secs(wait.ceil().max(1.0) as u64),
        }))
    }

    /// Gives back one use taken in the current window: the attempt turned out to be the
    /// owner's (a successful login).
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn give_back(&self, limit: &Limit, subject: &str) -> Result<(), DbErr> {
        let (window_start, _) = self.window(limit);
        let backend = self.db.get_database_backend();
        let p = placeholder(backend);
        let sql = format!(
            "UPDATE limits SET count = count - 1 \
             WHERE key = {p}1 AND window_start = {p}2 AND count > 0"
        );
        self.db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [key(limit, subject).into(), window_start.into()],
            ))
            .await?;
        Ok(())
    }

    /// Deletes counters that count for nothing any more, of every limit.
    ///
    /// # Errors
    /// Database errors.
    pub(crate) async fn delete_expired(&self) -> Result<u64, DbErr> {
        let backend = self.db.get_database_backend();
        let p = placeholder(backend);
        let result = self
            .db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                format!("DELETE FROM limits WHERE expires_at < {p}1"),
                [self.clock.unix_now().into()],
            ))
            .await?;
        Ok(result.rows_affected())
    }

    /// The start of `limit`'s current window, and now, in Unix seconds.
    fn window(&self, limit: &Limit) -> (i64, i64) {
        let now = self.clock.unix_now();
        (now - now.rem_euclid(window_length(limit)), now)
    }
}

/// The subject a client IP is counted as: the address itself for IPv4, its /64 for IPv6
/// (one subscriber usually holds a whole /64, so counting single addresses would let one
/// client take 2⁶⁴ turns).
pub(crate) fn client_subject(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let segments = v6.segments();
                format!(
                    "{:x}:{:x}:{:x}:{:x}::/64",
                    segments[0], segments[1], segments[2], segments[3]
                )
            }
        },
    }
}

fn window_length(limit: &Limit) -> i64 {
    (limit.window.as_secs() as i64).max(1)
}

fn key(limit: &Limit, subject: &str) -> String {
    let digest = Sha256::digest(subject.as_bytes());
    format!("{}:{}", limit.name, hex::encode(&digest[..16]))
}

fn placeholder(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "$",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_per_64_and_mapped_ipv4_as_ipv4() {
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let elsewhere: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_subject(one), client_subject(other));
        assert_ne!(client_subject(one), client_subject(elsewhere));
        assert_eq!(client_subject(one), "2001:db8:1:2::/64");
        let mapped: IpAddr = "::ffff:198.51.100.7".parse().unwrap();
        assert_eq!(client_subject(mapped), "198.51.100.7");
    }

    #[test]
    fn keys_hide_the_subject_and_keep_limits_apart() {
        let posts = Limit {
            name: "posts",
            max: 1,
            window: Duration::from_secs(60),
        };
        let logins = Limit {
            name: "logins",
            ..posts
        };
        let key_for = |limit: &Limit| key(limit, "ada@example.com");
        assert!(!key_for(&posts).contains("ada"));
        assert_ne!(key_for(&posts), key_for(&logins));
        assert_eq!(key_for(&posts), key(&posts, "ada@example.com"));
    }
}
