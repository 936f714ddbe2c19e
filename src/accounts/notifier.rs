//! Composes the email an outbox row asks for, at send time: it reads the account as it is
//! now, mints the token against that state and renders the message.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{DatabaseConnection, EntityTrait};

use super::links::token_state;
use crate::db::entities::outbox;
use crate::db::entities::users::{self, Entity as User};
use crate::mail::{self, Notification, describe_duration};
use crate::outbox::MailKind;
use crate::outbox::worker::{ComposeError, Composed, Composer};
use crate::tokens::{Purpose, SecretToken, Tokens};

/// The URLs emails link to. The web layer implements it, so the domain never knows routes.
pub trait AccountLinks: Send + Sync {
    fn confirm_account(&self, token: &SecretToken) -> String;
    fn reset_password(&self, token: &SecretToken) -> String;
    fn confirm_email_change(&self, token: &SecretToken) -> String;
    fn login(&self) -> String;
    fn forgot_password(&self) -> String;
}

/// How long each kind of link works.
#[derive(Debug, Clone, Copy)]
pub struct LinkLifetimes {
    pub confirm: Duration,
    pub reset: Duration,
}

pub struct Notifier {
    db: DatabaseConnection,
    tokens: Tokens,
    links: Arc<dyn AccountLinks>,
    lifetimes: LinkLifetimes,
}

impl Notifier {
    pub fn new(
        db: DatabaseConnection,
        tokens: Tokens,
        links: Arc<dyn AccountLinks>,
        lifetimes: LinkLifetimes,
    ) -> Self {
        Self {
            db,
            tokens,
            links,
            lifetimes,
        }
    }

    /// A link token for `user`, fingerprinting the state its action will change.
    fn mint(&self, purpose: Purpose, user: &users::Model, link_email: &str) -> SecretToken {
        let lifetime = match purpose {
            Purpose::Reset => self.lifetimes.reset,
            Purpose::Confirm | Purpose::EmailChange => self.lifetimes.confirm,
        };
        let state = token_state(purpose, user, link_email);
        let state: Vec<&str> = state.iter().map(String::as_str).collect();
        self.tokens
            .mint(purpose, user.id, link_email, &state, lifetime)
    }
}

#[async_trait::async_trait]
impl Composer for Notifier {
    async fn compose(&self, row: &outbox::Model) -> Result<Composed, ComposeError> {
        let kind = MailKind::parse(&row.kind)
            .ok_or_else(|| ComposeError::UnknownKind(row.kind.clone()))?;
        let user = match row.user_id {
            Some(user_id) => User::find_by_id(user_id).one(&self.db).await?,
            None => None,
        };
        let Some(user) = user else {
            return Ok(Composed::Obsolete("the account no longer exists"));
        };
        let recipient = row.recipient.as_str();
        let login_url = self.links.login();
        let forgot_url = self.links.forgot_password();
        let confirm_valid_for = describe_duration(self.lifetimes.confirm);
        let reset_valid_for = describe_duration(self.lifetimes.reset);
        let link;
        let notification = match kind {
            MailKind::Confirmation => {
                if user.confirmed_at.is_some() {
                    return Ok(Composed::Obsolete("the account is already confirmed"));
                }
                link = self
                    .links
                    .confirm_account(&self.mint(Purpose::Confirm, &user, &user.email));
                Notification::Confirmation {
                    confirm_url: &link,
                    valid_for: &confirm_valid_for,
                }
            }
            MailKind::PasswordReset => {
                link = self
                    .links
                    .reset_password(&self.mint(Purpose::Reset, &user, &user.email));
                Notification::PasswordReset {
                    reset_url: &link,
                    valid_for: &reset_valid_for,
                }
            }
            MailKind::EmailChangeConfirmation => {
                if user.email_normalized == recipient.to_lowercase() {
                    return Ok(Composed::Obsolete("the address was already changed"));
                }
                link = self.links.confirm_email_change(&self.mint(
                    Purpose::EmailChange,
                    &user,
                    recipient,
                ));
                Notification::EmailChangeConfirmation {
                    confirm_url: &link,
                    valid_for: &confirm_valid_for,
                }
            }
            MailKind::AlreadyRegistered => Notification::AlreadyRegistered {
                login_url: &login_url,
                forgot_url: &forgot_url,
            },
            MailKind::PasswordChanged => Notification::PasswordChanged {
                forgot_url: &forgot_url,
            },
            MailKind::EmailChangeNotice => Notification::EmailChangeNotice {
                forgot_url: &forgot_url,
            },
            MailKind::EmailTaken => Notification::EmailTaken {
                login_url: &login_url,
            },
        };
        Ok(Composed::Ready(mail::render(recipient, &notification)?))
    }
}
