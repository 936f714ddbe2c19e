//! Counters for `/metrics`, in the Prometheus text format. One [`Metrics`] per process,
//! passed to whoever counts; gauges (outbox depth, hashing queue) are read at scrape time.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct Metrics {
    signups: AtomicU64,
    confirmations: AtomicU64,
    emails_sent: AtomicU64,
    email_attempts_failed: AtomicU64,
    emails_given_up: AtomicU64,
    unconfirmed_accounts_deleted: AtomicU64,
    /// Keyed by route pattern (never the path, which may hold a token) and status; routes
    /// are a fixed set, so this stays small.
    requests: Mutex<BTreeMap<String, BTreeMap<u16, u64>>>,
}

/// Values read from elsewhere when `/metrics` is scraped.
pub struct Gauges {
    pub outbox_depth: u64,
    pub outbox_oldest_seconds: f64,
    pub hash_queue_depth: usize,
}

impl Metrics {
    pub fn signup(&self) {
        self.signups.fetch_add(1, Ordering::Relaxed);
    }

    pub fn confirmation(&self) {
        self.confirmations.fetch_add(1, Ordering::Relaxed);
    }

    pub fn email_sent(&self) {
        self.emails_sent.fetch_add(1, Ordering::Relaxed);
    }

    pub fn email_attempt_failed(&self, given_up: bool) {
        self.email_attempts_failed.fetch_add(1, Ordering::Relaxed);
        if given_up {
            self.emails_given_up.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn unconfirmed_accounts_deleted(&self, count: u64) {
        self.unconfirmed_accounts_deleted
            .fetch_add(count, Ordering::Relaxed);
    }

    pub fn request(&self, route: &str, status: u16) {
        let mut requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Look up before inserting: the route's String is only allocated the first time.
        match requests.get_mut(route) {
            Some(by_status) => *by_status.entry(status).or_default() += 1,
            None => {
                requests.insert(route.to_owned(), BTreeMap::from([(status, 1)]));
            }
        }
    }

    pub fn render(&self, gauges: &Gauges) -> String {
        let mut out = String::new();
        let counters = [
            (
                "doorman_signups_total",
                "Accounts created by sign-up.",
                &self.signups,
            ),
            (
                "doorman_confirmations_total",
                "Accounts confirmed from an emailed link.",
                &self.confirmations,
            ),
            (
                "doorman_emails_sent_total",
                "Emails accepted by the SMTP server.",
                &self.emails_sent,
            ),
            (
                "doorman_email_attempts_failed_total",
                "Failed delivery attempts (each is retried until given up).",
                &self.email_attempts_failed,
            ),
            (
                "doorman_emails_given_up_total",
                "Emails given up on after 24 hours of failures.",
                &self.emails_given_up,
            ),
            (
                "doorman_unconfirmed_accounts_deleted_total",
                "Unconfirmed accounts deleted past UNCONFIRMED_ACCOUNT_TTL.",
                &self.unconfirmed_accounts_deleted,
            ),
        ];
        for (name, help, counter) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        let gauges = [
            (
                "doorman_outbox_depth",
                "Emails waiting to be sent.",
                gauges.outbox_depth as f64,
            ),
            (
                "doorman_outbox_oldest_age_seconds",
                "Age of the oldest email waiting to be sent.",
                gauges.outbox_oldest_seconds,
            ),
            (
                "doorman_password_hash_queue_depth",
                "Password hashes running or waiting.",
                gauges.hash_queue_depth as f64,
            ),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP doorman_http_requests_total HTTP requests by route pattern and status.\n# TYPE doorman_http_requests_total counter"
        );
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for (route, by_status) in requests.iter() {
            let route = route.replace('\\', "\\\\").replace('"', "\\\"");
            for (status, count) in by_status {
                let _ = writeln!(
                    out,
                    "doorman_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_gauges_and_labelled_requests() {
        let metrics = Metrics::default();
        metrics.signup();
        metrics.signup();
        metrics.email_attempt_failed(true);
        metrics.request("/confirm/{token}", 200);
        metrics.request("/confirm/{token}", 200);
        let text = metrics.render(&Gauges {
            outbox_depth: 3,
            outbox_oldest_seconds: 1.5,
            hash_queue_depth: 0,
        });
        assert!(text.contains("doorman_signups_total 2\n"));
        assert!(text.contains("doorman_emails_given_up_total 1\n"));
        assert!(text.contains("doorman_outbox_depth 3\n"));
        assert!(text.contains("doorman_outbox_oldest_age_seconds 1.5\n"));
        assert!(text.contains(
            "doorman_http_requests_total{route=\"/confirm/{token}\",status=\"200\"} 2\n"
        ));
    }
}
