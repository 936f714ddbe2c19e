//! Account events for the application behind Doorman (SPEC §10): one enum, its data
//! carried by each variant, serialized here and nowhere else. The accounts domain raises
//! them inside the transaction of the change; the outbox stores and delivers them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::entities::users;

/// What every event says of the account. `locale` is the language it signed up in, so
/// the application can write to the person in it too; accounts from before languages
/// were recorded have none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct AccountData {
    pub(crate) user_id: i64,
    pub(crate) email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) locale: Option<String>,
}

impl AccountData {
    /// The account as it is in `user`.
    pub(crate) fn of(user: &users::Model) -> Self {
        Self {
            user_id: user.id,
            email: user.email.clone(),
            locale: user.locale.clone(),
        }
    }
}

/// What happened to an account. No token, hash or password is ever part of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "data")]
pub(crate) enum AccountEvent {
    #[serde(rename = "user.registered")]
    Registered(AccountData),
    #[serde(rename = "user.confirmed")]
    Confirmed(AccountData),
    /// `account.email` is the new address.
    #[serde(rename = "user.email_changed")]
    EmailChanged {
        #[serde(flatten)]
        account: AccountData,
        previous_email: String,
    },
    #[serde(rename = "user.password_changed")]
    PasswordChanged(AccountData),
    #[serde(rename = "user.deleted")]
    Deleted(AccountData),
}

/// The body of a delivery: `{"type", "data", "timestamp"}`.
#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(flatten)]
    event: &'a AccountEvent,
    timestamp: String,
}

impl AccountEvent {
    /// The event's `type`, as receivers filter on it.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            AccountEvent::Registered(_) => "user.registered",
            AccountEvent::Confirmed(_) => "user.confirmed",
            AccountEvent::EmailChanged { .. } => "user.email_changed",
            AccountEvent::PasswordChanged(_) => "user.password_changed",
            AccountEvent::Deleted(_) => "user.deleted",
        }
    }

    pub(crate) fn account(&self) -> &AccountData {
        match self {
            AccountEvent::Registered(account)
            | AccountEvent::Confirmed(account)
            | AccountEvent::EmailChanged { account, .. }
            | AccountEvent::PasswordChanged(account)
            | AccountEvent::Deleted(account) => account,
        }
    }

    /// The JSON body delivered to `WEBHOOK_URL`, stamped with `at`.
    pub(crate) fn body(&self, at: DateTime<Utc>) -> String {
        serde_json::to_string(&Envelope {
            event: self,
            timestamp: at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        })
        .expect("an event of strings and numbers always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> AccountData {
        AccountData {
            user_id: 7,
            email: "ada@example.com".to_owned(),
            locale: Some("de".to_owned()),
        }
    }

    #[test]
    fn bodies_carry_the_type_a_timestamp_and_the_data() {
        let body = AccountEvent::Confirmed(ada()).body(Utc::now());
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["type"], "user.confirmed");
        assert_eq!(parsed["data"]["user_id"], 7);
        assert_eq!(parsed["data"]["email"], "ada@example.com");
        assert_eq!(parsed["data"]["locale"], "de");
        assert!(parsed["timestamp"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn an_address_change_names_both_addresses_and_absent_languages_are_left_out() {
        let event = AccountEvent::EmailChanged {
            account: AccountData {
                locale: None,
                ..ada()
            },
            previous_email: "old@example.com".to_owned(),
        };
        let parsed: serde_json::Value = serde_json::from_str(&event.body(Utc::now())).unwrap();
        assert_eq!(parsed["type"], event.name());
        assert_eq!(parsed["data"]["previous_email"], "old@example.com");
        assert_eq!(parsed["data"]["email"], "ada@example.com");
        assert!(parsed["data"].get("locale").is_none());
    }
}
