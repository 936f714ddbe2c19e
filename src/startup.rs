//! Building the application from its configuration, and running it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{DatabaseConnection, DbErr};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::accounts::{
    AccountRules, AccountServices, Accounts, LinkLifetimes, Notifier, SignupHook, SignupMode,
};
use crate::admin_keys::AdminKeys;
use crate::brand::Brand;
use crate::clock::Clock;
use crate::config::{Config, SecretSource};
use crate::housekeeping::Housekeeping;
use crate::http::{
    self, AppState, CsrfConfig, DeviceCookies, LanguageOptions, Links, ReturnPolicy, RouterOptions,
    TrustedProxies,
};
use crate::i18n::Messages;
use crate::keys::{Keyring, SecretKey};
use crate::limits::{Limit, Limits};
use crate::metrics::Metrics;
use crate::oidc::{Oidc, OidcSettings, SigningKeys};
use crate::operator::Operator;
use crate::outbox::webhooks::{self, WebhookSender};
use crate::outbox::{DeliveryWorker, Outbox, SmtpMailer};
use crate::passwords::PasswordHasher;
use crate::server::{self, ConnectionLimits};
use crate::sessions::DatabaseSessionStore;
use crate::tokens::Tokens;

/// Sign-ups waiting for a hashing thread beyond those running; past this, `503`. A waiting
/// job holds only the password and a reply channel, so the line can be long: long enough
/// that a flood of clients waits its turn instead of retrying in a busy loop.
const HASH_QUEUE_PER_CORE: usize = 128;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("could not open the database")]
    Database(#[from] DbErr),
    #[error("could not read or create the development secret {path}")]
    Secret {
        path: String,
        source: std::io::Error,
    },
    #[error("MESSAGES_DIR: {0}")]
    Messages(String),
    #[error("BRAND_DIR: {0}")]
    Brand(String),
    #[error("{variable}: could not listen on {address}")]
    Bind {
        variable: &'static str,
        address: SocketAddr,
        source: std::io::Error,
    },
}

/// Everything a running Doorman is made of, wired from one [`Config`].
pub struct Services {
    pub(crate) db: DatabaseConnection,
    pub(crate) clock: Clock,
    pub(crate) accounts: Accounts,
    pub(crate) oidc: Arc<Oidc>,
    pub(crate) outbox: Outbox,
    pub(crate) notifier: Arc<Notifier>,
    pub(crate) keyring: Keyring,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) admin_keys: AdminKeys,
    /// The messages pages and emails speak: shipped, named `APP_NAME`, with
    /// `MESSAGES_DIR`'s overrides.
    pub(crate) messages: Arc<Messages>,
    /// `BRAND_DIR`'s stylesheet and logo.
    pub(crate) brand: Arc<Brand>,
}

impl Services {
    /// Connects and migrates the database and builds the domain services.
    ///
    /// # Errors
    /// See [`StartupError`].
    pub async fn build(config: &Config) -> Result<Self, StartupError> {
        Self::build_with_clock(config, Clock::system()).await
    }

    /// # Errors
    /// See [`StartupError`].
    pub async fn build_with_clock(config: &Config, clock: Clock) -> Result<Self, StartupError> {
        install_crypto_provider();
        let messages = Arc::new(
            Messages::load(&config.app_name, config.messages_dir.as_deref())
                .map_err(StartupError::Messages)?,
        );
        let brand = Arc::new(
            Brand::load(config.brand_dir.as_deref(), &config.base_url)
                .map_err(StartupError::Brand)?,
        );
        let db = crate::db::connect_and_migrate(&config.database_url).await?;
        let secret = match &config.secret {
            SecretSource::Given(secret) => secret.clone(),
            SecretSource::DevelopmentFile(path) => {
                SecretKey::load_or_create(path).map_err(|source| StartupError::Secret {
                    path: path.display().to_string(),
                    source,
                })?
            }
        };
        let keyring = Keyring::new(&secret, &config.previous_secrets);
        let tokens = Tokens::with_clock(keyring.clone(), clock.clone());
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let hasher = Arc::new(PasswordHasher::new(cores, cores * HASH_QUEUE_PER_CORE));
        let outbox = Outbox::new(
            db.clone(),
            clock.clone(),
            config.mail_per_address_per_hour,
            config
                .webhook
                .as_ref()
                .map(|webhook| webhooks::shown_url(&webhook.url)),
        );
        let metrics = Arc::new(Metrics::default());
        let notifier = Arc::new(Notifier::new(
            db.clone(),
            tokens.clone(),
            Arc::new(Links::new(
                &config.base_url,
                config.signup == SignupMode::Open,
            )),
            LinkLifetimes {
                confirm: config.confirm_token_ttl,
                reset: config.reset_token_ttl,
                code: config.confirm_code_ttl,
                login: config.login_code_ttl,
                invite: config.invite_ttl,
            },
            config.default_locale,
            messages.clone(),
            brand.clone(),
        ));
        let accounts = Accounts::new(AccountServices {
            db: db.clone(),
            clock: clock.clone(),
            hasher,
            tokens,
            outbox: outbox.clone(),
            notifier: notifier.clone(),
            rules: AccountRules {
                password_min_length: config.password_min_length,
                signup: config.signup,
                addresses: config.signup_addresses.clone(),
            },
            metrics: metrics.clone(),
            signup_hook: config
                .signup_hook
                .as_ref()
                .map(|hook| Arc::new(SignupHook::new(hook, clock.clone()))),
        });
        let oidc = Arc::new(Oidc::new(
            db.clone(),
            clock.clone(),
            SigningKeys::new(
                db.clone(),
                keyring.clone(),
                clock.clone(),
                config.oidc_access_token_ttl,
            ),
            accounts.clone(),
            OidcSettings {
                issuer: config.base_url.clone(),
                access_token_ttl: config.oidc_access_token_ttl,
                refresh_token_ttl: config.oidc_refresh_token_ttl,
            },
        ));
        Ok(Self {
            admin_keys: AdminKeys::new(db.clone(), clock.clone()),
            db,
            clock,
            oidc,
            accounts,
            outbox,
            notifier,
            keyring,
            metrics,
            messages,
            brand,
        })
    }

