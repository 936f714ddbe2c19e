//! `spawn_app()`: the real server on port 0, a fresh database (a SQLite file, or a new
//! PostgreSQL database when `TEST_DATABASE_URL` is set) and a real SMTP server running in
//! this process, whose received messages the tests read back.

use std::collections::HashMap;
use std::net::TcpListener as StdListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use doorman::config::Config;
use doorman::internals::Clock;
use doorman::startup::Application;
use mailin_embedded::response::{OK, Response};
use mailin_embedded::{Handler, Server};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Links in emails start with this, never with the address the test server listens on:
/// that proves they are built from `BASE_URL` and not from the request.
pub const BASE_URL: &str = "http://doorman.test";
pub const PASSWORD: &str = "correct horse battery staple";

// ---------------------------------------------------------------- SMTP

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct ReceivedEmail {
    pub envelope_to: Vec<String>,
    pub raw: Vec<u8>,
}

impl ReceivedEmail {
    pub fn parsed(&self) -> mailparse::ParsedMail<'_> {
        mailparse::parse_mail(&self.raw).expect("the server sent a parseable message")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        use mailparse::MailHeaderMap;
        self.parsed().headers.get_first_value(name)
    }

    pub fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    fn part(&self, mime: &str) -> String {
        let parsed = self.parsed();
        parsed
            .subparts
            .iter()
            .find(|part| part.ctype.mimetype == mime)
            .map(|part| part.get_body().expect("decodable body"))
            .unwrap_or_default()
    }

    pub fn text(&self) -> String {
        self.part("text/plain")
    }

    pub fn html(&self) -> String {
        self.part("text/html")
    }

    /// The first link to `{BASE_URL}{path_prefix}` in the plain-text part; the HTML part
    /// must carry the same link.
    pub fn link(&self, path_prefix: &str) -> String {
        let prefix = format!("{BASE_URL}{path_prefix}");
        let text = self.text();
        let start = text
            .find(&prefix)
            .unwrap_or_else(|| panic!("no {prefix} link in:\n{text}"));
        let link: String = text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        assert!(
            self.html().contains(&link),
            "the HTML part has the same link"
        );
        link
    }
}

#[derive(Clone, Default)]
struct Recorder {
    inbox: Arc<Mutex<Vec<ReceivedEmail>>>,
    sessions: Arc<AtomicUsize>,
    envelope_to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Recorder {
    fn helo(&mut self, _ip: std::net::IpAddr, _domain: &str) -> Response {
        self.sessions.fetch_add(1, Ordering::SeqCst);
        OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.envelope_to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.inbox.lock().unwrap().push(ReceivedEmail {
            envelope_to: std::mem::take(&mut self.envelope_to),
            raw: std::mem::take(&mut self.data),
        });
        OK
    }
}

/// A real SMTP server (mailin-embedded) on a loopback port.
pub struct TestSmtp {
    pub port: u16,
    inbox: Arc<Mutex<Vec<ReceivedEmail>>>,
    sessions: Arc<AtomicUsize>,
}

impl TestSmtp {
    pub fn start() -> Self {
        let listener = StdListener::bind("127.0.0.1:0").expect("a free port");
        Self::serve(listener)
    }

    /// Starts on a port that was handed out earlier (to simulate SMTP coming back up).
    pub fn start_on(port: u16) -> Self {
        let listener = StdListener::bind(("127.0.0.1", port)).expect("the reserved port is free");
        Self::serve(listener)
    }

    fn serve(listener: StdListener) -> Self {
        let port = listener.local_addr().unwrap().port();
        let recorder = Recorder::default();
        let inbox = recorder.inbox.clone();
        let sessions = recorder.sessions.clone();
        let mut server = Server::new(recorder);
        // One thread per SMTP session, and lettre keeps pooled sessions open: leave room
        // for every instance's pool.
        server
            .with_name("test-smtp")
            .with_num_threads(64)
            .with_tcp_listener(listener);
        // serve() blocks forever and its error is not Send: run it on its own thread.
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self {
            port,
            inbox,
            sessions,
        }
    }

