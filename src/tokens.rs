//! Signed one-time links (SPEC §5).
//!
//! A token is a JWT signed with HS256 under the current key (named in `kid`). It carries a
//! fingerprint (`fp`) of the account state its action changes. The action changes that state,
//! so the fingerprint stops matching and the link is spent: single use without storing
//! tokens anywhere.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Header, Validation};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::keys::{DerivedKeys, Keyring};

/// jsonwebtoken's default of 60 s would stretch every lifetime; a little covers clock skew
/// between instances.
const LEEWAY_SECONDS: i64 = 2;

/// Longer input is not a token we issued; refusing it early bounds the work per request.
const MAX_TOKEN_LENGTH: usize = 2048;

/// What a token lets its holder do. A token is only accepted on its own route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Confirm,
    Reset,
    EmailChange,
    /// Signing in with an emailed link (SPEC §14).
    Login,
    /// An invitation to create an account (SPEC §16); its subject is the invitation
    /// email's outbox row, not an account.
    Invite,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::Confirm => "confirm",
            Purpose::Reset => "reset",
            Purpose::EmailChange => "email_change",
            Purpose::Login => "login",
            Purpose::Invite => "invite",
        }
    }

    /// What the six-digit code of an email of this purpose is derived under; only
    /// confirmation and sign-in emails carry one.
    fn code_label(self) -> &'static [u8] {
        match self {
            Purpose::Login => b"login code",
            _ => b"confirm code",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Claims {
    sub: String,
    purpose: Purpose,
    email: String,
    iat: i64,
    exp: i64,
    fp: String,
}

/// A minted token: only ever written into an email, never printed.
#[derive(Debug)]
pub struct SecretToken(SecretString);

impl SecretToken {
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// A token as it arrived in a link or a form, before any check but its length: anything
/// longer than [`MAX_TOKEN_LENGTH`] is not one we issued, and refusing it here bounds the
/// work per request. Never printed.
#[derive(Debug)]
pub struct LinkToken(SecretString);

impl LinkToken {
    /// `None` for text too long to be one of our tokens.
    pub fn parse(raw: &str) -> Option<Self> {
        (raw.len() <= MAX_TOKEN_LENGTH).then(|| Self(raw.into()))
    }

    pub fn as_str(&self) -> &str {
        self.0.expose_secret()
    }
}

/// A six-digit code beside a confirmation or sign-in link (SPEC §9, §14). Derived from the
/// current key, the purpose, the account and the outbox row of the email that carries it,
/// so nothing secret is stored; never printed.
#[derive(Debug)]
pub(crate) struct EmailedCode(SecretBox<u32>);

impl EmailedCode {
    fn new(number: u32) -> Self {
        Self(SecretBox::new(Box::new(number)))
    }

    /// The six digits, for the email.
    pub(crate) fn digits(&self) -> String {
        format!("{:06}", self.0.expose_secret())
    }
}

/// A code as someone typed it: six digits, spaces and dashes ignored. `None` for anything
/// else, which can never be right.
#[derive(Debug)]
pub(crate) struct CodeAttempt(Option<SecretBox<u32>>);

impl CodeAttempt {
    pub(crate) fn parse(raw: &str) -> Self {
        let digits: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let valid = digits.len() == 6 && digits.bytes().all(|byte| byte.is_ascii_digit());
        let number = valid.then(|| digits.parse::<u32>().ok()).flatten();
        Self(number.map(|number| SecretBox::new(Box::new(number))))
    }
}

/// The claims of a token whose signature and purpose were checked.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub user_id: i64,
    pub email: String,
    fingerprint: String,
    key_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Not one of ours: malformed, tampered, another algorithm, an unknown key or another
    /// purpose. The page says "this link is not valid".
    #[error("the token is not valid")]
    Invalid,
    /// Genuine but past its lifetime; the claims let the page prefill a resend form.
    #[error("the token has expired")]
    Expired(VerifiedToken),
}

#[derive(Clone)]
pub struct Tokens {
    keyring: Keyring,
    clock: Clock,
}

impl Tokens {
    /// Tokens on the system clock.
    pub fn new(keyring: Keyring) -> Self {
        Self::with_clock(keyring, Clock::system())
    }

    pub fn with_clock(keyring: Keyring, clock: Clock) -> Self {
        Self { keyring, clock }
    }

    /// Signs a token for `user_id` whose fingerprint covers `state`, the values that the
    /// action behind the link will change.
    pub fn mint(
        &self,
        purpose: Purpose,
        user_id: i64,
        email: &str,
        state: &[&str],
        lifetime: Duration,
    ) -> SecretToken {
        let keys = self.keyring.current();
        let now = self.clock.unix_now();
        let claims = Claims {
            sub: user_id.to_string(),
            purpose,
            email: email.to_owned(),
            iat: now,
            exp: now.saturating_add(lifetime.as_secs() as i64),
            fp: fingerprint(keys, purpose, user_id, state),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(keys.id().to_owned());
        let token = jsonwebtoken::encode(&header, &claims, &keys.encoding_key())
            .expect("HS256 signing of serializable claims cannot fail");
        SecretToken(token.into())
    }

    /// Checks the signature (HS256 only, current or previous key), the purpose and the
    /// lifetime.
    ///
    /// # Errors
    /// [`TokenError::Invalid`] for anything we did not issue for this purpose;
    /// [`TokenError::Expired`] for a genuine token past its lifetime.
    pub fn verify(&self, token: &LinkToken, purpose: Purpose) -> Result<VerifiedToken, TokenError> {
        let token = token.as_str();
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::HS256 {
            return Err(TokenError::Invalid);
        }
        let keys = header
            .kid
            .as_deref()
            .and_then(|kid| self.keyring.find(kid))
            .ok_or(TokenError::Invalid)?;
        let key = keys.decoding_key();

        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked below, after the signature, so an expired link can still say
        // which address it was for.
        validation.validate_exp = false;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|_| TokenError::Invalid)?
            .claims;

        let now = self.clock.unix_now();
        let user_id = claims.sub.parse::<i64>().map_err(|_| TokenError::Invalid)?;
        if claims.purpose != purpose || claims.iat > now + LEEWAY_SECONDS {
            return Err(TokenError::Invalid);
        }
        let verified = VerifiedToken {
            user_id,
            email: claims.email,
            fingerprint: claims.fp,
            key_id: keys.id().to_owned(),
        };
        if claims.exp + LEEWAY_SECONDS < now {
            return Err(TokenError::Expired(verified));
        }
        Ok(verified)
    }

    /// The code of the `purpose` email in outbox row `email_row` to `user_id`.
    pub(crate) fn emailed_code(
        &self,
        purpose: Purpose,
        user_id: i64,
        email_row: i64,
    ) -> EmailedCode {
        let (user_id, email_row) = (user_id.to_string(), email_row.to_string());
        let tag = self.keyring.current().code().tag(&[
            purpose.code_label(),
            user_id.as_bytes(),
            email_row.as_bytes(),
        ]);
        let number = u32::from_be_bytes([tag[0], tag[1], tag[2], tag[3]]);
        EmailedCode::new(number % 1_000_000)
    }

    /// True when `attempt` is the code of that email (one integer comparison: no timing to
    /// learn digits from).
    pub(crate) fn code_matches(
        &self,
        purpose: Purpose,
        user_id: i64,
        email_row: i64,
        attempt: &CodeAttempt,
    ) -> bool {
        attempt.0.as_ref().is_some_and(|typed| {
            typed.expose_secret()
                == self
                    .emailed_code(purpose, user_id, email_row)
                    .0
                    .expose_secret()
        })
    }

    /// Now, on this clock: what code expiry is checked against.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(self.clock.unix_now(), 0).unwrap_or_default()
    }

    /// True while the account state is what it was when the token was minted.
    pub(crate) fn state_matches(
        &self,
        token: &VerifiedToken,
        purpose: Purpose,
        state: &[&str],
    ) -> bool {
        let Some(keys) = self.keyring.find(&token.key_id) else {
            return false;
        };
        let Ok(tag) = URL_SAFE_NO_PAD.decode(&token.fingerprint) else {
            return false;
        };
        let user_id = token.user_id.to_string();
        keys.fingerprint()
            .verify(&fingerprint_parts(purpose, &user_id, state), &tag)
    }
}

