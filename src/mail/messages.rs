//! One struct per email. The text template (`templates/email/NAME.txt`) holds the subject
//! block and the plain-text body; `NAME.html` holds the HTML body.

use askama::Template;

use super::Message;
use crate::i18n;

/// Declares an email: the struct with its text template, and the HTML part that shares
/// its fields.
macro_rules! email {
    ($(#[$doc:meta])* $name:ident, $html:ident, $text_path:literal, $html_path:literal {
        $($field:ident),* $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Template)]
        #[template(path = $text_path, blocks = ["subject"])]
        pub(crate) struct $name {
            $(pub(crate) $field: String,)*
        }

        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a> {
            email: &'a $name,
            subject: &'a str,
        }

        /// The HTML template reads the email's fields as its own.
        impl std::ops::Deref for $html<'_> {
            type Target = $name;

            fn deref(&self) -> &$name {
                self.email
            }
        }

        impl Message for $name {
            fn subject(&self) -> askama::Result<String> {
                self.as_subject().render()
            }

            fn html(&self, subject: &str) -> askama::Result<String> {
                $html { email: self, subject }.render()
            }
        }
    };
}

email!(
    /// Someone signed up with this address: confirm it.
    ConfirmationEmail, ConfirmationHtml,
    "email/confirmation.txt", "email/confirmation.html" {
        confirm_url, valid_for, code, code_valid_for
    }
);

email!(
    /// Someone tried to sign up with an address that already has a confirmed account.
    AlreadyRegisteredEmail, AlreadyRegisteredHtml,
    "email/already_registered.txt", "email/already_registered.html" { login_url, forgot_url }
);

email!(
    PasswordResetEmail, PasswordResetHtml,
    "email/password_reset.txt", "email/password_reset.html" { reset_url, valid_for }
);

email!(
    PasswordChangedEmail, PasswordChangedHtml,
    "email/password_changed.txt", "email/password_changed.html" { forgot_url }
);

email!(
    /// Sent to the new address: confirm the move.
    EmailChangeConfirmationEmail, EmailChangeConfirmationHtml,
    "email/email_change_confirmation.txt", "email/email_change_confirmation.html" {
        confirm_url, valid_for
    }
);

email!(
    /// Sent to the old address: a move was asked for.
    EmailChangeNoticeEmail, EmailChangeNoticeHtml,
    "email/email_change_notice.txt", "email/email_change_notice.html" { forgot_url }
);

email!(
    /// A code and a link that sign the account in (SPEC §14).
    SignInEmail, SignInHtml,
    "email/sign_in.txt", "email/sign_in.html" { sign_in_url, code, valid_for }
);

email!(
    /// Someone asked to sign in with an address that has no account.
    NoAccountEmail, NoAccountHtml,
    "email/no_account.txt", "email/no_account.html" { signup_url }
);

email!(
    /// An operator invites this address to create an account (SPEC §16).
    InvitationEmail, InvitationHtml,
    "email/invitation.txt", "email/invitation.html" { invite_url, valid_for }
);

email!(
    /// Sent to an address with an account that someone else tried to move their account to.
    EmailTakenEmail, EmailTakenHtml,
    "email/email_taken.txt", "email/email_taken.html" { login_url }
);
