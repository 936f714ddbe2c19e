//! `spawn_app()`: the real application on port 0 with a fresh database (a SQLite file, or
//! a new PostgreSQL database when `TEST_DATABASE_URL` is set) and a [`TestSmtp`].

use std::collections::HashMap;
use std::sync::Arc;

use doorman::config::Config;
use doorman::internals::Clock;
use doorman::startup::Application;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{BASE_URL, Browser, PASSWORD, TestSmtp, location, wait_until};

/// A fresh, empty database URL for one test.
pub async fn fresh_database_url() -> String {
    let name = format!("doorman_test_{}", random_hex(8));
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let admin = Database::connect(&admin_url)
                .await
                .expect("TEST_DATABASE_URL answers");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("can create a test database");
            admin.close().await.ok();
            let (base, _) = admin_url.rsplit_once('/').expect("URL has a database path");
            format!("{base}/{name}")
        }
        _ => {
            let dir = std::env::temp_dir().join("doorman-tests").join(&name);
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}/doorman.db?mode=rwc", dir.display())
        }
    }
}

pub fn random_hex(bytes: usize) -> String {
    let random: Vec<u8> = (0..bytes)
        .map(|_| doorman::internals::random_bytes::<1>()[0])
        .collect();
    hex::encode(random)
}

pub struct TestApp {
    pub address: String,
    /// The admin listener (`/metrics`), on a port of its own.
    pub admin_address: String,
    /// The clock links are minted and checked on: tests move it instead of sleeping.
    pub clock: Clock,
    pub db: DatabaseConnection,
    pub smtp: Arc<TestSmtp>,
    /// The browser the helpers use; `new_browser()` makes others (another device).
    pub browser: Browser,
    pub settings: HashMap<String, String>,
    configure: Option<Configure>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl std::ops::Deref for TestApp {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.browser
    }
}

/// Changes to the configuration that no variable makes (shorter deadlines, say).
type Configure = Arc<dyn Fn(&mut Config) + Send + Sync>;

pub struct TestAppBuilder {
    settings: HashMap<String, String>,
    smtp: Option<Arc<TestSmtp>>,
    configure: Option<Configure>,
}

