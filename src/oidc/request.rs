//! An authorization request (OpenID Connect Core §3.1.2.1), parsed once at the edge into
//! a typed request that refuses what OAuth 2.1 and RFC 9700 forbid: any response type but
//! `code`, `plain` PKCE, a public client without PKCE, a redirect URI not registered
//! exactly. Until the client and its redirect URI are verified, nothing is redirected.

use std::collections::BTreeSet;
use std::fmt;

use super::OidcError;
use super::clients::Client;

/// The scopes the provider knows; any other asked for is ignored.
pub(crate) const SUPPORTED_SCOPES: [&str; 4] = ["openid", "email", "profile", "offline_access"];

/// The parameters as sent, in the query of a `GET` or the form of a `POST`.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub(crate) struct AuthorizationParams {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) response_type: String,
    pub(crate) scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) nonce: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) code_challenge: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) code_challenge_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) prompt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_age: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) login_hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ui_locales: Option<String>,
}

/// A set of supported scopes, written space-separated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Scope(BTreeSet<&'static str>);

impl Scope {
    /// The supported scopes in a space-separated list; others are dropped.
    pub(crate) fn parse(raw: &str) -> Self {
        Self(
            raw.split_whitespace()
                .filter_map(|asked| {
                    SUPPORTED_SCOPES
                        .iter()
                        .copied()
                        .find(|known| *known == asked)
                })
                .collect(),
        )
    }

    pub(crate) fn contains(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }

    /// Every scope of `self` is in `granted`.
    pub(crate) fn within(&self, granted: &Scope) -> bool {
        self.0.is_subset(&granted.0)
    }

    pub(crate) fn union(&self, other: &Scope) -> Scope {
        Scope(self.0.union(&other.0).copied().collect())
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scopes: Vec<&str> = self.0.iter().copied().collect();
        f.write_str(&scopes.join(" "))
    }
}

/// The `prompt` values (OpenID Connect Core, Initiating User Registration 1.0 for
/// `create`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Prompt {
    pub(crate) none: bool,
    pub(crate) login: bool,
    pub(crate) consent: bool,
    pub(crate) create: bool,
}

/// A request whose client and redirect URI are verified: anything wrong from here on goes
/// back to the client.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizationRequest {
    pub(crate) client: Client,
    pub(crate) redirect_uri: String,
    pub(crate) scope: Scope,
    pub(crate) state: Option<String>,
    pub(crate) nonce: Option<String>,
    pub(crate) code_challenge: Option<String>,
    pub(crate) prompt: Prompt,
    pub(crate) max_age: Option<i64>,
    pub(crate) login_hint: Option<String>,
    pub(crate) ui_locales: Option<String>,
    params: AuthorizationParams,
}

/// Where an authorization error is answered: at Doorman (an unknown client or redirect
/// URI: never a redirect), or back at the client's verified redirect URI.
#[derive(Debug)]
pub(crate) struct AuthorizeFailure {
    pub(crate) error: OidcError,
    pub(crate) back_to: Option<VerifiedRedirect>,
}

/// A redirect URI registered for the client, with the request's `state`.
#[derive(Debug, Clone)]
pub(crate) struct VerifiedRedirect {
    pub(crate) redirect_uri: String,
    pub(crate) state: Option<String>,
}

