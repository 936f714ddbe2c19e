//! Configuration: every variable of SPEC §2, parsed once at start-up.
//!
//! Parsing never panics: a bad value becomes a [`ConfigError`] naming the variable, which
//! `main` prints as the single line that stops start-up.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use lettre::message::Mailbox;

use crate::accounts::{AddressRules, SignupMode};
pub use crate::i18n::Language;
use crate::keys::SecretKey;
pub use crate::outbox::smtp::SmtpEndpoint;
pub use crate::server::ConnectionLimits;

/// A variable that is set but cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl ConfigError {
    fn new(variable: &'static str, problem: impl Into<String>) -> Self {
        Self {
            variable,
            problem: problem.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Where the signing secret comes from.
#[derive(Debug, Clone)]
pub enum SecretSource {
    /// `SECRET_KEY` was given.
    Given(SecretKey),
    /// Development without `SECRET_KEY`: generated once and kept in this file.
    DevelopmentFile(PathBuf),
}

/// Where account events go, and the key they are signed with.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub url: String,
    pub secret: SecretKey,
    /// A receiver that does not answer within this is cut off and the event retried:
    /// 10 s, not a variable (tests shorten it).
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// `SMTP_URL`, parsed.
    pub smtp: SmtpEndpoint,
    /// Most SMTP connections open at once; the delivery worker keeps them open between emails.
    pub smtp_max_connections: usize,
    pub mail_from: Mailbox,
    /// Public URL without a trailing slash; links in emails start with it.
    pub base_url: String,
    pub bind_addr: SocketAddr,
    pub app_env: AppEnv,
    pub secret: SecretSource,
    pub previous_secrets: Vec<SecretKey>,
    pub confirm_token_ttl: Duration,
    /// Lifetime of the six-digit code in a confirmation email.
    pub confirm_code_ttl: Duration,
    /// Lifetime of the code and link in a sign-in email (SPEC §14).
    pub login_code_ttl: Duration,
    pub reset_token_ttl: Duration,
    pub unconfirmed_account_ttl: Duration,
    pub password_min_length: usize,
    pub rate_limit_per_minute: u32,
    pub mail_per_address_per_hour: u32,
    pub trusted_proxies: Vec<IpNet>,
    pub log_format: LogFormat,
    /// Hosts besides `BASE_URL`'s that `return_to` may send people to: exact, or
    /// `*.example.com` for its subdomains.
    pub allowed_return_hosts: Vec<HostPattern>,
    /// Domain of the session cookie, so forward auth works for sibling hosts.
    pub cookie_domain: Option<String>,
    /// `WEBHOOK_URL` and `WEBHOOK_SECRET`; `None` turns webhooks off.
    pub webhook: Option<WebhookConfig>,
    /// Where `/metrics` is served; `None` turns that listener off.
    pub admin_bind_addr: Option<SocketAddr>,
    /// Most client connections open at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// The language when `Accept-Language` names none that is shipped.
    pub default_locale: Language,
    /// The connection deadlines of SPEC §12: fixed, not variables (tests shorten them).
    pub connection_limits: ConnectionLimits,
    /// Lifetime of OpenID Connect access tokens (`OIDC_ACCESS_TOKEN_TTL`).
    pub oidc_access_token_ttl: Duration,
    /// A refresh token unused this long ends (`OIDC_REFRESH_TOKEN_TTL`).
    pub oidc_refresh_token_ttl: Duration,
    /// How long audit events are kept (SPEC §15).
    pub audit_retention: Duration,
    /// `SIGNUP_HOOK_URL`, signed with `WEBHOOK_SECRET`, asked before each sign-up
    /// (SPEC §16); its timeout is 3 s.
    pub signup_hook: Option<WebhookConfig>,
    /// The product's name on every page and email (`APP_NAME`).
    pub app_name: String,
    /// A folder of `<lang>.ftl` files overriding shipped messages (`MESSAGES_DIR`).
    pub messages_dir: Option<PathBuf>,
    /// A folder with `style.css` and `logo.svg` or `logo.png` (`BRAND_DIR`).
    pub brand_dir: Option<PathBuf>,
    /// Lifetime of an invitation's link (`INVITE_TTL`).
    pub invite_ttl: Duration,
    /// `SIGNUP`: who may sign up (SPEC §16).
    pub signup: SignupMode,
    /// The domains that may sign up, those that may not, and whether disposable-mail
    /// domains may.
    pub signup_addresses: AddressRules,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://doorman.db?mode=rwc";
const MIN_SECRET_BYTES: usize = 32;
const PASSWORD_MAX_LENGTH: usize = 128;

/// `ADMIN_BIND_ADDR`'s default: loopback, so `/metrics` is not public by accident.
const DEFAULT_ADMIN_BIND_ADDR: &str = "127.0.0.1:9100";
const DEFAULT_MAX_CONNECTIONS: u32 = 4096;
/// Enough for hundreds of emails a second once each takes a round trip, not a delayed ACK;
/// few enough for relays that cap connections per client.
const DEFAULT_SMTP_CONNECTIONS: u32 = 4;

/// The variables as given; unset and empty are the same. Each reader names its variable
/// in the error, so `from_lookup` reads as a list of variables and their rules.
struct Variables<F: Fn(&str) -> Option<String>> {
    lookup: F,
}

impl<F: Fn(&str) -> Option<String>> Variables<F> {
    fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    fn text(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or_else(|| default.to_owned())
    }

    /// One of `choices` (the first is the default), as its value.
    fn choice<T: Copy>(
        &self,
        name: &'static str,
        default: T,
        choices: &[(&str, T)],
    ) -> Result<T, ConfigError> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        choices
            .iter()
            .find(|(label, _)| *label == raw)
            .map(|(_, value)| *value)
            .ok_or_else(|| {
                let names: Vec<String> = choices
                    .iter()
                    .map(|(label, _)| format!("`{label}`"))
                    .collect();
                ConfigError::new(name, format!("must be {}, not `{raw}`", names.join(" or ")))
            })
    }

    fn number(&self, name: &'static str, default: u32) -> Result<u32, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw.parse::<u32>().map_err(|_| {
                ConfigError::new(name, format!("must be a whole number, not `{raw}`"))
            }),
        }
    }

    fn duration(&self, name: &'static str, default: &str) -> Result<Duration, ConfigError> {
        parse_duration(&self.text(name, default)).map_err(|problem| ConfigError::new(name, problem))
    }

    fn socket_addr(&self, name: &'static str, default: &str) -> Result<SocketAddr, ConfigError> {
        parse_socket_addr(name, &self.text(name, default))
    }

    /// A comma-separated list, each item parsed by `parse_item`; empty items are skipped.
    fn list<T>(
        &self,
        name: &'static str,
        parse_item: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Vec<T>, ConfigError> {
        self.get(name)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| parse_item(item).map_err(|problem| ConfigError::new(name, problem)))
            .collect()
    }
}

