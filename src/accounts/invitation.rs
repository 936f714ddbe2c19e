//! Invitations (SPEC §16): an operator asks Doorman to email an address a link; whoever
//! opens it chooses a password and gets a confirmed account, since the link proved the
//! inbox. Nothing is stored but the queued email: the link's token names that email and
//! the address, and creating the account is what spends it (a second use finds the
//! account). `SIGNUP=closed` stops invitations being sent or accepted.

use sea_orm::{ActiveValue::Set, EntityTrait, TryInsertResult};

use super::{Accounts, AccountsError, Email, LinkProblem, SessionGrant, SignupMode, UserKey};
use crate::audit::{self, Action};
use crate::db::entities::users::{self, Entity as User};
use crate::events::{AccountData, AccountEvent};
use crate::i18n::Language;
use crate::outbox::{NewEmail, OutboxKind};
use crate::passwords::NewPassword;
use crate::tokens::{LinkToken, Purpose, TokenError};

/// What an invitation's link opens.
#[derive(Debug)]
pub(crate) enum InvitationView {
    /// The address may still create its account.
    Open { email: Email },
    /// The address has an account by now (this invitation was used, or it signed up).
    AccountExists { email: Email },
}

/// What accepting an invitation did.
#[derive(Debug)]
pub(crate) enum InvitationAcceptance {
    /// The account, confirmed, for the session to log in.
    Created(SessionGrant),
    AccountExists {
        email: Email,
    },
}

impl Accounts {
    /// Queues an invitation to `email`, which goes on to `return_to` once accepted. An
    /// address with an account by the time it is sent gets nothing.
    ///
    /// # Errors
    /// [`AccountsError::SignupClosed`] under `SIGNUP=closed`; database errors.
    pub(crate) async fn invite(
        &self,
        email: &Email,
        return_to: Option<&str>,
    ) -> Result<(), AccountsError> {
        self.refuse_when_closed()?;
        let transaction = crate::db::begin_write(&self.db).await?;
        let enqueued = self
            .outbox
            .enqueue_email(
                &transaction,
                &NewEmail {
                    return_to,
                    ..NewEmail::to(OutboxKind::Invitation, email.as_str())
                },
            )
            .await?;
        audit::record(
            &transaction,
            self.clock.now(),
            Action::Invited,
            None,
            Some(serde_json::json!({ "email": email.as_str() })),
        )
        .await?;
        transaction.commit().await?;
        self.after_enqueue(enqueued, OutboxKind::Invitation);
        Ok(())
    }

    /// What the invitation behind `token` opens.
    ///
    /// # Errors
    /// [`AccountsError::Link`] for a link that is not a valid invitation or has expired;
    /// [`AccountsError::SignupClosed`]; database errors.
    pub(crate) async fn inspect_invitation(
        &self,
        token: &LinkToken,
    ) -> Result<InvitationView, AccountsError> {
        let email = self.invited_address(token)?;
        Ok(
            match self.find_user(&self.db, UserKey::Email(&email)).await? {
                Some(_) => InvitationView::AccountExists { email },
                None => InvitationView::Open { email },
            },
        )
    }

    /// Creates the invited address's account, confirmed, with `password`, in `language`.
    ///
    /// # Errors
    /// As [`Self::inspect_invitation`]; [`AccountsError::Busy`] when the hasher's queue
    /// is full.
    pub(crate) async fn accept_invitation(
        &self,
        token: &LinkToken,
        password: &NewPassword,
        language: Language,
    ) -> Result<InvitationAcceptance, AccountsError> {
        let email = self.invited_address(token)?;
        let password_hash = self.hasher.hash(password.expose()).await?;
        let transaction = crate::db::begin_write(&self.db).await?;
        let now = self.clock.now();
        let inserted = User::insert(users::ActiveModel {
            email: Set(email.as_str().to_owned()),
            email_normalized: Set(email.normalized()),
            email_domain: Set(email.domain()),
            password_hash: Set(password_hash),
            created_at: Set(now),
            confirmed_at: Set(Some(now)),
            locale: Set(Some(language.tag().to_owned())),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([users::Column::EmailNormalized])
        .exec(&transaction)
        .await?;
        let TryInsertResult::Inserted(result) = inserted else {
            return Ok(InvitationAcceptance::AccountExists { email });
        };
        let user_id = result.last_insert_id;
        let account = AccountData {
            user_id,
            email: email.as_str().to_owned(),
            locale: Some(language.tag().to_owned()),
        };
        self.tell(&transaction, AccountEvent::Registered(account.clone()))
            .await?;
        self.tell(&transaction, AccountEvent::Confirmed(account))
            .await?;
        transaction.commit().await?;
        self.metrics.signup();
        Ok(InvitationAcceptance::Created(SessionGrant {
            user_id,
            credential_version: 0,
        }))
    }

    /// The address an invitation token was minted for, if it may still be used.
    fn invited_address(&self, token: &LinkToken) -> Result<Email, AccountsError> {
        self.refuse_when_closed()?;
        let problem = |problem| AccountsError::Link(Purpose::Invite, problem);
        let verified = match self.tokens.verify(token, Purpose::Invite) {
            Ok(verified) => verified,
            Err(TokenError::Expired(verified)) => {
                let email =
                    Email::parse(&verified.email).map_err(|_| problem(LinkProblem::Invalid))?;
                return Err(problem(LinkProblem::Expired { email }));
            }
            Err(TokenError::Invalid) => return Err(problem(LinkProblem::Invalid)),
        };
        Email::parse(&verified.email).map_err(|_| problem(LinkProblem::Invalid))
    }

    fn refuse_when_closed(&self) -> Result<(), AccountsError> {
        if self.rules.signup == SignupMode::Closed {
            return Err(AccountsError::SignupClosed);
        }
        Ok(())
    }
}