impl AuthorizationRequest {
    /// Parses `params` for `client` (`None`: no client has that id).
    ///
    /// # Errors
    /// The problem, and where it may be answered.
    pub(crate) fn parse(
        params: AuthorizationParams,
        client: Option<Client>,
    ) -> Result<Self, AuthorizeFailure> {
        let at_doorman = |error| AuthorizeFailure {
            error,
            back_to: None,
        };
        let client = client.ok_or_else(|| at_doorman(OidcError::UnknownClient))?;
        if !client.redirect_uris.contains(&params.redirect_uri) {
            return Err(at_doorman(OidcError::UnregisteredRedirectUri));
        }
        let back = VerifiedRedirect {
            redirect_uri: params.redirect_uri.clone(),
            state: params.state.clone(),
        };
        let refuse = |error| AuthorizeFailure {
            error,
            back_to: Some(back.clone()),
        };
        if params.response_type != "code" {
            return Err(refuse(OidcError::UnsupportedResponseType));
        }
        let scope = Scope::parse(&params.scope);
        if !scope.contains("openid") {
            return Err(refuse(OidcError::InvalidScope));
        }
        let code_challenge = match (
            params.code_challenge.as_deref(),
            params.code_challenge_method.as_deref(),
        ) {
            (None, None) if client.is_public() => {
                return Err(refuse(OidcError::InvalidRequest(
                    "a public client must send a PKCE code_challenge (S256)",
                )));
            }
            (None, None) => None,
            (Some(challenge), Some("S256")) if is_s256_challenge(challenge) => {
                Some(challenge.to_owned())
            }
            (Some(_), Some("S256")) => {
                return Err(refuse(OidcError::InvalidRequest(
                    "code_challenge is not the base64url of a SHA-256 digest",
                )));
            }
            _ => {
                return Err(refuse(OidcError::InvalidRequest(
                    "code_challenge_method must be S256, with a code_challenge",
                )));
            }
        };
        let prompt = parse_prompt(params.prompt.as_deref()).ok_or_else(|| {
            refuse(OidcError::InvalidRequest(
                "prompt takes none alone, or login, consent and create",
            ))
        })?;
        let max_age =
            match params.max_age.as_deref() {
                None | Some("") => None,
                Some(raw) => Some(raw.parse::<u32>().map(i64::from).map_err(|_| {
                    refuse(OidcError::InvalidRequest("max_age must be whole seconds"))
                })?),
            };
        Ok(Self {
            redirect_uri: params.redirect_uri.clone(),
            scope,
            state: params.state.clone(),
            nonce: params.nonce.clone(),
            code_challenge,
            prompt,
            max_age,
            login_hint: params.login_hint.clone(),
            ui_locales: params.ui_locales.clone(),
            client,
            params,
        })
    }

    /// Where errors and the code go.
    pub(crate) fn back_to(&self) -> VerifiedRedirect {
        VerifiedRedirect {
            redirect_uri: self.redirect_uri.clone(),
            state: self.state.clone(),
        }
    }

    /// This request as a path at Doorman, to come back to after logging in or signing up
    /// (it travels as `return_to`, through the email too). Without `login` and `create`
    /// in `prompt`: those asked for what the detour just did.
    pub(crate) fn resume_path(&self) -> String {
        let mut params = self.params.clone();
        params.prompt = params.prompt.as_deref().and_then(|prompt| {
            let kept: Vec<&str> = prompt
                .split_whitespace()
                .filter(|value| !matches!(*value, "login" | "create"))
                .collect();
            (!kept.is_empty()).then(|| kept.join(" "))
        });
        let query = serde_urlencoded::to_string(&params).unwrap_or_default();
        format!("/oauth2/authorize?{query}")
    }

    /// The request's parameters, for the consent form's hidden fields.
    pub(crate) fn params(&self) -> &AuthorizationParams {
        &self.params
    }
}

/// `prompt`, or `None` when it holds an unknown value or `none` beside another.
fn parse_prompt(raw: Option<&str>) -> Option<Prompt> {
    let mut prompt = Prompt::default();
    let mut count = 0;
    for value in raw.unwrap_or_default().split_whitespace() {
        count += 1;
        match value {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            "create" => prompt.create = true,
            _ => return None,
        }
    }
    (!prompt.none || count == 1).then_some(prompt)
}

/// An S256 challenge is the base64url, unpadded, of 32 bytes: 43 characters.
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_keep_the_supported_ones_in_one_order() {
        let scope = Scope::parse("email  openid unknown offline_access openid");
        assert_eq!(scope.to_string(), "email offline_access openid");
        assert!(Scope::parse("openid").within(&scope));
        assert!(!Scope::parse("openid profile").within(&scope));
    }

    #[test]
    fn prompt_none_stands_alone() {
        assert_eq!(
            parse_prompt(Some("login consent")),
            Some(Prompt {
                login: true,
                consent: true,
                ..Prompt::default()
            })
        );
        assert!(parse_prompt(Some("none")).is_some_and(|prompt| prompt.none));
        assert_eq!(parse_prompt(Some("none login")), None);
        assert_eq!(parse_prompt(Some("select_account")), None);
        assert_eq!(parse_prompt(None), Some(Prompt::default()));
    }
}
