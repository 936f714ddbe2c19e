//! Email rendering: each message is a subject, a plain-text part and an HTML part, rendered
//! by askama from `templates/email/` (one file per message and format, inside a shared
//! layout). This module only writes emails; the outbox worker delivers them.

use askama::Template;

/// A rendered message, ready for the transport.
#[derive(Debug, Clone)]
pub struct RenderedEmail {
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What a message says, with its links already built.
pub enum Notification<'a> {
    /// Someone signed up with this address: confirm it.
    Confirmation {
        confirm_url: &'a str,
        valid_for: &'a str,
    },
    /// Someone tried to sign up with an address that already has a confirmed account.
    AlreadyRegistered {
        login_url: &'a str,
        forgot_url: &'a str,
    },
    PasswordReset {
        reset_url: &'a str,
        valid_for: &'a str,
    },
    PasswordChanged {
        forgot_url: &'a str,
    },
    /// Sent to the new address: confirm the move.
    EmailChangeConfirmation {
        confirm_url: &'a str,
        valid_for: &'a str,
    },
    /// Sent to the old address: a move was asked for.
    EmailChangeNotice {
        forgot_url: &'a str,
    },
    /// Sent to an address with an account that someone else tried to move their account to.
    EmailTaken {
        login_url: &'a str,
    },
}

impl Notification<'_> {
    fn subject(&self) -> &'static str {
        match self {
            Notification::Confirmation { .. } => "Confirm your email address",
            Notification::AlreadyRegistered { .. } => "Someone tried to sign up with your address",
            Notification::PasswordReset { .. } => "Reset your password",
            Notification::PasswordChanged { .. } => "Your password was changed",
            Notification::EmailChangeConfirmation { .. } => "Confirm your new email address",
            Notification::EmailChangeNotice { .. } => "Your email address is being changed",
            Notification::EmailTaken { .. } => "Someone tried to use your address",
        }
    }
}

#[derive(Template)]
#[template(path = "email/message.txt")]
struct TextPart<'a> {
    notification: &'a Notification<'a>,
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct HtmlPart<'a> {
    notification: &'a Notification<'a>,
    subject: &'a str,
}

/// Renders `notification` for `recipient`.
///
/// # Errors
/// A template failed to render (a bug, not bad input: every value is escaped).
pub fn render(
    recipient: &str,
    notification: &Notification<'_>,
) -> Result<RenderedEmail, askama::Error> {
    let subject = notification.subject();
    Ok(RenderedEmail {
        recipient: recipient.to_owned(),
        subject: subject.to_owned(),
        text: TextPart { notification }.render()?,
        html: HtmlPart {
            notification,
            subject,
        }
        .render()?,
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
    fn every_message_renders_with_its_links_in_both_parts() {
        let link = "http://doorman.test/some/link";
        let messages = [
            Notification::Confirmation {
                confirm_url: link,
                valid_for: "1 hour",
            },
            Notification::AlreadyRegistered {
                login_url: link,
                forgot_url: link,
            },
            Notification::PasswordReset {
                reset_url: link,
                valid_for: "1 hour",
            },
            Notification::PasswordChanged { forgot_url: link },
            Notification::EmailChangeConfirmation {
                confirm_url: link,
                valid_for: "1 hour",
            },
            Notification::EmailChangeNotice { forgot_url: link },
            Notification::EmailTaken { login_url: link },
        ];
        for message in &messages {
            let email = render("ada@example.com", message).unwrap();
            assert!(email.text.contains(link), "{}", email.subject);
            assert!(email.html.contains(link), "{}", email.subject);
            assert!(
                email
                    .html
                    .contains(&format!("<title>{}</title>", email.subject))
            );
        }
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
