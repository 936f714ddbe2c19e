use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// An email address we are willing to store and send to: trimmed, at most 254 characters,
/// one `@`, a dotted domain, no whitespace, control characters or characters that would
/// need quoting in a mail header. A domain that is not plain ASCII is normalised here,
/// where the address enters, to its ASCII form (NFKC, then UTS #46 / IDNA): `x@ｅxample.com`,
/// `x@bücher.example` and `x@xn--bcher-kva.example` are one address, one account and one
/// mail cap, and every header that carries it is ASCII.
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailRejection {
    // For logs; a person reads `Localize::localize`.
    #[error("no address given")]
    Missing,
    #[error("address longer than 254 characters")]
    TooLong,
    #[error("not an address")]
    Malformed,
    #[error("a domain that may not sign up")]
    NotAllowed,
}

impl crate::i18n::Localize for EmailRejection {
    fn localize(&self) -> String {
        crate::i18n::t(match self {
            EmailRejection::Missing => "email-missing",
            EmailRejection::TooLong => "email-too-long",
            EmailRejection::Malformed => "email-invalid",
            EmailRejection::NotAllowed => "email-not-allowed",
        })
    }
}

const MAX_LENGTH: usize = 254;
const MAX_LOCAL_PART_LENGTH: usize = 64;

impl Email {
    /// # Errors
    /// Why the text is not an address we accept.
    pub fn parse(raw: &str) -> Result<Self, EmailRejection> {
        let email = raw.trim();
        if email.is_empty() {
            return Err(EmailRejection::Missing);
        }
        // Counted after lowercasing too: some letters lowercase to two (`İ` to `i̇`), and the
        // lowercase form is what the unique index stores.
        if email.chars().count() > MAX_LENGTH || email.to_lowercase().chars().count() > MAX_LENGTH {
            return Err(EmailRejection::TooLong);
        }
        let (local, typed_domain) = email.split_once('@').ok_or(EmailRejection::Malformed)?;
        let domain = if typed_domain.is_ascii() {
            typed_domain.to_owned()
        } else {
            let composed: String = typed_domain.nfkc().collect();
            idna::domain_to_ascii(&composed).map_err(|_| EmailRejection::Malformed)?
        };
        let domain = domain.as_str();
        let local_ok = !local.is_empty()
            && local.len() <= MAX_LOCAL_PART_LENGTH
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !(local_ok && domain_ok) {
            return Err(EmailRejection::Malformed);
        }
        let email = format!("{local}@{domain}");
        if email.chars().count() > MAX_LENGTH {
            return Err(EmailRejection::TooLong);
        }
        // What we store must also be what the mailer can address.
        email
            .parse::<lettre::Address>()
            .map_err(|_| EmailRejection::Malformed)?;
        Ok(Self(email))
    }

    /// An address read back from the database: it was parsed when it was stored, and
    /// re-parsing it would turn a later tightening of the rules into lost accounts.
    pub(super) fn from_stored(address: String) -> Self {
        Self(address)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Addresses are unique without regard to case; this is the form the unique index holds.
    /// The domain of [`Self::normalized`]: what an `@domain` search of the console matches.
    pub fn domain(&self) -> String {
        let normalized = self.normalized();
        normalized
            .rsplit_once('@')
            .map(|(_, domain)| domain.to_owned())
            .unwrap_or_default()
    }

    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    /// Logs show the domain only: a full address is personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self.0.split('@').nth(1).unwrap_or_default();
        write!(f, "Email(…@{domain})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_trims_them() {
        for valid in [
            "ada@example.com",
            "  ada@example.com\t",
            "first.last+tag@mail.example.co.uk",
            "o'brien@example.ie",
            "jörg@bücher.example",
        ] {
            assert!(Email::parse(valid).is_ok(), "{valid:?} should be accepted");
        }
        assert_eq!(
            Email::parse(" Ada@Example.com ").unwrap().as_str(),
            "Ada@Example.com"
        );
        assert_eq!(
            Email::parse("Ada@Example.com").unwrap().normalized(),
            "ada@example.com"
        );
    }

    #[test]
    fn refuses_what_cannot_be_an_address() {
        let cases = [
            ("empty", "", EmailRejection::Missing),
            ("only spaces", "   ", EmailRejection::Missing),
            ("no at sign", "ada.example.com", EmailRejection::Malformed),
            ("no domain", "ada@", EmailRejection::Malformed),
            (
                "undotted domain",
                "ada@localhost",
                EmailRejection::Malformed,
            ),
            ("no local part", "@example.com", EmailRejection::Malformed),
            ("two at signs", "a@b@example.com", EmailRejection::Malformed),
            (
                "inner space",
                "ada lovelace@example.com",
                EmailRejection::Malformed,
            ),
            (
                "CR LF header injection",
                "ada@example.com\r\nBcc: x@evil.com",
                EmailRejection::Malformed,
            ),
            ("NUL", "ada\0@example.com", EmailRejection::Malformed),
            (
                "angle brackets",
                "<ada@example.com>",
                EmailRejection::Malformed,
            ),
            ("HTML", "<script>@example.com", EmailRejection::Malformed),
            (
                "comma list",
                "a@example.com,b@example.com",
                EmailRejection::Malformed,
            ),
            ("double dot", "a..b@example.com", EmailRejection::Malformed),
            (
                "leading hyphen label",
                "a@-example.com",
                EmailRejection::Malformed,
            ),
            (
                "255 characters",
                &format!("{}@example.com", "a".repeat(243)),
                EmailRejection::TooLong,
            ),
            (
                "160 characters that lowercase to 310 (İ becomes i and a combining dot)",
                &format!("a@{}.com", vec!["İ".repeat(30); 5].join(".")),
                EmailRejection::TooLong,
            ),
            (
                "65-char local part",
                &format!("{}@example.com", "a".repeat(65)),
                EmailRejection::Malformed,
            ),
        ];
        for (description, input, expected) in cases {
            assert_eq!(Email::parse(input), Err(expected), "{description}");
        }
    }

    #[test]
    fn look_alike_domains_name_one_address() {
        let ascii = Email::parse("x@xn--bcher-kva.example").unwrap();
        for look_alike in [
            "x@bücher.example",
            "x@BÜCHER.example",
            "x@xn--BCHER-kva.example",
            "x@bu\u{308}cher.example",
        ] {
            assert_eq!(
                Email::parse(look_alike).unwrap().normalized(),
                ascii.normalized(),
                "{look_alike}"
            );
        }
        let fullwidth = Email::parse("x@ｅｘａｍｐｌｅ.com").unwrap();
        assert_eq!(fullwidth.as_str(), "x@example.com");
        assert!(
            Email::parse("x@bücher.example")
                .unwrap()
                .as_str()
                .is_ascii()
        );
    }

    #[test]
    fn debug_output_hides_the_local_part() {
        let email = Email::parse("ada@example.com").unwrap();
        assert_eq!(format!("{email:?}"), "Email(…@example.com)");
    }
}
