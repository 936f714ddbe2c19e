//! Email rendering, in crates.io's shape: one struct per email ([`messages`]), whose text
//! template holds its subject (which also heads the plain-text part) and plain-text body
//! and whose HTML template holds its HTML body, both on a shared layout in
//! `templates/email/`. Adding an email is one struct and
//! its two templates. This module only writes emails; the outbox worker delivers them.

mod messages;

use askama::Template;

use crate::i18n::{self, Language};

pub(crate) use messages::{
    AlreadyRegisteredEmail, ConfirmationEmail, EmailChangeConfirmationEmail,
    EmailChangeNoticeEmail, EmailTakenEmail, InvitationEmail, NoAccountEmail, PasswordChangedEmail,
    PasswordResetEmail, SignInEmail,
};

/// A rendered message, ready for the transport.
#[derive(Debug, Clone)]
pub(crate) struct RenderedEmail {
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// What `Content-Language` says.
    pub language: Language,
}

/// An email: its text template renders the plain-text part and, as its `subject` block,
/// the subject; [`Message::html`] renders the HTML part. Implemented by `email!`.
pub(crate) trait Message: Template {
    /// # Errors
    /// A template failed to render.
    fn subject(&self) -> askama::Result<String>;

    /// # Errors
    /// A template failed to render.
    fn html(&self, subject: &str) -> askama::Result<String>;
}

/// Renders `message` for `recipient`, in the language in scope (the account's: see
/// [`i18n::sync_scope`]).
///
/// # Errors
/// A template failed to render (a bug, not bad input: every value is escaped).
pub(crate) fn render(
    recipient: &str,
    message: &impl Message,
) -> Result<RenderedEmail, askama::Error> {
    let subject = message.subject()?;
    Ok(RenderedEmail {
        recipient: recipient.to_owned(),
        text: message.render()?,
        html: message.html(&subject)?,
        subject,
        language: i18n::current(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "http://doorman.test/some/link?x=<b>&y=1";

    fn link() -> String {
        LINK.to_owned()
    }

    /// Every email, whole: subject, text and HTML side by side in one snapshot each.
    fn every_email() -> Vec<(&'static str, RenderedEmail)> {
        let to = "ada@example.com";
        let valid_for = || i18n::describe_duration(std::time::Duration::from_secs(86_400));
        vec![
            (
                "confirmation",
                render(
                    to,
                    &ConfirmationEmail {
                        confirm_url: link(),
                        valid_for: valid_for(),
                        code: "042917".to_owned(),
                        code_valid_for: i18n::describe_duration(std::time::Duration::from_secs(
                            3600,
                        )),
                    },
                ),
            ),
            (
                "already_registered",
                render(
                    to,
                    &AlreadyRegisteredEmail {
                        login_url: link(),
                        forgot_url: link(),
                    },
                ),
            ),
            (
                "password_reset",
                render(
                    to,
                    &PasswordResetEmail {
                        reset_url: link(),
                        valid_for: valid_for(),
                    },
                ),
            ),
            (
                "password_changed",
                render(to, &PasswordChangedEmail { forgot_url: link() }),
            ),
            (
                "email_change_confirmation",
                render(
                    to,
                    &EmailChangeConfirmationEmail {
                        confirm_url: link(),
                        valid_for: valid_for(),
                    },
                ),
            ),
            (
                "email_change_notice",
                render(to, &EmailChangeNoticeEmail { forgot_url: link() }),
            ),
            (
                "email_taken",
                render(to, &EmailTakenEmail { login_url: link() }),
            ),
            (
                "sign_in",
                render(
                    to,
                    &SignInEmail {
                        sign_in_url: link(),
                        code: "731904".to_owned(),
                        valid_for: i18n::describe_duration(std::time::Duration::from_secs(900)),
                    },
                ),
            ),
            (
                "no_account",
                render(to, &NoAccountEmail { signup_url: link() }),
            ),
            (
                "invitation",
                render(
                    to,
                    &InvitationEmail {
                        invite_url: link(),
                        valid_for: i18n::describe_duration(std::time::Duration::from_secs(
                            7 * 86_400,
                        )),
                    },
                ),
            ),
        ]
        .into_iter()
        .map(|(name, email)| (name, email.expect("every email renders")))
        .collect()
    }

    #[test]
    fn every_email_matches_its_snapshot() {
        for language in Language::ALL {
            for (name, email) in i18n::sync_scope(language, every_email) {
                assert_eq!(email.language, language);
                let snapshot = match language {
                    Language::English => name.to_owned(),
                    other => format!("{name}.{other}"),
                };
                insta::assert_snapshot!(
                    snapshot,
                    format!(
                        "To: {}\nSubject: {}\n\n--- text\n{}\n--- html\n{}",
                        email.recipient, email.subject, email.text, email.html
                    )
                );
            }
        }
    }

    #[test]
    fn without_open_sign_up_the_no_account_email_offers_no_sign_up_link() {
        for language in Language::ALL {
            let email = i18n::sync_scope(language, || {
                render(
                    "ada@example.com",
                    &NoAccountEmail {
                        signup_url: String::new(),
                    },
                )
            })
            .unwrap();
            let sign_up = i18n::sync_scope(language, || i18n::t("no-account-button"));
            assert!(!email.html.contains("<a href"), "{language}");
            assert!(!email.html.contains(&sign_up), "{language}");
            let invitation = i18n::sync_scope(language, || i18n::t("no-account-no-sign-up"));
            assert!(email.text.contains(&invitation), "{language}");
        }
    }

    #[test]
    fn every_email_has_its_link_in_both_parts_and_escapes_html() {
        for (name, email) in every_email() {
            assert!(
                email.text.contains(LINK),
                "{name}: the text part is not escaped"
            );
            assert!(
                email
                    .html
                    .contains("http://doorman.test/some/link?x=&#60;b&#62;&#38;y=1"),
                "{name}: the HTML part escapes the link"
            );
            assert!(!email.html.contains("<b>"), "{name}");
            assert!(
                email
                    .html
                    .contains(&format!("<title>{}</title>", email.subject)),
                "{name}"
            );
            assert!(!email.subject.is_empty() && !email.subject.contains('\n'));
        }
    }
}
