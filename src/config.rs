//! Configuration: every variable of SPEC §2, parsed once at start-up.
//!
//! Parsing never panics: a bad value becomes a [`ConfigError`] naming the variable, which
//! `main` prints as the single line that stops start-up.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use lettre::message::Mailbox;

use crate::keys::SecretKey;

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

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub smtp_url: String,
    pub mail_from: Mailbox,
    /// Public URL without a trailing slash; links in emails start with it.
    pub base_url: String,
    pub bind_addr: SocketAddr,
    pub app_env: AppEnv,
    pub secret: SecretSource,
    pub previous_secrets: Vec<SecretKey>,
    pub confirm_token_ttl: Duration,
    pub reset_token_ttl: Duration,
    pub unconfirmed_account_ttl: Duration,
    pub password_min_length: usize,
    pub rate_limit_per_minute: u32,
    pub mail_per_address_per_hour: u32,
    pub trusted_proxies: Vec<IpNet>,
    pub log_format: LogFormat,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://doorman.db?mode=rwc";
const MIN_SECRET_BYTES: usize = 32;
const PASSWORD_MAX_LENGTH: usize = 128;

impl Config {
    /// Reads the process environment (after `.env`, which `main` loads).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any source of variables; unset and empty are the same.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let app_env = match get("APP_ENV").as_deref().map(str::trim) {
            None | Some("development") => AppEnv::Development,
            Some("production") => AppEnv::Production,
            Some(other) => {
                return Err(ConfigError::new(
                    "APP_ENV",
                    format!("must be `development` or `production`, not `{other}`"),
                ));
            }
        };

        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "must start with `sqlite:` or `postgres://`",
            ));
        }

        let smtp_url = get("SMTP_URL").unwrap_or_else(|| "smtp://localhost:1025".into());
        crate::outbox::validate_smtp_url(&smtp_url)
            .map_err(|problem| ConfigError::new("SMTP_URL", problem))?;

        let mail_from = get("MAIL_FROM")
            .unwrap_or_else(|| "Doorman <no-reply@localhost>".into())
            .parse::<Mailbox>()
            .map_err(|e| ConfigError::new("MAIL_FROM", format!("not a valid mailbox ({e})")))?;

        let base_url = parse_base_url(get("BASE_URL").as_deref())?;

        let bind_addr = get("BIND_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .trim()
            .parse::<SocketAddr>()
            .map_err(|_| ConfigError::new("BIND_ADDR", "must be an address like 127.0.0.1:3000"))?;

        let secret = match get("SECRET_KEY") {
            Some(raw) => SecretSource::Given(parse_secret("SECRET_KEY", &raw)?),
            None if app_env == AppEnv::Production => {
                return Err(ConfigError::new(
                    "SECRET_KEY",
                    format!("required in production (at least {MIN_SECRET_BYTES} bytes)"),
                ));
            }
            None => SecretSource::DevelopmentFile(secret_file_beside(&database_url)),
        };

        let previous_secrets = get("SECRET_KEY_PREVIOUS")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|key| !key.is_empty())
                    .map(|key| parse_secret("SECRET_KEY_PREVIOUS", key))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();

        let duration = |name: &'static str, default: &str| {
            parse_duration(get(name).as_deref().unwrap_or(default))
                .map_err(|problem| ConfigError::new(name, problem))
        };
        let number = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(raw) => raw.trim().parse::<u32>().map_err(|_| {
                    ConfigError::new(name, format!("must be a whole number, not `{raw}`"))
                }),
            }
        };

        let password_min_length = number("PASSWORD_MIN_LENGTH", 15)? as usize;
        if !(8..=PASSWORD_MAX_LENGTH).contains(&password_min_length) {
            return Err(ConfigError::new(
                "PASSWORD_MIN_LENGTH",
                format!("must be between 8 and {PASSWORD_MAX_LENGTH}"),
            ));
        }

        let trusted_proxies = get("TRUSTED_PROXIES")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|cidr| !cidr.is_empty())
                    .map(|cidr| {
                        cidr.parse::<IpNet>()
                            .or_else(|_| cidr.parse::<std::net::IpAddr>().map(IpNet::from))
                            .map_err(|_| {
                                ConfigError::new(
                                    "TRUSTED_PROXIES",
                                    format!("`{cidr}` is not a CIDR like 10.0.0.0/8"),
                                )
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();

        let log_format = match get("LOG_FORMAT").as_deref().map(str::trim) {
            None if app_env == AppEnv::Production => LogFormat::Json,
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::new(
                    "LOG_FORMAT",
                    format!("must be `pretty` or `json`, not `{other}`"),
                ));
            }
        };

        Ok(Self {
            database_url,
            smtp_url,
            mail_from,
            base_url,
            bind_addr,
            app_env,
            secret,
            previous_secrets,
            confirm_token_ttl: duration("CONFIRM_TOKEN_TTL", "24h")?,
            reset_token_ttl: duration("RESET_TOKEN_TTL", "1h")?,
            unconfirmed_account_ttl: duration("UNCONFIRMED_ACCOUNT_TTL", "7d")?,
            password_min_length,
            rate_limit_per_minute: number("RATE_LIMIT_PER_MINUTE", 20)?,
            mail_per_address_per_hour: number("MAIL_PER_ADDRESS_PER_HOUR", 5)?,
            trusted_proxies,
            log_format,
        })
    }

    pub fn is_development(&self) -> bool {
        self.app_env == AppEnv::Development
    }

    /// Cookies get `Secure` exactly when people reach the app over https.
    pub fn uses_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

fn parse_base_url(raw: Option<&str>) -> Result<String, ConfigError> {
    let raw = raw.unwrap_or("http://127.0.0.1:3000").trim();
    let rest = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
        .ok_or_else(|| ConfigError::new("BASE_URL", "must start with http:// or https://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    let valid_host = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
    if !valid_host || rest.contains(['?', '#', ' ']) {
        return Err(ConfigError::new(
            "BASE_URL",
            "must be a URL like https://example.com (no query or fragment)",
        ));
    }
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

/// Parses `90s`, `15m`, `24h`, `7d`.
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let problem = || format!("`{raw}` is not a duration like 90s, 15m, 24h or 7d");
    let split = raw
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(problem)?;
    let (amount, unit) = raw.split_at(split);
    let amount: u64 = amount.parse().map_err(|_| problem())?;
    let seconds_per_unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(problem()),
    };
    let seconds = amount
        .checked_mul(seconds_per_unit)
        .filter(|seconds| *seconds > 0 && *seconds <= 366 * 86_400)
        .ok_or_else(|| format!("`{raw}` must be between 1s and 366d"))?;
    Ok(Duration::from_secs(seconds))
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
    fn durations_take_the_documented_units() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        for bad in [
            "",
            "h",
            "10",
            "10 h",
            "-5s",
            "1w",
            "0s",
            "99999999999999999999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases = [
            ("APP_ENV", "staging"),
            ("DATABASE_URL", "mysql://localhost/db"),
            ("SMTP_URL", "http://localhost"),
            ("MAIL_FROM", "not an address"),
            ("BASE_URL", "example.com"),
            ("BIND_ADDR", "localhost"),
            ("SECRET_KEY", "short"),
            ("SECRET_KEY_PREVIOUS", "short"),
            ("CONFIRM_TOKEN_TTL", "forever"),
            ("RESET_TOKEN_TTL", "1y"),
            ("UNCONFIRMED_ACCOUNT_TTL", "7"),
            ("PASSWORD_MIN_LENGTH", "4"),
            ("RATE_LIMIT_PER_MINUTE", "-1"),
            ("MAIL_PER_ADDRESS_PER_HOUR", "lots"),
            ("TRUSTED_PROXIES", "10.0.0.0/99"),
            ("LOG_FORMAT", "xml"),
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
        let config = config_from(&[("BASE_URL", "https://id.example.com/")]).unwrap();
        assert_eq!(config.base_url, "https://id.example.com");
        assert!(config.uses_https());
    }
}
