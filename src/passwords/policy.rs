//! The password policy of NIST SP 800-63B-4 for a password that is the only factor: length
//! counts, composition rules do not, and known-breached choices are refused.

use std::collections::HashSet;
use std::sync::LazyLock;

use secrecy::{ExposeSecret, SecretString};
use unicode_normalization::UnicodeNormalization;

pub(super) const MAX_LENGTH: usize = 128;

static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .filter(|line| !line.is_empty())
        .collect()
});

/// Why a new password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejection {
    // For logs; a person reads `Localize::localize`.
    #[error("shorter than {min} characters")]
    TooShort { min: usize },
    #[error("longer than {MAX_LENGTH} characters")]
    TooLong,
    #[error("contains control characters")]
    ControlCharacters,
    #[error("one of the most common passwords")]
    Common,
    #[error("the same as the email address")]
    IsEmail,
}

impl crate::i18n::Localize for PasswordRejection {
    fn localize(&self) -> String {
        use crate::i18n::{t, t1};
        match self {
            PasswordRejection::TooShort { min } => t1("password-too-short", "min", min),
            PasswordRejection::TooLong => t1("password-too-long", "max", MAX_LENGTH),
            PasswordRejection::ControlCharacters => t("password-control"),
            PasswordRejection::Common => t("password-common"),
            PasswordRejection::IsEmail => t("password-is-email"),
        }
    }
}

/// A password that meets the policy, normalised to NFC so that the same characters typed
/// on another keyboard hash the same.
#[derive(Clone, Debug)]
pub struct NewPassword(SecretString);

impl NewPassword {
    /// # Errors
    /// The first rule the password breaks.
    pub fn parse(
        raw: &str,
        owner_email: &str,
        min_length: usize,
    ) -> Result<Self, PasswordRejection> {
        let normalized: String = raw.nfc().collect();
        let length = normalized.chars().count();
        if length > MAX_LENGTH {
            return Err(PasswordRejection::TooLong);
        }
        if length < min_length {
            return Err(PasswordRejection::TooShort { min: min_length });
        }
        // Tabs, line breaks, NUL and the like cannot be typed into a password field the
        // same way twice; they are a sign of a bot or a paste gone wrong (SPEC §7).
        if normalized.chars().any(char::is_control) {
            return Err(PasswordRejection::ControlCharacters);
        }
        let lowered = normalized.to_lowercase();
        if COMMON_PASSWORDS.contains(lowered.as_str()) {
            return Err(PasswordRejection::Common);
        }
        let owner_email = owner_email.to_lowercase();
        let local_part = owner_email.split('@').next().unwrap_or_default();
        if lowered == owner_email || lowered == local_part {
            return Err(PasswordRejection::IsEmail);
        }
        Ok(Self(normalized.into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// A password typed to prove who someone is. Only its length is checked: an empty or
/// over-long one can never match, so it is answered like a wrong password without any
/// hashing work spent on it.
#[derive(Clone, Debug)]
pub struct PasswordAttempt(Option<SecretString>);

impl PasswordAttempt {
    pub fn parse(raw: &str) -> Self {
        let normalized: String = raw.nfc().collect();
        let length = normalized.chars().count();
        Self(
            (1..=MAX_LENGTH)
                .contains(&length)
                .then(|| normalized.into()),
        )
    }

    /// The attempt, if it could be a password at all.
    pub fn plausible(&self) -> Option<&str> {
        self.0.as_ref().map(ExposeSecret::expose_secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "Ada.Lovelace@example.com";

    #[test]
    fn refuses_each_rule_with_its_reason() {
        let cases = [
            (
                "short",
                "fourteen chars",
                PasswordRejection::TooShort { min: 15 },
            ),
            ("too long", &"x".repeat(129), PasswordRejection::TooLong),
            (
                "common, any case",
                "PasswordPassword",
                PasswordRejection::Common,
            ),
            (
                "the email",
                "ada.lovelace@example.com",
                PasswordRejection::IsEmail,
            ),
            ("the local part", "ADA.LOVELACE", PasswordRejection::IsEmail),
            (
                "control characters",
                "\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{b}\u{c}\u{e}\u{f}\u{10}\u{11}\u{12}",
                PasswordRejection::ControlCharacters,
            ),
            (
                "a line break inside",
                "correct horse\nbattery staple",
                PasswordRejection::ControlCharacters,
            ),
        ];
        for (description, password, expected) in cases {
            let min = if description == "the local part" {
                8
            } else {
                15
            };
            assert_eq!(
                NewPassword::parse(password, EMAIL, min).unwrap_err(),
                expected,
                "{description}"
            );
        }
    }

    #[test]
    fn accepts_passphrases_without_composition_rules() {
        assert!(NewPassword::parse("purple monkey dishwasher", EMAIL, 15).is_ok());
        assert!(NewPassword::parse(&"x".repeat(128), EMAIL, 15).is_ok());
    }

    #[test]
    fn counts_unicode_characters_after_nfc() {
        // "é" as e + combining accent is two code points before NFC, one after.
        let decomposed = "e\u{301}".repeat(15);
        let password = NewPassword::parse(&decomposed, EMAIL, 15).unwrap();
        assert_eq!(password.expose(), "\u{e9}".repeat(15));
        assert!(NewPassword::parse(&"e\u{301}".repeat(14), EMAIL, 15).is_err());
    }

    #[test]
    fn attempts_are_bounded_before_hashing() {
        assert!(PasswordAttempt::parse("").plausible().is_none());
        assert!(
            PasswordAttempt::parse(&"x".repeat(129))
                .plausible()
                .is_none()
        );
        assert!(PasswordAttempt::parse("anything").plausible().is_some());
    }

    #[test]
    fn the_shipped_list_is_loaded() {
        assert!(COMMON_PASSWORDS.len() > 10_000);
        assert!(COMMON_PASSWORDS.contains("password1"));
    }
}