impl Config {
    /// Reads the process environment (after `.env`, which `main` loads).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any source of variables; unset and empty are the same.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Variables { lookup };
        let app_env = vars.choice(
            "APP_ENV",
            AppEnv::Development,
            &[
                ("development", AppEnv::Development),
                ("production", AppEnv::Production),
            ],
        )?;
        let database_url = parse_database_url(vars.text("DATABASE_URL", DEFAULT_DATABASE_URL))?;
        let smtp = SmtpEndpoint::parse(&vars.text("SMTP_URL", "smtp://localhost:1025"))
            .map_err(|problem| ConfigError::new("SMTP_URL", problem))?;
        let smtp_max_connections = vars.number("SMTP_MAX_CONNECTIONS", DEFAULT_SMTP_CONNECTIONS)?;
        if smtp_max_connections == 0 {
            return Err(ConfigError::new(
                "SMTP_MAX_CONNECTIONS",
                "must be at least 1",
            ));
        }
        let app_name = parse_app_name(&vars.text("APP_NAME", "Doorman"))?;
        let mut mail_from = vars
            .text("MAIL_FROM", "no-reply@localhost")
            .parse::<Mailbox>()
            .map_err(|e| ConfigError::new("MAIL_FROM", format!("not a valid mailbox ({e})")))?;
        // The product's name is the sender's unless MAIL_FROM names one.
        if mail_from.name.is_none() {
            mail_from.name = Some(app_name.clone());
        }
        let secret = match vars.get("SECRET_KEY") {
            Some(raw) => SecretSource::Given(parse_secret("SECRET_KEY", &raw)?),
            None if app_env == AppEnv::Production => {
                return Err(ConfigError::new(
                    "SECRET_KEY",
                    format!("required in production (at least {MIN_SECRET_BYTES} bytes)"),
                ));
            }
            None => SecretSource::DevelopmentFile(secret_file_beside(&database_url)),
        };
        let password_min_length = vars.number("PASSWORD_MIN_LENGTH", 15)? as usize;
        if !(8..=PASSWORD_MAX_LENGTH).contains(&password_min_length) {
            return Err(ConfigError::new(
                "PASSWORD_MIN_LENGTH",
                format!("must be between 8 and {PASSWORD_MAX_LENGTH}"),
            ));
        }
        let log_default = match app_env {
            AppEnv::Development => LogFormat::Pretty,
            AppEnv::Production => LogFormat::Json,
        };
        let admin_bind_addr = match (vars.lookup)("ADMIN_BIND_ADDR") {
            // Set but empty turns the admin listener off.
            Some(raw) if raw.trim().is_empty() => None,
            _ => Some(vars.socket_addr("ADMIN_BIND_ADDR", DEFAULT_ADMIN_BIND_ADDR)?),
        };
        let max_connections = vars.number("MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS)?;
        let webhook = match vars.get("WEBHOOK_URL") {
            None => None,
            Some(url) => Some(WebhookConfig {
                url: parse_webhook_url("WEBHOOK_URL", &url)?,
                secret: parse_webhook_secret(vars.get("WEBHOOK_SECRET").as_deref())?,
                timeout: Duration::from_secs(10),
            }),
        };
        // Signed with the webhooks' secret, so the application checks both alike.
        let signup_hook = match vars.get("SIGNUP_HOOK_URL") {
            None => None,
            Some(url) => Some(WebhookConfig {
                url: parse_webhook_url("SIGNUP_HOOK_URL", &url)?,
                secret: parse_webhook_secret(vars.get("WEBHOOK_SECRET").as_deref())?,
                timeout: Duration::from_secs(3),
            }),
        };
        if max_connections == 0 {
            return Err(ConfigError::new("MAX_CONNECTIONS", "must be at least 1"));
        }
        // A share generous enough for an office behind one address, small enough that
        // one host cannot hold every slot.
        let default_per_client = (max_connections / 16).max(16);
        let per_client = vars.number("MAX_CONNECTIONS_PER_CLIENT", default_per_client)?;
        if per_client == 0 {
            return Err(ConfigError::new(
                "MAX_CONNECTIONS_PER_CLIENT",
                "must be at least 1",
            ));
        }
        let config = Self {
            base_url: parse_base_url(&vars.text("BASE_URL", "http://127.0.0.1:3000"))?,
            bind_addr: vars.socket_addr("BIND_ADDR", "127.0.0.1:3000")?,
            previous_secrets: vars.list("SECRET_KEY_PREVIOUS", |key| {
                parse_secret("SECRET_KEY_PREVIOUS", key).map_err(|error| error.problem)
            })?,
            confirm_token_ttl: vars.duration("CONFIRM_TOKEN_TTL", "24h")?,
            confirm_code_ttl: vars.duration("CONFIRM_CODE_TTL", "1h")?,
            login_code_ttl: vars.duration("LOGIN_CODE_TTL", "15m")?,
            reset_token_ttl: vars.duration("RESET_TOKEN_TTL", "1h")?,
            unconfirmed_account_ttl: vars.duration("UNCONFIRMED_ACCOUNT_TTL", "7d")?,
            rate_limit_per_minute: vars.number("RATE_LIMIT_PER_MINUTE", 20)?,
            mail_per_address_per_hour: vars.number("MAIL_PER_ADDRESS_PER_HOUR", 5)?,
            trusted_proxies: vars.list("TRUSTED_PROXIES", parse_cidr)?,
            allowed_return_hosts: vars.list("ALLOWED_RETURN_HOSTS", HostPattern::parse)?,
            cookie_domain: vars
                .get("COOKIE_DOMAIN")
                .map(|domain| parse_cookie_domain(&domain))
                .transpose()?,
            log_format: vars.choice(
                "LOG_FORMAT",
                log_default,
                &[("pretty", LogFormat::Pretty), ("json", LogFormat::Json)],
            )?,
            database_url,
            smtp,
            smtp_max_connections: smtp_max_connections as usize,
            default_locale: vars.choice(
                "DEFAULT_LOCALE",
                Language::English,
                &Language::ALL.map(|language| (language.tag(), language)),
            )?,
            mail_from,
            app_env,
            secret,
            password_min_length,
            admin_bind_addr,
            max_connections: max_connections as usize,
            webhook,
            oidc_access_token_ttl: vars.duration("OIDC_ACCESS_TOKEN_TTL", "10m")?,
            oidc_refresh_token_ttl: vars.duration("OIDC_REFRESH_TOKEN_TTL", "30d")?,
            audit_retention: vars.duration("AUDIT_RETENTION", "180d")?,
            invite_ttl: vars.duration("INVITE_TTL", "7d")?,
            app_name,
            messages_dir: vars.get("MESSAGES_DIR").map(PathBuf::from),
            brand_dir: vars
                .get("BRAND_DIR")
                .map(|dir| parse_brand_dir(&dir))
                .transpose()?,
            signup_hook,
            signup: vars.choice(
                "SIGNUP",
                SignupMode::Open,
                &[
                    ("open", SignupMode::Open),
                    ("invite", SignupMode::Invite),
                    ("closed", SignupMode::Closed),
                ],
            )?,
            signup_addresses: AddressRules {
                allowed: vars.list("SIGNUP_ALLOWED_DOMAINS", HostPattern::parse)?,
                blocked: vars.list("SIGNUP_BLOCKED_DOMAINS", HostPattern::parse)?,
                block_disposable: vars.choice(
                    "SIGNUP_BLOCK_DISPOSABLE",
                    true,
                    &[("true", true), ("false", false)],
                )?,
            },
            connection_limits: ConnectionLimits {
                per_client: per_client as usize,
                ..ConnectionLimits::default()
            },
        };
        config.refuse_exposed_development()?;
        Ok(config)
    }

