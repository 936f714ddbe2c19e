//! Composes the email an outbox row asks for, at send time: it reads the account as it is
//! now, mints the token against that state and renders the message.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::links::token_state;
use crate::brand::Brand;
use crate::db::entities::outbox;
use crate::db::entities::users::{self, Entity as User};
use crate::i18n::{self, Language, Messages, describe_duration};
use crate::mail::{
    self, AlreadyRegisteredEmail, ConfirmationEmail, EmailChangeConfirmationEmail,
    EmailChangeNoticeEmail, EmailTakenEmail, InvitationEmail, NoAccountEmail, PasswordChangedEmail,
    PasswordResetEmail, RenderedEmail, SignInEmail,
};
use crate::outbox::OutboxKind;
use crate::outbox::worker::{ComposeError, Composed, Composer};
use crate::tokens::{Purpose, SecretToken, Tokens};

/// The URLs emails link to. The web layer implements it, so the domain never knows routes.
pub(crate) trait AccountLinks: Send + Sync {
    /// `return_to`, already checked, rides along so the confirmation ends where the
    /// person was headed, whichever device opens the link.
    fn confirm_account(&self, token: &SecretToken, return_to: Option<&str>) -> String;
    fn reset_password(&self, token: &SecretToken) -> String;
    fn confirm_email_change(&self, token: &SecretToken) -> String;
    fn login(&self) -> String;
    fn forgot_password(&self) -> String;
    /// The page of a sign-in link, carrying `return_to` like a confirmation link.
    fn sign_in(&self, token: &SecretToken, return_to: Option<&str>) -> String;
    /// The sign-up page, going on to `return_to` afterwards; none unless anyone may sign
    /// up.
    fn signup(&self, return_to: Option<&str>) -> Option<String>;
    /// The page of an invitation, carrying `return_to` like a confirmation link.
    fn invitation(&self, token: &SecretToken, return_to: Option<&str>) -> String;
}

/// How long each kind of link works.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinkLifetimes {
    pub(crate) confirm: Duration,
    pub(crate) reset: Duration,
    /// The six-digit code beside the confirmation link.
    pub(crate) code: Duration,
    /// The code and link of a sign-in email.
    pub(crate) login: Duration,
    /// An invitation's link (`INVITE_TTL`).
    pub(crate) invite: Duration,
}

pub(crate) struct Notifier {
    db: DatabaseConnection,
    tokens: Tokens,
    links: Arc<dyn AccountLinks>,
    lifetimes: LinkLifetimes,
    /// For accounts from before languages were recorded.
    default_language: Language,
    /// This instance's words (`APP_NAME`, `MESSAGES_DIR`) and look (`BRAND_DIR`).
    messages: Arc<Messages>,
    brand: Arc<Brand>,
}

impl Notifier {
    pub(crate) fn new(
        db: DatabaseConnection,
        tokens: Tokens,
        links: Arc<dyn AccountLinks>,
        lifetimes: LinkLifetimes,
        default_language: Language,
        messages: Arc<Messages>,
        brand: Arc<Brand>,
    ) -> Self {
        Self {
            messages,
            brand,
            db,
            tokens,
            links,
            lifetimes,
            default_language,
        }
    }

    /// Runs `render` in `language`, in this instance's words.
    fn speak<R>(&self, language: Language, render: impl FnOnce() -> R) -> R {
        i18n::sync_speaking(self.messages.clone(), || {
            crate::brand::sync_wearing(self.brand.clone(), || i18n::sync_scope(language, render))
        })
    }

    /// How long the code in a confirmation email works; a sign-up's binding lives as long.
    pub(crate) fn code_lifetime(&self) -> Duration {
        self.lifetimes.code
    }

    /// A link token for `user`, fingerprinting the state its action will change.
    pub(super) fn mint(
        &self,
        purpose: Purpose,
        user: &users::Model,
        link_email: &str,
    ) -> SecretToken {
        let lifetime = match purpose {
            Purpose::Reset => self.lifetimes.reset,
            Purpose::Confirm | Purpose::EmailChange => self.lifetimes.confirm,
            Purpose::Login => self.lifetimes.login,
            Purpose::Invite => self.lifetimes.invite,
        };
        let state = token_state(purpose, user, link_email);
        let state: Vec<&str> = state.iter().map(String::as_str).collect();
        self.tokens
            .mint(purpose, user.id, link_email, &state, lifetime)
    }
}

