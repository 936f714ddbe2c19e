//! Email rendering: each message is a subject, a plain-text part and an HTML part, rendered
//! by askama from `templates/email/`. This module only writes emails; the outbox worker
//! delivers them.

use askama::Template;

/// A rendered message, ready for the transport.
#[derive(Debug, Clone)]
pub struct RenderedEmail {
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What a message says, with the links already built.
pub enum Notification<'a> {
    /// Someone signed up with this address: confirm it.
    Confirmation {
        confirm_url: &'a str,
        valid_for: &'a str,
    },
    /// Someone tried to sign up with an address that already has a confirmed account.
    AlreadyRegistered { login_url: &'a str },
}

#[derive(Template)]
#[template(path = "email/confirmation.txt")]
struct ConfirmationText<'a> {
    confirm_url: &'a str,
    valid_for: &'a str,
}

#[derive(Template)]
#[template(path = "email/confirmation.html")]
struct ConfirmationHtml<'a> {
    confirm_url: &'a str,
    valid_for: &'a str,
}

#[derive(Template)]
#[template(path = "email/already_registered.txt")]
struct AlreadyRegisteredText<'a> {
    login_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/already_registered.html")]
struct AlreadyRegisteredHtml<'a> {
    login_url: &'a str,
}

/// Renders `notification` for `recipient`.
///
/// # Errors
/// A template failed to render (a bug, not bad input: every value is escaped).
pub fn render(
    recipient: &str,
    notification: &Notification<'_>,
) -> Result<RenderedEmail, askama::Error> {
    let (subject, text, html) = match *notification {
        Notification::Confirmation {
            confirm_url,
            valid_for,
        } => (
            "Confirm your email address",
            ConfirmationText {
                confirm_url,
                valid_for,
            }
            .render()?,
            ConfirmationHtml {
                confirm_url,
                valid_for,
            }
            .render()?,
        ),
        Notification::AlreadyRegistered { login_url } => (
            "Someone tried to sign up with your address",
            AlreadyRegisteredText { login_url }.render()?,
            AlreadyRegisteredHtml { login_url }.render()?,
        ),
    };
    Ok(RenderedEmail {
        recipient: recipient.to_owned(),
        subject: subject.to_owned(),
        text,
        html,
    })
}

/// "24 hours", "7 days", "15 minutes": how long a link stays valid, for people to read.
pub fn describe_duration(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs();
    let (amount, unit) = if seconds.is_multiple_of(86_400) && seconds > 86_400 {
        (seconds / 86_400, "day")
    } else if seconds.is_multiple_of(3600) {
        (seconds / 3600, "hour")
    } else if seconds.is_multiple_of(60) {
        (seconds / 60, "minute")
    } else {
        (seconds, "second")
    };
    let plural = if amount == 1 { "" } else { "s" };
    format!("{amount} {unit}{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn confirmation_has_the_link_in_both_parts_and_escapes_html() {
        let url = "http://127.0.0.1:3000/confirm/abc?x=<b>";
        let email = render(
            "ada@example.com",
            &Notification::Confirmation {
                confirm_url: url,
                valid_for: "24 hours",
            },
        )
        .unwrap();
        assert_eq!(email.subject, "Confirm your email address");
        assert!(email.text.contains(url));
        assert!(email.text.contains("24 hours"));
        assert!(
            email
                .html
                .contains("http://127.0.0.1:3000/confirm/abc?x=&#60;b&#62;")
        );
        assert!(!email.html.contains("<b>"));
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(describe_duration(Duration::from_secs(86_400)), "24 hours");
        assert_eq!(describe_duration(Duration::from_secs(7 * 86_400)), "7 days");
        assert_eq!(describe_duration(Duration::from_secs(3600)), "1 hour");
        assert_eq!(describe_duration(Duration::from_secs(900)), "15 minutes");
        assert_eq!(describe_duration(Duration::from_secs(90)), "90 seconds");
    }
}
