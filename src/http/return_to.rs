//! `return_to` (SPEC §10): where a person goes after logging in or confirming. Only a
//! path on this site, or an `http(s)` URL on `BASE_URL`'s host or one of
//! `ALLOWED_RETURN_HOSTS`, is followed; anything else is silently dropped (the person goes
//! to `/account`), never an error: a redirect parameter is where open-redirect phishing
//! starts, so the rules are strict and every place that redirects goes through here.

use crate::config::HostPattern;
use url::Url;

/// Longer values are not where anyone means to go.
const MAX_LENGTH: usize = 2048;

/// A destination that passed the rules; its text is what goes into `Location`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReturnTo(String);

impl ReturnTo {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// `?return_to=` on a page that carries it on in a hidden field, and `login_hint`, the
/// address an application (OpenID Connect) says the person will use.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct ReturnToQuery {
    pub(crate) return_to: String,
    pub(crate) login_hint: String,
}

/// `path`, carrying a checked `return_to` (empty for none) on to it: the login page's link
/// to sign up, and back.
pub(crate) fn carried(path: &str, return_to: &str) -> String {
    if return_to.is_empty() {
        return path.to_owned();
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("return_to", return_to)
        .finish();
    format!("{path}?{query}")
}

/// Where to send someone who just logged in or confirmed.
pub(crate) fn landing(return_to: Option<&ReturnTo>) -> &str {
    return_to.map_or("/account", ReturnTo::as_str)
}

/// A checked destination as a hidden field's value: empty for none.
pub(crate) fn hidden(return_to: Option<&ReturnTo>) -> String {
    return_to
        .map(|to| to.as_str().to_owned())
        .unwrap_or_default()
}

/// The rules, from `BASE_URL` and `ALLOWED_RETURN_HOSTS`.
#[derive(Debug, Clone)]
pub(crate) struct ReturnPolicy {
    /// `BASE_URL`'s origin (scheme, host and port), which a destination on its host must
    /// match whole: another port on the same host is another application.
    base_origin: url::Origin,
    https_only: bool,
    allowed_hosts: Vec<HostPattern>,
}

impl ReturnPolicy {
    pub(crate) fn new(base_url: &str, allowed_hosts: &[HostPattern]) -> Self {
        let base = Url::parse(base_url).expect("BASE_URL was checked at start-up");
        Self {
            base_origin: base.origin(),
            https_only: base.scheme() == "https",
            allowed_hosts: allowed_hosts.to_vec(),
        }
    }

    /// `raw` as a destination, if the rules allow it.
    pub(crate) fn accept(&self, raw: &str) -> Option<ReturnTo> {
        // Browsers drop tabs and newlines inside URLs and read `\` as `/`, so `/\t/evil`
        // and `/\evil` are `//evil` to them.
        if raw.is_empty()
            || raw.len() > MAX_LENGTH
            || raw
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        {
            return None;
        }
        if raw.starts_with('/') {
            return self.accept_path(raw);
        }
        let url = Url::parse(raw).ok()?;
        let scheme_ok = match url.scheme() {
            "https" => true,
            "http" => !self.https_only,
            _ => false,
        };
        let host = url.host_str()?.to_ascii_lowercase();
        let no_userinfo = url.username().is_empty() && url.password().is_none();
        let allowed = url.origin() == self.base_origin || self.allows_host(&host);
        (scheme_ok && no_userinfo && allowed).then(|| ReturnTo(url.into()))
    }

    /// A path on this site: one `/`, not `//` (another host), also once percent-decoded.
    fn accept_path(&self, path: &str) -> Option<ReturnTo> {
        let decoded = percent_decoded_prefix(path);
        let second = decoded.chars().nth(1);
        (second != Some('/') && second != Some('\\')).then(|| ReturnTo(path.to_owned()))
    }

    /// One of `ALLOWED_RETURN_HOSTS`, on any port.
    fn allows_host(&self, host: &str) -> bool {
        self.allowed_hosts
            .iter()
            .any(|pattern| pattern.matches(host))
    }
}

/// The first few characters of `path` with `%XX` decoded (as often as a proxy might).
fn percent_decoded_prefix(path: &str) -> String {
    let mut text = path.chars().take(12).collect::<String>();
    for _ in 0..3 {
        let decoded =
            url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
                .next()
                .map(|(_, value)| value.into_owned())
                .unwrap_or_default();
        if decoded == text {
            break;
        }
        text = decoded;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ReturnPolicy {
        ReturnPolicy::new(
            "https://id.example.com",
            &[
                HostPattern::parse("app.example.com").unwrap(),
                HostPattern::parse("*.apps.example.net").unwrap(),
            ],
        )
    }

    #[test]
    fn the_usual_open_redirect_bypasses_are_refused() {
        let refused = [
            ("another host, scheme-relative", "//evil.test/x"),
            ("backslash as slash", "/\\evil.test"),
            ("backslashes", "\\\\evil.test"),
            ("encoded slashes", "%2F%2Fevil.test"),
            (
                "a path whose encoded slashes make it scheme-relative",
                "/%2F%2Fevil.test",
            ),
            ("double-encoded", "/%252F%252Fevil.test"),
            ("encoded backslash", "/%5Cevil.test"),
            ("a tab browsers strip", "/\t/evil.test"),
            ("a newline browsers strip", "/\n/evil.test"),
            (
                "userinfo that looks like our host",
                "https://id.example.com@evil.test/",
            ),
            (
                "userinfo on an allowed host",
                "https://user:pass@app.example.com/",
            ),
            ("a look-alike suffix", "https://evilexample.com/"),
            (
                "a look-alike under an allowed parent",
                "https://evilapps.example.net/",
            ),
            (
                "our host as a subdomain of theirs",
                "https://id.example.com.evil.test/",
            ),
            ("http where BASE_URL is https", "http://app.example.com/"),
            ("javascript", "javascript:alert(1)"),
            ("javascript, mixed case", "JaVaScRiPt:alert(1)"),
            ("data", "data:text/html,<script>alert(1)</script>"),
            ("another scheme", "ftp://app.example.com/"),
            ("a bare host", "evil.test"),
            ("nothing", ""),
            ("too long", &format!("/{}", "a".repeat(3000))),
            ("the parent of a wildcard", "https://apps.example.net/"),
        ];
        for (what, raw) in refused {
            assert_eq!(policy().accept(raw), None, "{what}: {raw:?}");
        }
    }

    #[test]
    fn paths_our_host_and_allowed_hosts_are_followed() {
        for raw in [
            "/",
            "/dashboard?tab=2#top",
            "/a/b%2Fc",
            "https://id.example.com/account",
            "https://APP.example.com/welcome",
            "https://one.apps.example.net/",
            "https://deep.one.apps.example.net:8443/x",
        ] {
            assert!(policy().accept(raw).is_some(), "{raw:?}");
        }
        let http_base = ReturnPolicy::new("http://127.0.0.1:3000", &[]);
        assert!(http_base.accept("http://127.0.0.1:3000/x").is_some());
        assert!(
            http_base.accept("http://127.0.0.1:4000/x").is_none(),
            "another port on BASE_URL's host is another origin"
        );
        assert!(
            policy().accept("https://id.example.com:8443/").is_none(),
            "nor on an https BASE_URL"
        );
    }
}