impl Composer for Notifier {
    async fn compose(&self, row: &outbox::Model) -> Result<Composed, ComposeError> {
        let kind = row.kind;
        let user = match row.user_id {
            Some(user_id) => User::find_by_id(user_id).one(&self.db).await?,
            // A request for whatever account the address has: looked up now.
            None => {
                User::find()
                    .filter(users::Column::EmailNormalized.eq(row.recipient.to_lowercase()))
                    .one(&self.db)
                    .await?
            }
        };
        let Some(user) = user else {
            return match kind {
                // Someone asked to sign in with an address that has no account: tell
                // the inbox so, in the language of the browser that asked.
                OutboxKind::SignIn => {
                    let language = row
                        .locale
                        .as_deref()
                        .and_then(Language::from_tag)
                        .unwrap_or(self.default_language);
                    let email = NoAccountEmail {
                        // Empty without open sign-up: the email then says so instead.
                        signup_url: self
                            .links
                            .signup(row.return_to.as_deref())
                            .unwrap_or_default(),
                    };
                    let email = self.speak(language, || mail::render(&row.recipient, &email))?;
                    Ok(Composed::Ready(email))
                }
                OutboxKind::Invitation => Ok(Composed::Ready(self.invitation(row)?)),
                _ => Ok(Composed::Obsolete("no account has this address")),
            };
        };
        if kind == OutboxKind::Invitation {
            return Ok(Composed::Obsolete("the address has an account already"));
        }
        if let Some(reason) = obsolete(kind, &user, &row.recipient) {
            return Ok(Composed::Obsolete(reason));
        }
        let user = match kind {
            OutboxKind::Confirmation => {
                self.activate_code(&user, row.id).await?;
                user
            }
            OutboxKind::SignIn => self.activate_sign_in(user, row.id).await?,
            _ => user,
        };
        // Sent to the address as the account holds it; for the new address of a move, to
        // that address.
        let recipient = match kind {
            OutboxKind::EmailChangeConfirmation | OutboxKind::EmailChangeNotice => &row.recipient,
            _ => &user.email,
        };
        // Every email to an account speaks the language it signed up in.
        let language = user
            .locale
            .as_deref()
            .and_then(Language::from_tag)
            .unwrap_or(self.default_language);
        let email = self.speak(language, || self.write(kind, &user, recipient, row))?;
        Ok(Composed::Ready(email))
    }
}

/// Why an email of `kind` to `recipient` no longer makes sense for `user` as the account
/// is now.
fn obsolete(kind: OutboxKind, user: &users::Model, recipient: &str) -> Option<&'static str> {
    let addressed_to_account = user.email_normalized == recipient.to_lowercase();
    match kind {
        OutboxKind::Confirmation if user.confirmed_at.is_some() => {
            Some("the account is already confirmed")
        }
        OutboxKind::SignIn if user.disabled_at.is_some() => Some("the account is disabled"),
        OutboxKind::EmailChangeConfirmation if addressed_to_account => {
            Some("the address was already changed")
        }
        // The notice goes to the address being replaced, whatever happened since: its
        // owner must hear of the move even if it completed first.
        OutboxKind::EmailChangeConfirmation | OutboxKind::EmailChangeNotice => None,
        // A reset queued before an address change must not reach the old address with a
        // working link; no email of the account goes to an address it no longer has.
        _ if !addressed_to_account => Some("the account's address changed"),
        _ => None,
    }
}

