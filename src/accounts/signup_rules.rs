//! Who may sign up (SPEC §16): the sign-up mode and the rules an address's domain must
//! pass. The address rules are applied where an address is parsed for a new account, an
//! invitation or an address change, before anything looks at the database, so a refusal
//! says nothing about whether the address has an account.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::{Email, EmailRejection};
use crate::config::HostPattern;

/// `SIGNUP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignupMode {
    /// Anyone may sign up.
    #[default]
    Open,
    /// Only with an invitation.
    Invite,
    /// Nobody signs up; operators, the CLI and imports still create accounts.
    Closed,
}

/// `SIGNUP_ALLOWED_DOMAINS`, `SIGNUP_BLOCKED_DOMAINS` and `SIGNUP_BLOCK_DISPOSABLE`.
#[derive(Debug, Clone)]
pub struct AddressRules {
    /// Empty: any domain.
    pub allowed: Vec<HostPattern>,
    pub blocked: Vec<HostPattern>,
    pub block_disposable: bool,
}

impl Default for AddressRules {
    fn default() -> Self {
        Self {
            allowed: Vec::new(),
            blocked: Vec::new(),
            block_disposable: true,
        }
    }
}

/// The shipped list (`data/README.md` names its source and licence).
static DISPOSABLE_DOMAINS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/disposable-domains.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Whether `domain` or a domain above it is on the shipped list.
fn is_disposable(domain: &str) -> bool {
    let mut rest = domain;
    loop {
        if DISPOSABLE_DOMAINS.contains(rest) {
            return true;
        }
        match rest.split_once('.') {
            Some((_, parent)) if parent.contains('.') => rest = parent,
            _ => return false,
        }
    }
}

impl AddressRules {
    /// Parses `raw` as an address a new account may have.
    ///
    /// # Errors
    /// Why it is not an address, or [`EmailRejection::NotAllowed`] when its domain is not
    /// one that may sign up.
    pub(crate) fn parse(&self, raw: &str) -> Result<Email, EmailRejection> {
        let email = Email::parse(raw)?;
        if self.admits(&email) {
            Ok(email)
        } else {
            Err(EmailRejection::NotAllowed)
        }
    }

    fn admits(&self, email: &Email) -> bool {
        // The ASCII form of the domain, as stored: a look-alike spelling cannot slip by.
        let domain = email.domain();
        let listed = |patterns: &[HostPattern]| patterns.iter().any(|p| p.matches(&domain));
        (self.allowed.is_empty() || listed(&self.allowed))
            && !listed(&self.blocked)
            && !(self.block_disposable && is_disposable(&domain))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(allowed: &[&str], blocked: &[&str], block_disposable: bool) -> AddressRules {
        let patterns = |list: &[&str]| {
            list.iter()
                .map(|pattern| HostPattern::parse(pattern).unwrap())
                .collect()
        };
        AddressRules {
            allowed: patterns(allowed),
            blocked: patterns(blocked),
            block_disposable,
        }
    }

    #[test]
    fn allowed_and_blocked_domains_match_exactly_or_below_a_wildcard() {
        let company = rules(
            &["example.com", "*.example.org"],
            &["bad.example.org"],
            false,
        );
        for (address, admitted) in [
            ("ada@example.com", true),
            ("ada@EXAMPLE.COM", true),
            ("ada@sub.example.com", false),
            ("ada@team.example.org", true),
            ("ada@example.org", false),
            ("ada@bad.example.org", false),
            ("ada@evilexample.com", false),
            ("ada@gmail.com", false),
        ] {
            assert_eq!(company.parse(address).is_ok(), admitted, "{address}");
        }
    }

    #[test]
    fn disposable_domains_and_their_subdomains_are_refused_when_asked() {
        let strict = rules(&[], &[], true);
        for address in [
            "x@mailinator.com",
            "x@MAILINATOR.com",
            "x@inbox.mailinator.com",
            "x@yopmail.com",
        ] {
            assert_eq!(
                strict.parse(address),
                Err(EmailRejection::NotAllowed),
                "{address}"
            );
        }
        assert!(strict.parse("x@example.com").is_ok());
        assert!(rules(&[], &[], false).parse("x@mailinator.com").is_ok());
    }

    #[test]
    fn an_address_that_is_not_one_is_refused_as_such_first() {
        let strict = rules(&["example.com"], &[], true);
        assert_eq!(
            strict.parse("not an address"),
            Err(EmailRejection::Malformed)
        );
    }

    #[test]
    fn a_look_alike_domain_is_judged_by_its_ascii_form() {
        let blocked = rules(&[], &["xn--bcher-kva.example"], false);
        assert_eq!(
            blocked.parse("x@bücher.example"),
            Err(EmailRejection::NotAllowed)
        );
    }
}