fn fingerprint_parts<'a>(purpose: Purpose, user_id: &'a str, state: &[&'a str]) -> Vec<&'a [u8]> {
    let mut parts: Vec<&[u8]> = vec![purpose.label().as_bytes(), user_id.as_bytes()];
    parts.extend(state.iter().map(|value| value.as_bytes()));
    parts
}

fn fingerprint(keys: &DerivedKeys, purpose: Purpose, user_id: i64, state: &[&str]) -> String {
    let user_id = user_id.to_string();
    let tag = keys
        .fingerprint()
        .tag(&fingerprint_parts(purpose, &user_id, state));
    // 128 bits: the signature already authenticates it; this only has to tell states apart.
    URL_SAFE_NO_PAD.encode(&tag[..16])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;

    fn tokens_with(current: u8, previous: &[u8]) -> Tokens {
        let previous: Vec<SecretKey> = previous
            .iter()
            .map(|b| SecretKey::new(vec![*b; 32]))
            .collect();
        Tokens::new(Keyring::new(&SecretKey::new(vec![current; 32]), &previous))
    }

    const HOUR: Duration = Duration::from_secs(3600);

    /// Verifies text as a handler would: parsed into a [`LinkToken`] first.
    fn verify(tokens: &Tokens, text: &str, purpose: Purpose) -> Result<VerifiedToken, TokenError> {
        let token = LinkToken::parse(text).ok_or(TokenError::Invalid)?;
        tokens.verify(&token, purpose)
    }

    /// A confirmation link for user 7 at `a@example.com`, not yet confirmed.
    fn confirmation_for_user_7(tokens: &Tokens) -> SecretToken {
        tokens.mint(
            Purpose::Confirm,
            7,
            "a@example.com",
            &["a@example.com", ""],
            HOUR,
        )
    }

    /// A confirmation link for user 7, minted and verified under one key.
    fn verified_confirmation() -> (Tokens, SecretToken, VerifiedToken) {
        let tokens = tokens_with(1, &[]);
        let token = confirmation_for_user_7(&tokens);
        let verified = verify(&tokens, token.expose(), Purpose::Confirm).unwrap();
        (tokens, token, verified)
    }

    #[test]
    fn a_minted_token_verifies_for_its_purpose_only() {
        let (tokens, token, verified) = verified_confirmation();
        assert_eq!(verified.user_id, 7);
        assert_eq!(verified.email, "a@example.com");
        assert!(matches!(
            verify(&tokens, token.expose(), Purpose::Reset),
            Err(TokenError::Invalid)
        ));
    }

    #[test]
    fn the_fingerprint_tracks_the_state() {
        let (tokens, _, verified) = verified_confirmation();
        assert!(tokens.state_matches(&verified, Purpose::Confirm, &["a@example.com", ""]));
        assert!(!tokens.state_matches(&verified, Purpose::Confirm, &["a@example.com", "2026"]));
        assert!(!tokens.state_matches(&verified, Purpose::Confirm, &["a@example.co", "m"]));
    }

    #[test]
    fn previous_keys_verify_and_unknown_keys_do_not() {
        let old = tokens_with(1, &[]);
        let token = old.mint(Purpose::Confirm, 7, "a@example.com", &[], HOUR);
        let rotated = tokens_with(2, &[1]);
        let verified = verify(&rotated, token.expose(), Purpose::Confirm).unwrap();
        assert!(rotated.state_matches(&verified, Purpose::Confirm, &[]));
        let stranger = tokens_with(3, &[]);
        assert!(matches!(
            verify(&stranger, token.expose(), Purpose::Confirm),
            Err(TokenError::Invalid)
        ));
    }

    #[test]
    fn expired_tokens_still_name_their_address() {
        let tokens = tokens_with(1, &[]);
        let keys = tokens.keyring.current().clone();
        let now = tokens.clock.unix_now();
        let claims = Claims {
            sub: "7".into(),
            purpose: Purpose::Confirm,
            email: "a@example.com".into(),
            iat: now - 100,
            exp: now - 10,
            fp: fingerprint(&keys, Purpose::Confirm, 7, &[]),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(keys.id().to_owned());
        let token = jsonwebtoken::encode(&header, &claims, &keys.encoding_key()).unwrap();
        match verify(&tokens, &token, Purpose::Confirm) {
            Err(TokenError::Expired(verified)) => assert_eq!(verified.email, "a@example.com"),
            other => panic!("expected Expired, got {other:?}"),
        }
    }

    #[test]
    fn tampering_and_other_algorithms_are_refused() {
        let tokens = tokens_with(1, &[]);
        let token = tokens.mint(Purpose::Confirm, 7, "a@example.com", &[], HOUR);
        let text = token.expose();
        let (head, rest) = text.split_once('.').unwrap();
        let (_payload, signature) = rest.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(
            br#"{"sub":"8","purpose":"confirm","email":"b@example.com","iat":1,"exp":99999999999,"fp":"x"}"#,
        );
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let hs512_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS512","typ":"JWT"}"#);
        let candidates = [
            format!("{head}.{forged_payload}.{signature}"),
            format!("{none_header}.{forged_payload}."),
            format!("{hs512_header}.{forged_payload}.{signature}"),
            format!("{text}x"),
            "not-a-token".to_owned(),
            String::new(),
            "a".repeat(5000),
        ];
        for candidate in candidates {
            assert!(
                matches!(
                    verify(&tokens, &candidate, Purpose::Confirm),
                    Err(TokenError::Invalid)
                ),
                "{candidate} should be invalid"
            );
        }
    }

    #[test]
    fn tokens_never_print() {
        let tokens = tokens_with(1, &[]);
        let token = tokens.mint(Purpose::Confirm, 7, "a@example.com", &[], HOUR);
        let printed = format!("{token:?}");
        assert!(
            printed.contains("REDACTED") && !printed.contains(token.expose()),
            "{printed}"
        );
    }
}