pub fn spawn_app_with() -> TestAppBuilder {
    TestAppBuilder {
        settings: HashMap::new(),
        smtp: None,
        configure: None,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with().start().await
}

impl TestAppBuilder {
    pub fn set(mut self, name: &str, value: &str) -> Self {
        self.settings.insert(name.to_owned(), value.to_owned());
        self
    }

    pub fn smtp(mut self, smtp: Arc<TestSmtp>) -> Self {
        self.smtp = Some(smtp);
        self
    }

    /// Changes the parsed configuration before the app starts: for what SPEC §12 fixes
    /// (the connection deadlines, the webhook timeout), which tests shorten.
    pub fn configure(mut self, change: impl Fn(&mut Config) + Send + Sync + 'static) -> Self {
        self.configure = Some(Arc::new(change));
        self
    }

    pub async fn start(mut self) -> TestApp {
        let smtp = self
            .smtp
            .take()
            .unwrap_or_else(|| Arc::new(TestSmtp::start()));
        let mut settings = HashMap::from([
            ("BIND_ADDR".to_owned(), "127.0.0.1:0".to_owned()),
            ("ADMIN_BIND_ADDR".to_owned(), "127.0.0.1:0".to_owned()),
            ("BASE_URL".to_owned(), BASE_URL.to_owned()),
            ("SMTP_URL".to_owned(), smtp.url()),
            ("SECRET_KEY".to_owned(), random_hex(32)),
            ("RATE_LIMIT_PER_MINUTE".to_owned(), "0".to_owned()),
            ("MAIL_PER_ADDRESS_PER_HOUR".to_owned(), "100".to_owned()),
        ]);
        if !self.settings.contains_key("DATABASE_URL") {
            settings.insert("DATABASE_URL".to_owned(), fresh_database_url().await);
        }
        settings.extend(self.settings);
        TestApp::start(settings, smtp, self.configure).await
    }
}

impl TestApp {
    async fn start(
        settings: HashMap<String, String>,
        smtp: Arc<TestSmtp>,
        configure: Option<Configure>,
    ) -> TestApp {
        let mut config =
            Config::from_lookup(|name| settings.get(name).cloned()).expect("valid test config");
        if let Some(configure) = &configure {
            configure(&mut config);
        }
        let clock = Clock::system();
        let app = Application::build_with_clock(&config, clock.clone())
            .await
            .expect("the app builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let admin_address = app
            .admin_addr()
            .map(|admin| format!("http://{admin}"))
            .unwrap_or_default();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        let db = Database::connect(&config.database_url).await.unwrap();
        TestApp {
            browser: Browser::new(&address),
            address,
            admin_address,
            clock,
            db,
            smtp,
            settings,
            configure,
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// Stops this instance gracefully and starts another on the same database, with
    /// `changes` applied. The browser keeps its cookies.
    pub async fn restart(mut self, changes: &[(&str, &str)], smtp: Arc<TestSmtp>) -> TestApp {
        self.shutdown().await;
        let mut settings = self.settings.clone();
        for (name, value) in changes {
            settings.insert((*name).to_owned(), (*value).to_owned());
        }
        settings.insert("SMTP_URL".to_owned(), smtp.url());
        let mut restarted = TestApp::start(settings, smtp, self.configure.clone()).await;
        restarted.browser = Browser {
            address: restarted.address.clone(),
            ..self.browser.clone()
        };
        restarted
    }

    pub async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap().unwrap();
        }
    }

    /// Waits until every email queued so far was sent or closed: after that, no further
    /// email can arrive without a new request, so tests can assert that none did.
    pub async fn outbox_settled(&self) {
        wait_until("the outbox settles", || async {
            self.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")
                .await
                == 0
        })
        .await;
    }

    /// The `/metrics` text from the admin listener.
    pub async fn metrics(&self) -> String {
        reqwest::get(format!("{}/metrics", self.admin_address))
            .await
            .expect("the admin listener answers")
            .text()
            .await
            .expect("a text body")
    }

    /// Another browser with its own cookies, e.g. the phone the email is opened on.
    pub fn new_browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    /// Another browser, set to prefer languages as `accept_language` says.
    pub fn browser_speaking(&self, accept_language: &str) -> Browser {
        Browser::speaking(&self.address, accept_language)
    }

    /// Another browser, logged in to the confirmed account `email`: a second session.
    pub async fn logged_in_elsewhere(&self, email: &str) -> Browser {
        let browser = self.new_browser();
        assert_eq!(location(&browser.login(email, PASSWORD).await), "/account");
        browser
    }

    /// Signs up and returns the confirmation link from the email that arrived.
    pub async fn signup_and_get_link(&self, email: &str) -> String {
        let before = self.smtp.to(email).len();
        let response = self.signup(email, PASSWORD).await;
        assert_eq!(response.status(), 303);
        let emails = self.smtp.wait_for(email, before + 1).await;
        emails.last().unwrap().link("/confirm/")
    }

    /// Signs up and confirms with the sign-up password; this browser is then logged in.
    pub async fn confirmed_user(&self, email: &str) {
        let link = self.signup_and_get_link(email).await;
        let response = self.confirm(&link, &[("password", PASSWORD)]).await;
        assert_eq!(location(&response), "/account");
    }

    pub async fn user(&self, email: &str) -> Option<UserRow> {
        let backend = self.db.get_database_backend();
        let placeholder = if backend == sea_orm::DbBackend::Postgres {
            "$1"
        } else {
            "?"
        };
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT id, password_hash, CAST(confirmed_at IS NOT NULL AS INTEGER) AS confirmed \
                     FROM users WHERE email_normalized = {placeholder}"
                ),
                [email.to_lowercase().into()],
            ))
            .await
            .unwrap()?;
        Some(UserRow {
            id: row.try_get("", "id").unwrap(),
            password_hash: row.try_get("", "password_hash").unwrap(),
            confirmed: row.try_get::<i32>("", "confirmed").unwrap() == 1,
        })
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(self.db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }
}

/// What a run of the `doorman` binary printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TestApp {
    /// Runs `doorman ARGS…` as an operator would, against this app's database and
    /// configuration.
    pub async fn cli(&self, args: &[&str]) -> Run {
        self.cli_with_input(args, "").await
    }

    /// [`Self::cli`] with `input` on its standard input.
    pub async fn cli_with_input(&self, args: &[&str], input: &str) -> Run {
        self.cli_with(args, input, &[]).await
    }

    /// [`Self::cli`] with `input` on its standard input and `env` over the app's settings.
    pub async fn cli_with(&self, args: &[&str], input: &str, env: &[(&str, &str)]) -> Run {
        use std::io::Write as _;
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_doorman"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (name, value) in &self.settings {
            if !matches!(name.as_str(), "BIND_ADDR" | "ADMIN_BIND_ADDR") {
                command.env(name, value);
            }
        }
        for (name, value) in env {
            command.env(name, value);
        }
        command.env("RUST_LOG", "error");
        let input = input.to_owned();
        let output = tokio::task::spawn_blocking(move || {
            let mut child = command.spawn().unwrap();
            let mut stdin = child.stdin.take().unwrap();
            // Written from its own thread, so a child that fills its stdout first cannot
            // leave both waiting.
            let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
            let output = child.wait_with_output().unwrap();
            let _ = writer.join();
            output
        })
        .await
        .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

#[derive(Debug)]
pub struct UserRow {
    pub id: i64,
    pub password_hash: String,
    pub confirmed: bool,
}