    /// The delivery worker, sending through `config.smtp`.
    fn delivery_worker(&self, config: &Config) -> Arc<DeliveryWorker<Notifier>> {
        let mailer = SmtpMailer::new(
            config.smtp.clone(),
            config.mail_from.clone(),
            config.smtp_max_connections,
        );
        DeliveryWorker::new(
            self.outbox.clone(),
            self.notifier.clone(),
            mailer,
            config.webhook.as_ref().map(|webhook| {
                WebhookSender::new(
                    webhook.url.clone(),
                    webhook.secret.clone(),
                    webhook.timeout,
                    self.clock.clone(),
                )
            }),
            self.metrics.clone(),
        )
    }

    /// The operator's commands, on this database.
    pub fn operator(&self) -> Operator {
        Operator {
            accounts: self.accounts.clone(),
            outbox: self.outbox.clone(),
            oidc: self.oidc.clone(),
            admin_keys: self.admin_keys.clone(),
        }
    }

    fn housekeeping(&self, config: &Config) -> Housekeeping {
        Housekeeping {
            accounts: self.accounts.clone(),
            oidc: self.oidc.clone(),
            metrics: self.metrics.clone(),
            db: self.db.clone(),
            limits: Limits::new(self.db.clone(), self.clock.clone()),
            unconfirmed_account_ttl: config.unconfirmed_account_ttl,
            audit_retention: config.audit_retention,
            clock: self.clock.clone(),
        }
    }

    /// The delivery worker and housekeeping, ready to start.
    fn background(&self, config: &Config) -> Result<Background, StartupError> {
        Ok(Background {
            worker: self.delivery_worker(config),
            housekeeping: self.housekeeping(config),
        })
    }
}

/// What runs beside the HTTP server, or alone in `doorman worker`.
struct Background {
    worker: Arc<DeliveryWorker<Notifier>>,
    housekeeping: Housekeeping,
}

impl Background {
    /// Starts both tasks; they stop when `stop` says so.
    fn spawn(self, stop: &watch::Sender<bool>) -> Vec<JoinHandle<()>> {
        vec![
            tokio::spawn(self.worker.run(stop.subscribe())),
            tokio::spawn(self.housekeeping.run(stop.subscribe())),
        ]
    }
}

/// Waits for background tasks to finish their current step, up to a grace period.
async fn stop_background(stop: watch::Sender<bool>, tasks: Vec<JoinHandle<()>>) {
    let _ = stop.send(true);
    for task in tasks {
        if tokio::time::timeout(Duration::from_secs(15), task)
            .await
            .is_err()
        {
            tracing::warn!(
                "a background task did not stop in time; its claims lapse with the lease"
            );
        }
    }
}

/// The HTTP server, its admin listener and its background tasks, bound and ready to run.
/// Nothing runs until [`Application::run_until`], so an application that fails to start
/// leaves no task behind.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    max_connections: usize,
    connection_limits: ConnectionLimits,
    /// Whose connections are not counted per client: they carry many clients.
    trusted_proxies: Arc<Vec<ipnet::IpNet>>,
    /// `ADMIN_BIND_ADDR`'s listener and its router, unless turned off.
    admin: Option<(TcpListener, axum::Router)>,
    background: Background,
}

