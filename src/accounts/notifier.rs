//! Composes the email an outbox row asks for, at send time: it reads the account as it is
//! now, mints the token against that state and renders the message.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{DatabaseConnection, EntityTrait};

use crate::db::entities::{outbox, users::Entity as User};
use crate::mail::{self, Notification};
use crate::outbox::MailKind;
use crate::outbox::worker::{ComposeError, Composed, Composer};
use crate::tokens::{Purpose, SecretToken, Tokens};

/// The URLs emails link to. The web layer implements it, so the domain never knows routes.
pub trait AccountLinks: Send + Sync {
    fn confirm_account(&self, token: &SecretToken) -> String;
    fn login(&self) -> String;
}

pub struct Notifier {
    db: DatabaseConnection,
    tokens: Tokens,
    links: Arc<dyn AccountLinks>,
    confirm_token_ttl: Duration,
}

impl Notifier {
    pub fn new(
        db: DatabaseConnection,
        tokens: Tokens,
        links: Arc<dyn AccountLinks>,
        confirm_token_ttl: Duration,
    ) -> Self {
        Self {
            db,
            tokens,
            links,
            confirm_token_ttl,
        }
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
        let email = match kind {
            MailKind::Confirmation => {
                if user.confirmed_at.is_some() {
                    return Ok(Composed::Obsolete("the account is already confirmed"));
                }
                let token = self.tokens.mint(
                    Purpose::Confirm,
                    user.id,
                    &user.email,
                    &super::confirmation_state(&user),
                    self.confirm_token_ttl,
                );
                let confirm_url = self.links.confirm_account(&token);
                let valid_for = mail::describe_duration(self.confirm_token_ttl);
                mail::render(
                    &user.email,
                    &Notification::Confirmation {
                        confirm_url: &confirm_url,
                        valid_for: &valid_for,
                    },
                )?
            }
            MailKind::AlreadyRegistered => {
                let login_url = self.links.login();
                mail::render(
                    &user.email,
                    &Notification::AlreadyRegistered {
                        login_url: &login_url,
                    },
                )?
            }
        };
        Ok(Composed::Ready(email))
    }
}
