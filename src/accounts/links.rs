//! Opening a link: verifying its token against the account as it is now.

use sea_orm::EntityTrait;

use super::{Accounts, AccountsError, Email, SessionGrant};
use crate::db::entities::users::{self, Entity as User};
use crate::tokens::{LinkToken, Purpose, TokenError};

/// Why a link cannot be used. The web layer turns each into a page or a problem document
/// in exactly one place; a usable link is never one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LinkProblem {
    /// Its action already happened (the account is confirmed, the address changed).
    AlreadyUsed,
    /// Genuine but too old; `email` is the account's, to prefill a resend form.
    Expired { email: Email },
    /// Malformed, tampered, another purpose, an unknown key, spent, or the account is gone.
    Invalid,
}

/// What a page shows of a usable link.
#[derive(Debug)]
pub(crate) struct LinkView {
    /// The address the link is for (for an address change, the new one).
    pub(crate) email: Email,
    /// The account as it is now: a sign-up session bound to exactly this may confirm with
    /// one button.
    pub(crate) account: SessionGrant,
    /// False for an account that signs in only by email: no password to ask for.
    pub(crate) has_password: bool,
}

/// How fresh the account behind a link must be read.
#[derive(Debug, Clone, Copy)]
enum Read {
    /// From the database now: the link is about to act.
    Now,
    /// Read less than a second ago will do: the link's page is only being shown.
    RecentEnough,
}

/// A link that passed every check.
pub(super) struct OpenedLink {
    pub(crate) user: users::Model,
    /// The address the token names: for an email change, the new address.
    pub(crate) link_email: Email,
}

/// The account state a token of `purpose` fingerprints: exactly what its action changes.
pub(super) fn token_state(purpose: Purpose, user: &users::Model, link_email: &str) -> Vec<String> {
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
        // Never opened as an account's link (see `open_link_read`).
        Purpose::Invite => Vec::new(),
        Purpose::Login => vec![
            user.email.clone(),
            super::email_sign_in::sign_in_state(
                user.login_code_email,
                user.login_code_expires_at.is_some(),
            ),
        ],
    }
}

impl Accounts {
    /// Verifies `token` for `purpose` against the account as it is now.
    ///
    /// # Errors
    /// [`AccountsError::Link`] when the link cannot be used; database errors.
    pub(super) async fn open_link(
        &self,
        token: &LinkToken,
        purpose: Purpose,
    ) -> Result<OpenedLink, AccountsError> {
        self.open_link_read(token, purpose, Read::Now).await
    }

    async fn open_link_read(
        &self,
        token: &LinkToken,
        purpose: Purpose,
        read: Read,
    ) -> Result<OpenedLink, AccountsError> {
        let problem = |problem| AccountsError::Link(purpose, problem);
        if purpose == Purpose::Invite {
            // Its subject is an email, not an account: `invitation` opens it.
            return Err(problem(LinkProblem::Invalid));
        }
        let (verified, expired) = match self.tokens.verify(token, purpose) {
            Ok(verified) => (verified, false),
            Err(TokenError::Expired(verified)) => (verified, true),
            Err(TokenError::Invalid) => return Err(problem(LinkProblem::Invalid)),
        };
        let recent = match read {
            Read::RecentEnough => self.recent.get(verified.user_id),
            Read::Now => None,
        };
        let user = match recent {
            Some(user) => user,
            None => {
                let user = User::find_by_id(verified.user_id)
                    .one(&self.db)
                    .await?
                    .ok_or(problem(LinkProblem::Invalid))?;
                self.recent.keep(&user);
                user
            }
        };
        let link_email =
            Email::parse(&verified.email).map_err(|_| problem(LinkProblem::Invalid))?;
        // Someone clicking an old link after acting on it wants to hear just that.
        let already_used = match purpose {
            Purpose::Confirm => user.confirmed_at.is_some(),
            Purpose::EmailChange => user.email_normalized == link_email.normalized(),
            Purpose::Reset | Purpose::Login | Purpose::Invite => false,
        };
        if already_used {
            return Err(problem(LinkProblem::AlreadyUsed));
        }
        if expired {
            return Err(problem(match Email::parse(&user.email) {
                Ok(email) => LinkProblem::Expired { email },
                Err(_) => LinkProblem::Invalid,
            }));
        }
        let state = token_state(purpose, &user, link_email.as_str());
        let state: Vec<&str> = state.iter().map(String::as_str).collect();
        if !self.tokens.state_matches(&verified, purpose, &state) {
            return Err(problem(LinkProblem::Invalid));
        }
        Ok(OpenedLink { user, link_email })
    }

    /// The address a usable link of `purpose` is for (for an address change, the new
    /// one); changes nothing, so a mail scanner fetching the link does no harm.
    ///
    /// # Errors
    /// [`AccountsError::Link`] when the link cannot be used; database errors.
    pub(crate) async fn inspect_link(
        &self,
        token: &LinkToken,
        purpose: Purpose,
    ) -> Result<LinkView, AccountsError> {
        // Only shown: an account read a moment ago serves (see `recent`).
        self.open_link_read(token, purpose, Read::RecentEnough)
            .await
            .map(|opened| LinkView {
                account: SessionGrant::of(&opened.user),
                has_password: super::login::stored_password(&opened.user).is_some(),
                email: opened.link_email,
            })
    }
}
