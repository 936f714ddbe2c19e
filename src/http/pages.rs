//! The HTML pages: one askama template struct per page, rendered by the handlers.

use askama::Template;
use askama_web::WebTemplate;

use crate::i18n;

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub(super) struct ErrorPage {
    pub title: String,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub(super) struct HomePage;

#[derive(Template, WebTemplate, Default)]
#[template(path = "signup.html")]
pub(super) struct SignupPage {
    pub csrf_token: String,
    pub email: String,
    pub email_error: Option<String>,
    pub password_error: Option<String>,
    pub password_min_length: usize,
    /// A checked `return_to`, carried in a hidden field; empty for none.
    pub return_to: String,
}

impl SignupPage {
    /// "Already have an account?": the login page, going where this page was going.
    fn login_href(&self) -> String {
        super::return_to::carried("/login", &self.return_to)
    }
}

#[derive(Template, WebTemplate, Default)]
#[template(path = "check_email.html")]
pub(super) struct CheckEmailPage {
    pub csrf_token: String,
    pub resend_email: String,
    /// Next to the code field.
    pub code_error: Option<String>,
    pub notice: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "resend.html")]
pub(super) struct ResendPage {
    pub csrf_token: String,
    pub resend_email: String,
}

#[derive(Template, WebTemplate, Default)]
#[template(path = "confirm.html")]
pub(super) struct ConfirmPage {
    pub csrf_token: String,
    pub token: String,
    pub email: String,
    pub password_error: Option<String>,
    pub offer_new_password: bool,
    pub new_password_error: Option<String>,
    pub password_min_length: usize,
    /// The browser that signed up, with its binding intact: one button, no password.
    pub one_click: bool,
    pub return_to: String,
}

#[derive(Template, WebTemplate, Default)]
#[template(path = "login.html")]
pub(super) struct LoginPage {
    pub csrf_token: String,
    pub email: String,
    pub error: Option<String>,
    pub return_to: String,
}

impl LoginPage {
    /// "New here?": the sign-up page, going where this page was going.
    fn signup_href(&self) -> String {
        super::return_to::carried("/signup", &self.return_to)
    }
}

/// "Check your inbox" after asking for a sign-in email (SPEC §14).
#[derive(Template, WebTemplate, Default)]
#[template(path = "login_check_email.html")]
pub(super) struct LoginCheckEmailPage {
    pub csrf_token: String,
    /// Next to the code field.
    pub code_error: Option<String>,
}

/// The page a sign-in link opens: one button, which signs in the browser that presses it.
#[derive(Template, WebTemplate)]
#[template(path = "login_link.html")]
pub(super) struct LoginLinkPage {
    pub csrf_token: String,
    pub token: String,
    pub email: String,
    pub return_to: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "login_unconfirmed.html")]
pub(super) struct LoginUnconfirmedPage {
    pub csrf_token: String,
    pub resend_email: String,
}

#[derive(Template, WebTemplate, Default)]
#[template(path = "account.html")]
pub(super) struct AccountPage {
    pub csrf_token: String,
    pub email: String,
    pub member_since: String,
    /// False for an account that signs in only by email: no current password to ask
    /// for, and "Set a password" instead of "Change password".
    pub has_password: bool,
    pub notice: Option<String>,
    pub password_min_length: usize,
    pub new_email: String,
    pub new_email_error: Option<String>,
    pub email_password_error: Option<String>,
    pub current_password_error: Option<String>,
    pub new_password_error: Option<String>,
    pub delete_error: Option<String>,
    /// Applications with access (OpenID Connect consent or refresh tokens).
    pub apps: Vec<AppEntry>,
}

pub(super) struct AppEntry {
    pub client_id: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "address_taken.html")]
pub(super) struct AddressTakenPage;

#[derive(Template, WebTemplate)]
#[template(path = "forgot.html")]
pub(super) struct ForgotPage {
    pub csrf_token: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "forgot_sent.html")]
pub(super) struct ForgotSentPage;

#[derive(Template, WebTemplate, Default)]
#[template(path = "reset.html")]
pub(super) struct ResetPage {
    pub csrf_token: String,
    pub token: String,
    pub email: String,
    pub password_error: Option<String>,
    pub password_min_length: usize,
}

#[derive(Template, WebTemplate, Default)]
#[template(path = "email_change_confirm.html")]
pub(super) struct EmailChangeConfirmPage {
    pub csrf_token: String,
    pub token: String,
    pub email: String,
    /// False for an account without a password: a recent sign-in in this browser is
    /// the proof instead.
    pub has_password: bool,
    pub password_error: Option<String>,
}

pub(super) struct MailboxEntry {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "dev_mailbox.html")]
pub(super) struct DevMailboxPage {
    pub messages: Vec<MailboxEntry>,
}

/// "May this application sign you in?" (SPEC §13), for a client that is not first-party.
#[derive(Template, WebTemplate)]
#[template(path = "consent.html")]
pub(super) struct ConsentPage {
    pub csrf_token: String,
    pub client_name: String,
    /// `offline_access` was asked for: access while the person is away.
    pub offline: bool,
    /// The authorization request, carried to the answer in hidden fields.
    pub params: Vec<(String, String)>,
}

/// "Log out of Doorman?", for a logout an application asked for without showing who.
#[derive(Template, WebTemplate)]
#[template(path = "logout_confirm.html")]
pub(super) struct LogoutConfirmPage {
    pub csrf_token: String,
    pub id_token_hint: String,
    pub client_id: String,
    pub post_logout_redirect_uri: String,
    pub state: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "logged_out.html")]
pub(super) struct LoggedOutPage;