impl Notifier {
    /// Mints the email's token, if it has one, against the account as it is now.
    /// Makes the code of the confirmation email in outbox row `email_row` the valid one,
    /// for `CONFIRM_CODE_TTL` from now. Only ever moves to a newer email, so composing an
    /// email again (a retry, the dev mailbox) neither revives an older code nor extends a
    /// code's life.
    async fn activate_code(&self, user: &users::Model, email_row: i64) -> Result<(), DbErr> {
        let expires_at =
            self.tokens.now() + chrono::Duration::from_std(self.lifetimes.code).unwrap_or_default();
        User::update_many()
            .col_expr(users::Column::ConfirmCodeEmail, Expr::value(email_row))
            .col_expr(users::Column::ConfirmCodeExpiresAt, Expr::value(expires_at))
            .filter(users::Column::Id.eq(user.id))
            .filter(
                Condition::any()
                    .add(users::Column::ConfirmCodeEmail.is_null())
                    .add(users::Column::ConfirmCodeEmail.lt(email_row)),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Makes sign-in email `email_row` the account's valid one, for `LOGIN_CODE_TTL` from
    /// now, with no wrong codes yet; like [`Self::activate_code`], only ever a newer
    /// email. Returns the account as this email's link must fingerprint it: this email
    /// valid and unused (if a newer one was composed meanwhile, that link is spent from
    /// the start).
    async fn activate_sign_in(
        &self,
        user: users::Model,
        email_row: i64,
    ) -> Result<users::Model, DbErr> {
        let expires_at = self.tokens.now()
            + chrono::Duration::from_std(self.lifetimes.login).unwrap_or_default();
        User::update_many()
            .col_expr(users::Column::LoginCodeEmail, Expr::value(email_row))
            .col_expr(users::Column::LoginCodeExpiresAt, Expr::value(expires_at))
            .col_expr(users::Column::LoginCodeFailures, Expr::value(0))
            .filter(users::Column::Id.eq(user.id))
            .filter(
                Condition::any()
                    .add(users::Column::LoginCodeEmail.is_null())
                    .add(users::Column::LoginCodeEmail.lt(email_row)),
            )
            .exec(&self.db)
            .await?;
        Ok(users::Model {
            login_code_email: Some(email_row),
            login_code_expires_at: Some(expires_at),
            ..user
        })
    }

    fn write(
        &self,
        kind: OutboxKind,
        user: &users::Model,
        recipient: &str,
        row: &outbox::Model,
    ) -> Result<RenderedEmail, ComposeError> {
        let confirm_valid_for = || describe_duration(self.lifetimes.confirm);
        let email = match kind {
            OutboxKind::Confirmation => {
                let token = self.mint(Purpose::Confirm, user, &user.email);
                let email = ConfirmationEmail {
                    confirm_url: self.links.confirm_account(&token, row.return_to.as_deref()),
                    valid_for: confirm_valid_for(),
                    code: self
                        .tokens
                        .emailed_code(Purpose::Confirm, user.id, row.id)
                        .digits(),
                    code_valid_for: describe_duration(self.lifetimes.code),
                };
                mail::render(recipient, &email)
            }
            OutboxKind::PasswordReset => {
                let token = self.mint(Purpose::Reset, user, &user.email);
                let email = PasswordResetEmail {
                    reset_url: self.links.reset_password(&token),
                    valid_for: describe_duration(self.lifetimes.reset),
                };
                mail::render(recipient, &email)
            }
            OutboxKind::EmailChangeConfirmation => {
                let token = self.mint(Purpose::EmailChange, user, recipient);
                let email = EmailChangeConfirmationEmail {
                    confirm_url: self.links.confirm_email_change(&token),
                    valid_for: confirm_valid_for(),
                };
                mail::render(recipient, &email)
            }
            OutboxKind::AlreadyRegistered => {
                let email = AlreadyRegisteredEmail {
                    login_url: self.links.login(),
                    forgot_url: self.links.forgot_password(),
                };
                mail::render(recipient, &email)
            }
            OutboxKind::PasswordChanged => {
                let email = PasswordChangedEmail {
                    forgot_url: self.links.forgot_password(),
                };
                mail::render(recipient, &email)
            }
            OutboxKind::EmailChangeNotice => {
                let email = EmailChangeNoticeEmail {
                    forgot_url: self.links.forgot_password(),
                };
                mail::render(recipient, &email)
            }
            OutboxKind::EmailTaken => {
                let email = EmailTakenEmail {
                    login_url: self.links.login(),
                };
                mail::render(recipient, &email)
            }
            OutboxKind::SignIn => {
                let token = self.mint(Purpose::Login, user, &user.email);
                let email = SignInEmail {
                    sign_in_url: self.links.sign_in(&token, row.return_to.as_deref()),
                    code: self
                        .tokens
                        .emailed_code(Purpose::Login, user.id, row.id)
                        .digits(),
                    valid_for: describe_duration(self.lifetimes.login),
                };
                mail::render(recipient, &email)
            }
            OutboxKind::Invitation | OutboxKind::Webhook => return Err(ComposeError::NotAnEmail),
        };
        Ok(email?)
    }

    /// The invitation in outbox row `row`, to an address without an account, in the
    /// language it was asked in. Its token names the row and the address; accepting it
    /// creates the account, which is what makes it work only once.
    fn invitation(&self, row: &outbox::Model) -> Result<RenderedEmail, ComposeError> {
        let language = row
            .locale
            .as_deref()
            .and_then(Language::from_tag)
            .unwrap_or(self.default_language);
        let token = self.tokens.mint(
            Purpose::Invite,
            row.id,
            &row.recipient,
            &[],
            self.lifetimes.invite,
        );
        let email = InvitationEmail {
            invite_url: self.links.invitation(&token, row.return_to.as_deref()),
            valid_for: describe_duration(self.lifetimes.invite),
        };
        Ok(self.speak(language, || mail::render(&row.recipient, &email))?)
    }
}