    /// Development mode shows every email, links and all, at `/dev/mailbox`: anyone who
    /// can reach it can take over any account. It is for a developer's own machine only.
    fn refuse_exposed_development(&self) -> Result<(), ConfigError> {
        if !self.is_development() {
            return Ok(());
        }
        if !self.bind_addr.ip().is_loopback() {
            return Err(ConfigError::new(
                "BIND_ADDR",
                format!(
                    "{} is not a loopback address; development mode (the default APP_ENV) only listens on 127.0.0.1 or ::1, set APP_ENV=production to serve others",
                    self.bind_addr
                ),
            ));
        }
        if self.uses_https() {
            return Err(ConfigError::new(
                "BASE_URL",
                "is https, which means a deployment; development mode (the default APP_ENV) would expose /dev/mailbox there, set APP_ENV=production",
            ));
        }
        let base_host = url::Url::parse(&self.base_url)
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_default();
        if !is_loopback_host(&base_host) {
            return Err(ConfigError::new(
                "BASE_URL",
                format!(
                    "names {base_host}, which is not this machine; development mode (the default APP_ENV) only serves localhost, 127.0.0.1 or ::1 (a name that resolves elsewhere could hand /dev/mailbox to anyone), set APP_ENV=production"
                ),
            ));
        }
        Ok(())
    }

