//! Account events for the application behind Doorman (SPEC §10), signed per the Standard
//! Webhooks specification and delivered by the outbox worker with the guarantees of email:
//! written in the transaction of the change, at least once, the same `webhook-id` on every
//! retry, backoff, given up after 24 hours.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::entities::outbox;
use crate::keys::SecretKey;

/// A receiver that does not answer within this is cut off; the event is retried.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What happened to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccountEvent {
    Registered,
    Confirmed,
    EmailChanged,
    PasswordChanged,
    Deleted,
}

impl AccountEvent {
    pub(crate) fn name(self) -> &'static str {
        match self {
            AccountEvent::Registered => "user.registered",
            AccountEvent::Confirmed => "user.confirmed",
            AccountEvent::EmailChanged => "user.email_changed",
            AccountEvent::PasswordChanged => "user.password_changed",
            AccountEvent::Deleted => "user.deleted",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum WebhookError {
    #[error("the receiver answered {0}")]
    Status(u16),
    #[error("could not reach the receiver: {0}")]
    Request(#[source] reqwest::Error),
    #[error("the row holds no payload")]
    NoPayload,
}

/// Posts events to `WEBHOOK_URL`.
pub(crate) struct WebhookSender {
    client: reqwest::Client,
    url: String,
    secret: SecretKey,
}

impl WebhookSender {
    pub(crate) fn new(url: String, secret: SecretKey) -> Self {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client with a timeout builds");
        Self {
            client,
            url,
            secret,
        }
    }

    /// Delivers the event in `row`; any `2xx` is success.
    ///
    /// # Errors
    /// The receiver could not be reached, timed out, or answered otherwise.
    pub(crate) async fn send(&self, row: &outbox::Model) -> Result<(), WebhookError> {
        let body = row.payload.as_deref().ok_or(WebhookError::NoPayload)?;
        // Stable across retries, so receivers can drop duplicates.
        let id = format!("msg_{}", row.id);
        let timestamp = Utc::now().timestamp().to_string();
        let response = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", &timestamp)
            .header(
                "webhook-signature",
                format!("v1,{}", sign(&self.secret, &id, &timestamp, body)),
            )
            .body(body.to_owned())
            .send()
            .await
            .map_err(WebhookError::Request)?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(WebhookError::Status(response.status().as_u16()))
        }
    }
}

/// Standard Webhooks: base64 of HMAC-SHA256 over `id.timestamp.body`.
fn sign(secret: &SecretKey, id: &str, timestamp: &str, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.expose()).expect("HMAC accepts keys of any length");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The body of an event: `{"type", "timestamp", "data": {"user_id", "email", …}}`.
pub(crate) fn payload(event: AccountEvent, data: serde_json::Value) -> String {
    serde_json::json!({
        "type": event.name(),
        "timestamp": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let secret = SecretKey::new(STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap());
        let signature = sign(
            &secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265330",
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(signature, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn payloads_carry_the_type_a_timestamp_and_the_data() {
        let body = payload(
            AccountEvent::Confirmed,
            serde_json::json!({"user_id": 7, "email": "a@example.com"}),
        );
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["type"], "user.confirmed");
        assert_eq!(parsed["data"]["user_id"], 7);
        assert!(parsed["timestamp"].as_str().unwrap().ends_with('Z'));
    }
}
