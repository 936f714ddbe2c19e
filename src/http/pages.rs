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

/// An invitation's page: a password for the account it creates.
#[derive(Template, WebTemplate, Default)]
#[template(path = "invite.html")]
pub(super) struct InvitePage {
    pub csrf_token: String,
    pub token: String,
    pub email: String,
    pub password_error: Option<String>,
    pub password_min_length: usize,
    pub return_to: String,
}

/// An invitation to an address that has an account by now.
#[derive(Template, WebTemplate)]
#[template(path = "invite_exists.html")]
pub(super) struct InviteExistsPage {
    pub email: String,
    pub login_href: String,
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

/// The console's front page (SPEC §15).
#[derive(Template, WebTemplate)]
#[template(path = "admin/dashboard.html")]
pub(super) struct AdminDashboardPage {
    pub chart: Chart,
    pub days: Vec<DayRow>,
    /// Of the sign-ups of these days, the share confirmed within 24 hours.
    pub share_confirmed: Option<String>,
    pub outbox_depth: u64,
}

/// A line chart drawn by the browser from SVG the server wrote.
pub(super) struct Chart {
    /// The value at the top of the chart.
    pub highest: u64,
    pub first_day: String,
    pub last_day: String,
    pub series: Vec<ChartSeries>,
}

pub(super) struct ChartSeries {
    pub label: String,
    pub color: &'static str,
    /// `x,y x,y …` in the chart's 600 × 200 box.
    pub points: String,
}

pub(super) struct DayRow {
    pub day: String,
    pub signups: u64,
    pub confirmations: u64,
    pub failed: u64,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub(super) struct AdminUsersPage {
    pub csrf_token: String,
    pub q: String,
    pub statuses: Vec<StatusOption>,
    pub any_status: bool,
    pub users: Vec<UserRow>,
    pub next_href: Option<String>,
    pub notice: Option<String>,
}

pub(super) struct StatusOption {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

pub(super) struct UserRow {
    pub id: i64,
    pub email: String,
    pub status: String,
    pub admin: bool,
    pub created: String,
    pub last_login: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/user.html")]
pub(super) struct AdminUserPage {
    pub csrf_token: String,
    pub id: i64,
    pub email: String,
    pub status: String,
    pub admin: bool,
    pub disabled: bool,
    pub confirmed: bool,
    pub created: String,
    pub confirmed_at: String,
    pub last_login: String,
    pub language: String,
    pub has_password: bool,
    pub sessions: Vec<SessionRow>,
    pub emails: Vec<DeliveryRow>,
    pub events: Vec<AuditRow>,
    pub notice: Option<String>,
    /// Next to the deletion's address field.
    pub delete_error: Option<String>,
}

pub(super) struct SessionRow {
    pub started: String,
    pub last_seen: String,
    pub client_ip: String,
    pub browser: String,
}

pub(super) struct DeliveryRow {
    pub id: i64,
    pub created: String,
    /// The email's kind or the event's type.
    pub kind: String,
    pub recipient: String,
    pub status: String,
    pub retryable: bool,
    pub attempts: i32,
}

pub(super) struct AuditRow {
    pub at: String,
    pub action: String,
    pub actor: String,
    pub actor_href: Option<String>,
    pub account: String,
    pub account_href: Option<String>,
    pub client_ip: String,
    pub details: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/outbox.html")]
pub(super) struct AdminOutboxPage {
    pub csrf_token: String,
    pub rows: Vec<DeliveryRow>,
    pub next_href: Option<String>,
    pub notice: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub(super) struct AdminAuditPage {
    pub account: String,
    pub actor: String,
    /// Every action's name, and whether it is the one filtered by.
    pub actions: Vec<(&'static str, bool)>,
    pub any_action: bool,
    pub events: Vec<AuditRow>,
    pub next_href: Option<String>,
}

/// "Confirm it is you": the console's re-check of the password every 15 minutes.
#[derive(Template, WebTemplate)]
#[template(path = "admin/reauth.html")]
pub(super) struct AdminReauthPage {
    pub csrf_token: String,
    pub return_to: String,
    /// Signing in again by email, for an admin without a password.
    pub sign_in_href: String,
    pub has_password: bool,
    pub error: Option<String>,
}