    /// `BASE_URL`'s origin (scheme, host and port), as browsers write it in `Origin`.
    pub fn base_origin(&self) -> String {
        url::Url::parse(&self.base_url)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default()
    }

    pub fn is_development(&self) -> bool {
        self.app_env == AppEnv::Development
    }

    /// Cookies get `Secure` exactly when people reach the app over https.
    pub fn uses_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// True for a name or address that can only mean this machine: `localhost` and
/// `*.localhost` (RFC 6761), `127.0.0.0/8`, `::1`. A `Host` header or `BASE_URL` host,
/// with or without a port or IPv6 brackets.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let bare = host
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .map_or_else(
            || {
                host.rsplit_once(':')
                    .filter(|(name, _)| !name.contains(':'))
                    .map_or(host.as_str(), |(name, _)| name)
            },
            |(address, _)| address,
        );
    bare == "localhost"
        || bare.ends_with(".localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

fn parse_database_url(url: String) -> Result<String, ConfigError> {
    if url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://")
    {
        Ok(url)
    } else {
        Err(ConfigError::new(
            "DATABASE_URL",
            "must start with `sqlite:` or `postgres://`",
        ))
    }
}

fn parse_socket_addr(variable: &'static str, raw: &str) -> Result<SocketAddr, ConfigError> {
    raw.parse::<SocketAddr>()
        .map_err(|_| ConfigError::new(variable, "must be an address like 127.0.0.1:3000"))
}

/// A host, or with `*.` in front the hosts under it (`*.example.com`: `a.example.com` and
/// `b.a.example.com`, not `example.com` itself), lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPattern(String);

impl HostPattern {
    /// `example.com` or `*.example.com`.
    ///
    /// # Errors
    /// Why it is neither.
    pub(crate) fn parse(pattern: &str) -> Result<Self, String> {
        let host = pattern.strip_prefix("*.").unwrap_or(pattern);
        let valid = !host.is_empty()
            && host.contains('.')
            && host.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if valid {
            Ok(Self(pattern.to_ascii_lowercase()))
        } else {
            Err(format!(
                "`{pattern}` is not a host like app.example.com or *.example.com"
            ))
        }
    }

    /// Whether `host` (lowercase) is this host, or one under it for a `*.` pattern.
    pub(crate) fn matches(&self, host: &str) -> bool {
        match self.0.strip_prefix("*.") {
            // A dot before the parent: `evilexample.com` is not under `example.com`.
            Some(parent) => host
                .strip_suffix(parent)
                .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.')),
            None => host == self.0,
        }
    }
}

fn parse_cookie_domain(domain: &str) -> Result<String, ConfigError> {
    let domain = domain.trim_start_matches('.');
    HostPattern::parse(domain)
        .ok()
        .map(|parsed| parsed.0)
        .filter(|parsed| !parsed.starts_with("*."))
        .ok_or_else(|| ConfigError::new("COOKIE_DOMAIN", "must be a domain like example.com"))
}

/// A name people read in a title, a header and a sender's name: one line, not too long.
fn parse_app_name(name: &str) -> Result<String, ConfigError> {
    if name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(ConfigError::new(
            "APP_NAME",
            "must be one line of at most 60 characters",
        ));
    }
    Ok(name.to_owned())
}

/// A folder holding `style.css`, and perhaps `logo.svg` or `logo.png`.
fn parse_brand_dir(dir: &str) -> Result<PathBuf, ConfigError> {
    let path = PathBuf::from(dir);
    if path.join("style.css").is_file() {
        Ok(path)
    } else {
        Err(ConfigError::new(
            "BRAND_DIR",
            format!("{dir} must be a folder with a style.css"),
        ))
    }
}

fn parse_webhook_url(name: &'static str, raw: &str) -> Result<String, ConfigError> {
    url::Url::parse(raw)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some())
        .map(|_| raw.to_owned())
        .ok_or_else(|| ConfigError::new(name, "must be an http(s) URL"))
}