/// The admin listener serves one scraper or two, never the public.
const ADMIN_MAX_CONNECTIONS: usize = 16;

impl Application {
    /// Binds `config.bind_addr` and `config.admin_bind_addr` (port 0 picks a free port, as
    /// tests do).
    ///
    /// # Errors
    /// See [`StartupError`].
    pub async fn build(config: &Config) -> Result<Self, StartupError> {
        Self::build_with_clock(config, Clock::system()).await
    }

    /// As [`Application::build`], with links minted and checked on `clock` (tests move it
    /// forward instead of waiting for a link to expire).
    ///
    /// # Errors
    /// See [`StartupError`].
    pub async fn build_with_clock(config: &Config, clock: Clock) -> Result<Self, StartupError> {
        let services = Services::build_with_clock(config, clock).await?;
        let background = services.background(config)?;
        let options = RouterOptions {
            development: config.is_development(),
            https: config.uses_https(),
            cookie_domain: config.cookie_domain.clone(),
            language: LanguageOptions {
                messages: services.messages.clone(),
                brand: services.brand.clone(),
                default: config.default_locale,
                https: config.uses_https(),
                origin: config.base_origin(),
            },
            csrf: CsrfConfig::new(
                services.keyring.current().csrf().clone(),
                config.uses_https(),
            ),
        };
        let state = AppState::new(http::AppServices {
            accounts: services.accounts,
            sessions: DatabaseSessionStore::new(services.db.clone()),
            metrics: services.metrics,
            limits: Limits::new(services.db.clone(), services.clock.clone()),
            return_policy: ReturnPolicy::new(&config.base_url, &config.allowed_return_hosts),
            links: Links::new(&config.base_url, config.signup == SignupMode::Open),
            devices: DeviceCookies::new(
                services.keyring.current().device().clone(),
                config.uses_https(),
            ),
            post_limit: (config.rate_limit_per_minute > 0).then_some(Limit {
                name: "posts",
                max: config.rate_limit_per_minute,
                window: Duration::from_secs(60),
            }),
            trusted_proxies: TrustedProxies(Arc::new(config.trusted_proxies.clone())),
            verified_sessions: Default::default(),
            oidc: services.oidc,
            admin_keys: services.admin_keys,
            clock: services.clock.clone(),
            brand: services.brand.clone(),
        });
        let admin = match config.admin_bind_addr {
            Some(address) => Some((
                bind("ADMIN_BIND_ADDR", address).await?,
                http::admin_router(state.clone()),
            )),
            None => None,
        };
        Ok(Self {
            listener: bind("BIND_ADDR", config.bind_addr).await?,
            router: http::router(state, options),
            max_connections: server::connection_capacity(config.max_connections),
            connection_limits: config.connection_limits,
            trusted_proxies: Arc::new(config.trusted_proxies.clone()),
            admin,
            background,
        })
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Where `/metrics` is served, unless the admin listener is off.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin.as_ref().map(|(listener, _)| {
            listener
                .local_addr()
                .expect("a bound listener has an address")
        })
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests and
    /// the worker's current batch finish (up to a grace period), and returns.
    ///
    /// # Errors
    /// I/O errors from the server.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop, _) = watch::channel(false);
        let background = self.background.spawn(&stop);
        let admin = self.admin.map(|(listener, router)| {
            let mut stopped = stop.subscribe();
            tokio::spawn(server::serve(
                listener,
                router,
                ADMIN_MAX_CONNECTIONS,
                self.connection_limits,
                Arc::default(),
                async move {
                    let _ = stopped.wait_for(|stopped| *stopped).await;
                },
            ))
        });
        let served = server::serve(
            self.listener,
            self.router,
            self.max_connections,
            self.connection_limits,
            self.trusted_proxies,
            shutdown,
        )
        .await;
        stop_background(stop, background).await;
        if let Some(admin) = admin {
            let _ = admin.await;
        }
        served
    }
}

/// rustls (SMTP over TLS, webhooks over https) signs and verifies with ring, the one
/// crypto provider this build carries. Idempotent: the first call wins.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

async fn bind(variable: &'static str, address: SocketAddr) -> Result<TcpListener, StartupError> {
    TcpListener::bind(address)
        .await
        .map_err(|source| StartupError::Bind {
            variable,
            address,
            source,
        })
}

/// Runs only the delivery worker (`doorman worker`) until `shutdown` resolves.
///
/// # Errors
/// See [`StartupError`].
pub async fn run_worker(
    config: &Config,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), StartupError> {
    let background = Services::build(config).await?.background(config)?;
    let (stop, _) = watch::channel(false);
    let background = background.spawn(&stop);
    shutdown.await;
    stop_background(stop, background).await;
    Ok(())
}
