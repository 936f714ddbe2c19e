//! Delivering account events to the application behind Doorman (SPEC §10), signed per the
//! Standard Webhooks specification, with the guarantees of email: written in the
//! transaction of the change, at least once, the same `webhook-id` on every retry,
//! backoff, given up after 24 hours. The events themselves are [`crate::events`].

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::clock::Clock;
use crate::db::entities::outbox;
use crate::keys::SecretKey;

#[derive(Debug, thiserror::Error)]
pub(crate) enum WebhookError {
    #[error("the receiver answered {0}")]
    Status(u16),
    #[error("could not reach the receiver")]
    Request(#[source] reqwest::Error),
    #[error("the row holds no event")]
    NoEvent,
}

/// Posts events to `WEBHOOK_URL`.
pub(crate) struct WebhookSender {
    client: reqwest::Client,
    url: String,
    secret: SecretKey,
    clock: Clock,
}

impl WebhookSender {
    /// A receiver that does not answer within `timeout` is cut off; the event is retried.
    pub(crate) fn new(url: String, secret: SecretKey, timeout: Duration, clock: Clock) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client with a timeout builds");
        Self {
            client,
            url,
            secret,
            clock,
        }
    }

    /// Delivers the event in `row`; any `2xx` is success.
    ///
    /// # Errors
    /// The receiver could not be reached, timed out, or answered otherwise.
    pub(crate) async fn send(&self, row: &outbox::Model) -> Result<(), WebhookError> {
        let (Some(body), Some(id)) = (row.payload.as_deref(), row.webhook_id.as_deref()) else {
            return Err(WebhookError::NoEvent);
        };
        let response = self.post(id, body).await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(WebhookError::Status(response.status().as_u16()))
        }
    }

    /// POSTs `body` signed as message `id`, and hands back the answer whatever its status.
    ///
    /// # Errors
    /// The receiver could not be reached or did not answer in time.
    pub(crate) async fn post(
        &self,
        id: &str,
        body: &str,
    ) -> Result<reqwest::Response, WebhookError> {
        let timestamp = self.clock.now().timestamp().to_string();
        self.client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", &timestamp)
            .header(
                "webhook-signature",
                format!("v1,{}", sign(&self.secret, id, &timestamp, body)),
            )
            .body(body.to_owned())
            .send()
            .await
            // Its text would name the URL, whose query may hold a secret.
            .map_err(|error| WebhookError::Request(error.without_url()))
    }
}

/// Standard Webhooks: base64 of HMAC-SHA256 over `id.timestamp.body`.
fn sign(secret: &SecretKey, id: &str, timestamp: &str, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.expose()).expect("HMAC accepts keys of any length");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// What rows record as an event's recipient: `WEBHOOK_URL` without its query, fragment
/// or credentials, any of which may carry a secret that must stay out of listings.
pub(crate) fn shown_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut url) => {
            url.set_query(None);
            url.set_fragment(None);
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        Err(_) => String::new(),
    }
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
    fn the_shown_url_keeps_no_secret() {
        assert_eq!(
            shown_url("https://user:pw@app.example/hooks?token=s3cret#x"),
            "https://app.example/hooks"
        );
    }
}
