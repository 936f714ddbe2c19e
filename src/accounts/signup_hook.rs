//! The pre-sign-up hook (SPEC §16): before a sign-up is accepted, `SIGNUP_HOOK_URL` is asked,
//! with a body and signature like the webhooks', whether it may go ahead. It is asked for
//! every valid sign-up, whether or not the address has an account, so its refusals reveal
//! nothing about which addresses do.

use std::net::IpAddr;

use chrono::SecondsFormat;

use super::Email;
use crate::clock::Clock;
use crate::config::WebhookConfig;
use crate::i18n::Language;
use crate::outbox::webhooks::WebhookSender;

/// The most of a refusal's body read, and of its message kept.
const MAX_ANSWER_BYTES: usize = 16 * 1024;
const MAX_MESSAGE_CHARS: usize = 500;

/// What the hook answered.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HookVerdict {
    /// `2xx`.
    Allowed,
    /// `403` or `422`, with the `message` of its JSON body if it gave one.
    Refused(Option<String>),
    /// No answer within 3 s, or any other status: the sign-up cannot be decided now.
    Unavailable,
}

/// Asks `SIGNUP_HOOK_URL`.
pub(crate) struct SignupHook {
    sender: WebhookSender,
    clock: Clock,
}

impl SignupHook {
    pub(crate) fn new(config: &WebhookConfig, clock: Clock) -> Self {
        Self {
            sender: WebhookSender::new(
                config.url.clone(),
                config.secret.clone(),
                config.timeout,
                clock.clone(),
            ),
            clock,
        }
    }

    /// Whether `email`, signing up in `language` from `ip`, may.
    pub(crate) async fn ask(
        &self,
        email: &Email,
        language: Language,
        ip: Option<IpAddr>,
    ) -> HookVerdict {
        let body = serde_json::json!({
            "type": "user.before_register",
            "timestamp": self.clock.now().to_rfc3339_opts(SecondsFormat::Millis, true),
            "data": {
                "email": email.as_str(),
                "locale": language.tag(),
                "ip": ip.map(|ip| ip.to_string()),
            },
        })
        .to_string();
        let id = format!("msg_{}", hex::encode(crate::keys::random_bytes::<16>()));
        let mut response = match self.sender.post(&id, &body).await {
            Ok(response) => response,
            Err(error) => {
                tracing::warn!(error = %crate::telemetry::error_chain(&error), "the sign-up hook did not answer");
                return HookVerdict::Unavailable;
            }
        };
        let status = response.status().as_u16();
        match status {
            200..=299 => HookVerdict::Allowed,
            403 | 422 => {
                let mut answer = Vec::new();
                while answer.len() < MAX_ANSWER_BYTES {
                    match response.chunk().await {
                        Ok(Some(chunk)) => answer.extend_from_slice(&chunk),
                        _ => break,
                    }
                }
                HookVerdict::Refused(message_of(&answer))
            }
            _ => {
                tracing::warn!(status, "the sign-up hook answered neither 2xx, 403 nor 422");
                HookVerdict::Unavailable
            }
        }
    }
}

/// The `message` of a JSON answer, as plain text of one line.
fn message_of(answer: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(answer).ok()?;
    let message: String = value
        .get("message")?
        .as_str()?
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_MESSAGE_CHARS)
        .collect();
    let message = message.trim();
    (!message.is_empty()).then(|| message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_message_is_one_line_of_text_or_none() {
        assert_eq!(
            message_of(br#"{"message": "Use your work address.\n<b>"}"#).as_deref(),
            Some("Use your work address. <b>")
        );
        for answer in [
            &b""[..],
            b"not json",
            br#"{"message": 42}"#,
            br#"{"message": "  "}"#,
            br#"{}"#,
        ] {
            assert_eq!(message_of(answer), None);
        }
    }
}