    /// How many SMTP sessions (EHLO greetings) clients have opened.
    pub fn sessions(&self) -> usize {
        self.sessions.load(Ordering::SeqCst)
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn all(&self) -> Vec<ReceivedEmail> {
        self.inbox.lock().unwrap().clone()
    }

    pub fn to(&self, address: &str) -> Vec<ReceivedEmail> {
        self.all()
            .into_iter()
            .filter(|email| {
                email
                    .envelope_to
                    .iter()
                    .any(|to| to.eq_ignore_ascii_case(address))
            })
            .collect()
    }

    /// Waits until `address` has received `count` emails, and returns them.
    pub async fn wait_for(&self, address: &str, count: usize) -> Vec<ReceivedEmail> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let received = self.to(address);
            if received.len() >= count {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "{address} received {} emails, expected {count}",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The single latest email to `address`.
    pub async fn latest(&self, address: &str) -> ReceivedEmail {
        let count = self.to(address).len().max(1);
        self.wait_for(address, count).await.pop().unwrap()
    }
}

/// A loopback port with nothing listening on it: an SMTP server that is down.
pub fn unused_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------- database

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

// ---------------------------------------------------------------- the app

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
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl std::ops::Deref for TestApp {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.browser
    }
}

pub struct TestAppBuilder {
    settings: HashMap<String, String>,
    smtp: Option<Arc<TestSmtp>>,
}

pub fn spawn_app_with() -> TestAppBuilder {
    TestAppBuilder {
        settings: HashMap::new(),
        smtp: None,
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
        TestApp::start(settings, smtp).await
    }
}

impl TestApp {
    async fn start(settings: HashMap<String, String>, smtp: Arc<TestSmtp>) -> TestApp {
        let config =
            Config::from_lookup(|name| settings.get(name).cloned()).expect("valid test config");
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
        let mut restarted = TestApp::start(settings, smtp).await;
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
        let deadline = Instant::now() + Duration::from_secs(15);
        while self
            .count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")
            .await
            > 0
        {
            assert!(Instant::now() < deadline, "the outbox did not settle");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
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

#[derive(Debug)]
pub struct UserRow {
    pub id: i64,
    pub password_hash: String,
    pub confirmed: bool,
}

/// A browser: an HTTP client with its own cookie jar that does not follow redirects, so
/// tests see each `303`.
#[derive(Clone)]
pub struct Browser {
    pub address: String,
    pub client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
}

impl Browser {
    pub fn new(address: &str) -> Self {
        Self::with_headers(address, reqwest::header::HeaderMap::new())
    }

    /// A browser whose every request says `Accept-Language: accept_language`.
    pub fn speaking(address: &str, accept_language: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            accept_language.parse().unwrap(),
        );
        Self::with_headers(address, headers)
    }

    fn with_headers(address: &str, headers: reqwest::header::HeaderMap) -> Self {
        doorman::internals::install_crypto_provider();
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .default_headers(headers)
            .build()
            .unwrap();
        Self {
            address: address.to_owned(),
            client,
            jar,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Turns a link from an email into one that reaches this test server.
    pub fn local(&self, link: &str) -> String {
        let path = link
            .strip_prefix(BASE_URL)
            .expect("links start with BASE_URL");
        self.url(path)
    }

    /// The value of one of this browser's cookies.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let header = self.jar.cookies(&self.address.parse().unwrap())?;
        header
            .to_str()
            .unwrap()
            .split("; ")
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_link(&self, link: &str) -> reqwest::Response {
        self.client.get(self.local(link)).send().await.unwrap()
    }

    /// The CSRF token this browser's forms carry.
    pub async fn csrf_token(&self) -> String {
        let page = self.get("/login").await.text().await.unwrap();
        form_value(&page, "csrf_token").expect("pages with forms carry a CSRF token")
    }

    /// Posts a form as a browser would: with its cookies and CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token().await;
        let mut body: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        body.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .form(&body)
            .send()
            .await
            .unwrap()
    }

    /// Posts a form to an emailed `link` (whose path takes the POST too), with this
    /// browser's CSRF token.
    pub async fn post_link(&self, link: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token().await;
        let mut body: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        body.extend_from_slice(fields);
        self.client
            .post(self.local(link))
            .form(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn signup(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form("/signup", &[("email", email), ("password", password)])
            .await
    }

    /// Posts the confirmation form for `link` with `fields`.
    pub async fn confirm(&self, link: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = link.rsplit('/').next().unwrap().to_owned();
        let mut body = vec![("token", token.as_str())];
        body.extend_from_slice(fields);
        self.post_form("/confirm", &body).await
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form("/login", &[("email", email), ("password", password)])
            .await
    }
}

/// The six-digit code in a confirmation email: the line of the text part that is one.
pub fn code_in(email: &ReceivedEmail) -> String {
    let text = email.text();
    let code = text
        .lines()
        .map(str::trim)
        .find(|line| line.len() == 6 && line.bytes().all(|byte| byte.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no code in:\n{text}"))
        .to_owned();
    assert!(
        email.html().contains(&code),
        "the HTML part has the same code"
    );
    code
}

/// Percent-encodes everything but unreserved characters, for form bodies and queries.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The `value` of the input named `name` in an HTML page.
pub fn form_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

pub fn unique_email() -> String {
    format!("user-{}@example.com", random_hex(6))
}