/// Standard Webhooks secrets: `whsec_` and the base64 of 24 to 64 random bytes.
fn parse_webhook_secret(raw: Option<&str>) -> Result<SecretKey, ConfigError> {
    use base64::Engine;
    let problem = || {
        ConfigError::new(
            "WEBHOOK_SECRET",
            "required with WEBHOOK_URL or SIGNUP_HOOK_URL: `whsec_` and the base64 of 24 to 64 random bytes \
             (`echo whsec_$(openssl rand -base64 32)` makes one)",
        )
    };
    let encoded = raw
        .and_then(|raw| raw.strip_prefix("whsec_"))
        .ok_or_else(problem)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| problem())?;
    if (24..=64).contains(&bytes.len()) {
        Ok(SecretKey::new(bytes))
    } else {
        Err(problem())
    }
}

fn parse_cidr(cidr: &str) -> Result<IpNet, String> {
    cidr.parse::<IpNet>()
        .or_else(|_| cidr.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{cidr}` is not a CIDR like 10.0.0.0/8"))
}

fn parse_base_url(raw: &str) -> Result<String, ConfigError> {
    let problem = || {
        ConfigError::new(
            "BASE_URL",
            "must be a URL like https://example.com (http or https, no user, query or fragment)",
        )
    };
    let url = url::Url::parse(raw).map_err(|_| problem())?;
    let usable = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|host| !host.is_empty())
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none()
        && !raw.contains(char::is_whitespace);
    if !usable {
        return Err(problem());
    }
    // As given (the host in the case it was written), without the trailing slash that
    // every link adds itself.
    Ok(raw.trim_end_matches('/').to_owned())
}

fn parse_secret(variable: &'static str, raw: &str) -> Result<SecretKey, ConfigError> {
    if raw.len() < MIN_SECRET_BYTES {
        return Err(ConfigError::new(
            variable,
            format!(
                "must be at least {MIN_SECRET_BYTES} bytes (got {}); `openssl rand -hex 32` makes one",
                raw.len()
            ),
        ));
    }
    Ok(SecretKey::new(raw.as_bytes().to_vec()))
}

/// The development secret lives next to the SQLite file, or in the working directory.
fn secret_file_beside(database_url: &str) -> PathBuf {
    let sqlite_path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or_default())
        .filter(|path| !path.is_empty() && *path != ":memory:");
    match sqlite_path {
        Some(path) => PathBuf::from(format!("{path}.secret")),
        None => PathBuf::from("doorman.secret"),
    }
}

/// Parses `90s`, `15m`, `24h`, `7d` (humantime's notation, so `1h30m` works too), from
/// one second to 366 days.
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let duration = humantime::parse_duration(raw)
        .map_err(|_| format!("`{raw}` is not a duration like 90s, 15m, 24h or 7d"))?;
    if duration < Duration::from_secs(1) || duration > Duration::from_secs(366 * 86_400) {
        return Err(format!("`{raw}` must be between 1s and 366d"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config_from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_need_no_configuration() {
        let config = config_from(&[]).unwrap();
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.bind_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.base_url, "http://127.0.0.1:3000");
        assert_eq!(config.password_min_length, 15);
        assert_eq!(config.confirm_token_ttl, Duration::from_secs(86_400));
        assert!(
            matches!(config.secret, SecretSource::DevelopmentFile(ref p) if p.ends_with("doorman.db.secret"))
        );
        assert_eq!(config.log_format, LogFormat::Pretty);
    }

    #[test]
    fn the_app_name_is_the_senders_unless_mail_from_names_one() {
        let default = config_from(&[]).unwrap();
        assert_eq!(
            default.mail_from.to_string(),
            "Doorman <no-reply@localhost>"
        );
        let named = config_from(&[("APP_NAME", "Acme"), ("MAIL_FROM", "hi@acme.test")]).unwrap();
        assert_eq!(named.mail_from.to_string(), "Acme <hi@acme.test>");
        let own =
            config_from(&[("APP_NAME", "Acme"), ("MAIL_FROM", "Team <hi@acme.test>")]).unwrap();
        assert_eq!(own.mail_from.to_string(), "Team <hi@acme.test>");
        assert_eq!(
            config_from(&[("APP_NAME", "two\nlines")])
                .unwrap_err()
                .variable,
            "APP_NAME"
        );
        assert_eq!(
            config_from(&[("BRAND_DIR", "/nonexistent/brand")])
                .unwrap_err()
                .variable,
            "BRAND_DIR"
        );
    }

    #[test]
    fn the_sign_up_hook_needs_the_webhook_secret_and_answers_within_3_seconds() {
        let error = config_from(&[("SIGNUP_HOOK_URL", "http://127.0.0.1:9/hook")]).unwrap_err();
        assert_eq!(error.variable, "WEBHOOK_SECRET");
        let error = config_from(&[("SIGNUP_HOOK_URL", "ftp://example.com/")]).unwrap_err();
        assert_eq!(error.variable, "SIGNUP_HOOK_URL");
        let secret = format!(
            "whsec_{}",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 32])
        );
        let config = config_from(&[
            ("SIGNUP_HOOK_URL", "https://app.example.com/hooks/signup"),
            ("WEBHOOK_SECRET", &secret),
        ])
        .unwrap();
        let hook = config.signup_hook.unwrap();
        assert_eq!(hook.timeout, Duration::from_secs(3));
        assert!(
            config.webhook.is_none(),
            "events stay off without WEBHOOK_URL"
        );
    }

    #[test]
    fn durations_take_the_documented_units() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        for bad in ["", "h", "10", "-5s", "0s", "500ms", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases = [
            ("APP_ENV", "staging"),
            ("DATABASE_URL", "mysql://localhost/db"),
            ("SMTP_URL", "http://localhost"),
            ("SMTP_URL", "smtp://relay.example?tls=sometimes"),
            ("SMTP_MAX_CONNECTIONS", "0"),
            ("SMTP_MAX_CONNECTIONS", "many"),
            ("MAIL_FROM", "not an address"),
            ("BASE_URL", "example.com"),
            ("BIND_ADDR", "localhost"),
            ("SECRET_KEY", "short"),
            ("SECRET_KEY_PREVIOUS", "short"),
            ("CONFIRM_TOKEN_TTL", "forever"),
            ("CONFIRM_CODE_TTL", "soon"),
            ("LOGIN_CODE_TTL", "a while"),
            ("AUDIT_RETENTION", "half a year"),
            ("SIGNUP", "maybe"),
            ("INVITE_TTL", "a week"),
            ("SIGNUP_ALLOWED_DOMAINS", "example.com, not a domain"),
            ("SIGNUP_BLOCKED_DOMAINS", "*."),
            ("SIGNUP_BLOCK_DISPOSABLE", "yes"),
            ("RESET_TOKEN_TTL", "2y"),
            ("UNCONFIRMED_ACCOUNT_TTL", "7"),
            ("PASSWORD_MIN_LENGTH", "4"),
            ("RATE_LIMIT_PER_MINUTE", "-1"),
            ("MAIL_PER_ADDRESS_PER_HOUR", "lots"),
            ("TRUSTED_PROXIES", "10.0.0.0/99"),
            ("LOG_FORMAT", "xml"),
            ("ADMIN_BIND_ADDR", "nowhere"),
            ("MAX_CONNECTIONS", "0"),
            ("MAX_CONNECTIONS_PER_CLIENT", "0"),
            ("OIDC_ACCESS_TOKEN_TTL", "never"),
            ("OIDC_REFRESH_TOKEN_TTL", "0s"),
            ("DEFAULT_LOCALE", "es"),
            ("ALLOWED_RETURN_HOSTS", "not a host"),
            ("COOKIE_DOMAIN", "*.example.com"),
        ];
        for (variable, value) in cases {
            let error = config_from(&[(variable, value)]).unwrap_err();
            assert_eq!(error.variable, variable, "{variable}={value}");
            assert!(error.to_string().starts_with(variable));
        }
    }

    #[test]
    fn production_requires_a_long_secret() {
        let error = config_from(&[("APP_ENV", "production")]).unwrap_err();
        assert_eq!(error.variable, "SECRET_KEY");
        let secret = "x".repeat(32);
        let config = config_from(&[("APP_ENV", "production"), ("SECRET_KEY", &secret)]).unwrap();
        assert_eq!(config.log_format, LogFormat::Json);
    }

    #[test]
    fn https_base_url_means_secure_cookies() {
        let secret = "x".repeat(32);
        let config = config_from(&[
            ("APP_ENV", "production"),
            ("SECRET_KEY", &secret),
            ("BASE_URL", "https://id.example.com/"),
        ])
        .unwrap();
        assert_eq!(config.base_url, "https://id.example.com");
        assert!(config.uses_https());
    }

    #[test]
    fn development_mode_refuses_to_be_reachable_from_elsewhere() {
        for (variable, value) in [
            ("BIND_ADDR", "0.0.0.0:3000"),
            ("BIND_ADDR", "[::]:3000"),
            ("BIND_ADDR", "192.0.2.10:3000"),
            ("BASE_URL", "https://id.example.com"),
            ("BASE_URL", "http://id.example.com"),
            ("BASE_URL", "http://localhost.example.com"),
        ] {
            let error = config_from(&[(variable, value)]).unwrap_err();
            assert_eq!(error.variable, variable, "{variable}={value}");
            assert!(error.problem.contains("APP_ENV=production"), "{error}");
        }
        assert!(config_from(&[("BIND_ADDR", "[::1]:3000")]).is_ok());
        for loopback in [
            "http://localhost:3000",
            "http://doorman.localhost",
            "http://127.0.0.2:8080",
            "http://[::1]:3000",
        ] {
            assert!(config_from(&[("BASE_URL", loopback)]).is_ok(), "{loopback}");
        }
        let secret = "x".repeat(32);
        let production = config_from(&[
            ("APP_ENV", "production"),
            ("SECRET_KEY", &secret),
            ("BIND_ADDR", "0.0.0.0:3000"),
        ]);
        assert!(production.is_ok());
    }

    #[test]
    fn the_admin_listener_defaults_to_loopback_and_can_be_turned_off() {
        let config = config_from(&[]).unwrap();
        assert_eq!(
            config.admin_bind_addr,
            Some("127.0.0.1:9100".parse().unwrap())
        );
        assert_eq!(config.max_connections, 4096);
        assert_eq!(config.connection_limits.per_client, 256);
        let off = config_from(&[("ADMIN_BIND_ADDR", "")]).unwrap();
        assert_eq!(off.admin_bind_addr, None);
    }
}
