//! Counters for `/metrics`, through the `metrics` facade and its Prometheus exporter. Each
//! [`Metrics`] owns its own recorder rather than installing a global one, so several
//! applications in one process (the tests) keep separate counts. Gauges (outbox depth,
//! hashing queue) are set when `/metrics` is scraped.

use metrics::{Counter, Gauge, Key, KeyName, Label, Level, Metadata, Recorder, SharedString};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};

static METADATA: Metadata<'static> = Metadata::new("doorman", Level::INFO, Some(module_path!()));

const REQUESTS: &str = "doorman_http_requests_total";

pub(crate) struct Metrics {
    recorder: PrometheusRecorder,
    signups: Counter,
    confirmations: Counter,
    emails_sent: Counter,
    email_attempts_failed: Counter,
    emails_given_up: Counter,
    unconfirmed_accounts_deleted: Counter,
    webhooks_delivered: Counter,
    webhook_attempts_failed: Counter,
    webhooks_given_up: Counter,
    outbox_depth: Gauge,
    outbox_oldest_seconds: Gauge,
    hash_queue_depth: Gauge,
}

/// What the outbox worker delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Channel {
    Email,
    Webhook,
}

/// Values read from elsewhere when `/metrics` is scraped.
pub(crate) struct Gauges {
    pub outbox_depth: u64,
    pub outbox_oldest_seconds: f64,
    pub hash_queue_depth: usize,
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new().build_recorder();
        let counter = |name: &'static str, help: &'static str| {
            recorder.describe_counter(KeyName::from_const_str(name), None, help.into());
            recorder.register_counter(&Key::from_static_name(name), &METADATA)
        };
        let gauge = |name: &'static str, help: &'static str| {
            recorder.describe_gauge(KeyName::from_const_str(name), None, help.into());
            recorder.register_gauge(&Key::from_static_name(name), &METADATA)
        };
        recorder.describe_counter(
            KeyName::from_const_str(REQUESTS),
            None,
            "HTTP requests by route pattern and status.".into(),
        );
        Self {
            signups: counter("doorman_signups_total", "Accounts created by sign-up."),
            confirmations: counter(
                "doorman_confirmations_total",
                "Accounts confirmed from an emailed link.",
            ),
            emails_sent: counter(
                "doorman_emails_sent_total",
                "Emails accepted by the SMTP server.",
            ),
            email_attempts_failed: counter(
                "doorman_email_attempts_failed_total",
                "Failed delivery attempts (each is retried until given up).",
            ),
            emails_given_up: counter(
                "doorman_emails_given_up_total",
                "Emails given up on after 24 hours of failures.",
            ),
            unconfirmed_accounts_deleted: counter(
                "doorman_unconfirmed_accounts_deleted_total",
                "Unconfirmed accounts deleted past UNCONFIRMED_ACCOUNT_TTL.",
            ),
            webhooks_delivered: counter(
                "doorman_webhooks_delivered_total",
                "Account events a receiver accepted with a 2xx.",
            ),
            webhook_attempts_failed: counter(
                "doorman_webhook_attempts_failed_total",
                "Failed webhook attempts (each is retried until given up).",
            ),
            webhooks_given_up: counter(
                "doorman_webhooks_given_up_total",
                "Account events given up on after 24 hours of failures.",
            ),
            outbox_depth: gauge(
                "doorman_outbox_depth",
                "Emails and account events waiting to be sent.",
            ),
            outbox_oldest_seconds: gauge(
                "doorman_outbox_oldest_age_seconds",
                "Age of the oldest email waiting to be sent.",
            ),
            hash_queue_depth: gauge(
                "doorman_password_hash_queue_depth",
                "Password hashes running or waiting.",
            ),
            recorder,
        }
    }
}

impl Metrics {
    pub(crate) fn signup(&self) {
        self.signups.increment(1);
    }

    pub(crate) fn confirmation(&self) {
        self.confirmations.increment(1);
    }

    /// An email or an account event was accepted.
    pub(crate) fn delivered(&self, channel: Channel) {
        match channel {
            Channel::Email => &self.emails_sent,
            Channel::Webhook => &self.webhooks_delivered,
        }
        .increment(1);
    }

    /// A delivery attempt failed, and perhaps was the last.
    pub(crate) fn attempt_failed(&self, channel: Channel, given_up: bool) {
        let (failed, abandoned) = match channel {
            Channel::Email => (&self.email_attempts_failed, &self.emails_given_up),
            Channel::Webhook => (&self.webhook_attempts_failed, &self.webhooks_given_up),
        };
        failed.increment(1);
        if given_up {
            abandoned.increment(1);
        }
    }

    pub(crate) fn unconfirmed_accounts_deleted(&self, count: u64) {
        self.unconfirmed_accounts_deleted.increment(count);
    }

    /// Counts a request under its route pattern, never its path (which may hold a token);
    /// routes are a fixed set, so the label values stay few.
    pub(crate) fn request(&self, route: &str, status: u16) {
        let labels = vec![
            Label::new("route", SharedString::from(route.to_owned())),
            Label::new("status", SharedString::from(status.to_string())),
        ];
        self.recorder
            .register_counter(&Key::from_parts(REQUESTS, labels), &METADATA)
            .increment(1);
    }

    /// The Prometheus text exposition, with `gauges` as they are now.
    pub(crate) fn render(&self, gauges: &Gauges) -> String {
        self.outbox_depth.set(gauges.outbox_depth as f64);
        self.outbox_oldest_seconds.set(gauges.outbox_oldest_seconds);
        self.hash_queue_depth.set(gauges.hash_queue_depth as f64);
        self.recorder.handle().render()
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
        metrics.attempt_failed(Channel::Email, true);
        metrics.request("/confirm/{token}", 200);
        metrics.request("/confirm/{token}", 200);
        metrics.request("/odd\"route\\", 404);
        let text = metrics.render(&Gauges {
            outbox_depth: 3,
            outbox_oldest_seconds: 1.5,
            hash_queue_depth: 0,
        });
        assert!(text.contains("doorman_signups_total 2\n"), "{text}");
        assert!(text.contains("# TYPE doorman_signups_total counter\n"));
        assert!(text.contains("doorman_emails_given_up_total 1\n"));
        assert!(text.contains("doorman_outbox_depth 3\n"));
        assert!(text.contains("doorman_outbox_oldest_age_seconds 1.5\n"));
        assert!(text.contains(
            "doorman_http_requests_total{route=\"/confirm/{token}\",status=\"200\"} 2\n"
        ));
        assert!(
            text.contains(r#"route="/odd\"route\\",status="404""#),
            "{text}"
        );
    }

    #[test]
    fn two_registries_count_apart() {
        let (one, other) = (Metrics::default(), Metrics::default());
        one.signup();
        let gauges = Gauges {
            outbox_depth: 0,
            outbox_oldest_seconds: 0.0,
            hash_queue_depth: 0,
        };
        assert!(one.render(&gauges).contains("doorman_signups_total 1\n"));
        assert!(other.render(&gauges).contains("doorman_signups_total 0\n"));
    }
}
