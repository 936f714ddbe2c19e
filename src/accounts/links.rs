//! Opening a link: verifying its token against the account as it is now.

use sea_orm::{DbErr, EntityTrait};

use super::Accounts;
use crate::db::entities::users::{self, Entity as User};
use crate::tokens::{Purpose, TokenError};

/// What a link leads to, found without changing anything (GET is safe).
#[derive(Debug, PartialEq, Eq)]
pub enum LinkStatus {
    /// The link can be used for the account of `email`.
    Usable { email: String },
    /// Its action already happened (the account is confirmed, the address changed).
    AlreadyUsed,
    /// Genuine but too old; `email` is the account's, to prefill a resend form.
    Expired { email: String },
    /// Malformed, tampered, another purpose, an unknown key, spent, or the account is gone.
    Invalid,
}

/// A link that passed every check.
pub(super) struct OpenedLink {
    pub user: users::Model,
    /// The address the token names: for an email change, the new address.
    pub link_email: String,
}

/// The account state a token of `purpose` fingerprints: exactly what its action changes.
pub(crate) fn token_state(purpose: Purpose, user: &users::Model, link_email: &str) -> Vec<String> {
    match purpose {
        Purpose::Confirm => vec![
            user.email.clone(),
            if user.confirmed_at.is_some() {
                "confirmed"
            } else {
                ""
            }
            .to_owned(),
        ],
        Purpose::Reset => vec![user.email.clone(), user.password_hash.clone()],
        Purpose::EmailChange => vec![user.email.clone(), link_email.to_lowercase()],
    }
}

impl Accounts {
    pub(super) async fn open_link(
        &self,
        token: &str,
        purpose: Purpose,
    ) -> Result<Result<OpenedLink, LinkStatus>, DbErr> {
        let (verified, expired) = match self.tokens.verify(token, purpose) {
            Ok(verified) => (verified, false),
            Err(TokenError::Expired(verified)) => (verified, true),
            Err(TokenError::Invalid) => return Ok(Err(LinkStatus::Invalid)),
        };
        let Some(user) = User::find_by_id(verified.user_id).one(&self.db).await? else {
            return Ok(Err(LinkStatus::Invalid));
        };
        // Someone clicking an old link after acting on it wants to hear just that.
        let already_used = match purpose {
            Purpose::Confirm => user.confirmed_at.is_some(),
            Purpose::EmailChange => user.email_normalized == verified.email.to_lowercase(),
            Purpose::Reset => false,
        };
        if already_used {
            return Ok(Err(LinkStatus::AlreadyUsed));
        }
        if expired {
            return Ok(Err(LinkStatus::Expired { email: user.email }));
        }
        let state = token_state(purpose, &user, &verified.email);
        let state: Vec<&str> = state.iter().map(String::as_str).collect();
        if !self.tokens.state_matches(&verified, purpose, &state) {
            return Ok(Err(LinkStatus::Invalid));
        }
        Ok(Ok(OpenedLink {
            user,
            link_email: verified.email,
        }))
    }

    /// What a link of `purpose` leads to; changes nothing.
    ///
    /// # Errors
    /// Database errors.
    pub async fn inspect_link(
        &self,
        token: &str,
        purpose: Purpose,
    ) -> Result<LinkStatus, super::AccountsError> {
        Ok(match self.open_link(token, purpose).await? {
            Ok(opened) => LinkStatus::Usable {
                email: match purpose {
                    Purpose::EmailChange => opened.link_email,
                    Purpose::Confirm | Purpose::Reset => opened.user.email,
                },
            },
            Err(status) => status,
        })
    }
}
