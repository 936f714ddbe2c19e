//! End to end in a real browser: headless Chromium driven over WebDriver (chromedriver),
//! against the real server and SMTP server. Each page is checked with axe-core and saved as
//! a screenshot under `docs/screenshots/`.
//!
//! These need Chromium, chromedriver and axe-core, which a bare Rust toolchain does not
//! have, so they are `#[ignore]`d in the README's `cargo test`; `.ci/run` installs the three
//! and runs them with `cargo test --test api -- --ignored`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};

use crate::helpers::{
    PASSWORD, TestApp, location, spawn_app, spawn_app_with, unique_email, unused_port, wait_until,
};

/// A WebDriver session on a chromedriver of its own; both end when this is dropped.
struct Chromium {
    http: reqwest::Client,
    session: String,
    driver: Child,
    profile: PathBuf,
}

impl Chromium {
    async fn start() -> Self {
        let port = unused_port();
        let driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver is installed (.ci/run installs chromium-driver)");
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        wait_until("chromedriver to start", || async {
            http.get(format!("{base}/status")).send().await.is_ok()
        })
        .await;
        let profile = std::env::temp_dir().join(format!(
            "doorman-chromium-{}",
            crate::helpers::random_hex(6)
        ));
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1024,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {created}"))
            .to_owned();
        Self {
            http,
            session: format!("{base}/session/{session}"),
            driver,
            profile,
        }
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        self.try_command(method, path, body)
            .await
            .unwrap_or_else(|answer| panic!("WebDriver {path}: {answer}"))
    }

    /// A command that may fail, e.g. while a page is being replaced.
    async fn try_command(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> Result<Value, Value> {
        let request = self.http.request(method, format!("{}{path}", self.session));
        let request = if body.is_null() {
            request
        } else {
            request.json(&body)
        };
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        if answer["value"]["error"].is_null() {
            Ok(answer["value"].clone())
        } else {
            Err(answer)
        }
    }

    async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", json!({"url": url}))
            .await;
    }

    /// Drops every cookie: from here on this is another device as far as Doorman knows.
    async fn forget_cookies(&self) {
        self.command(reqwest::Method::DELETE, "/cookie", Value::Null)
            .await;
    }

    async fn current_path(&self) -> String {
        let url = self
            .command(reqwest::Method::GET, "/url", Value::Null)
            .await;
        let url = url.as_str().unwrap();
        let after_scheme = &url[url.find("//").unwrap() + 2..];
        after_scheme[after_scheme.find('/').unwrap_or(after_scheme.len())..].to_owned()
    }

    async fn element(&self, css: &str) -> String {
        let found = self
            .command(
                reqwest::Method::POST,
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        found
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let element = self.element(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            json!({"text": text}),
        )
        .await;
    }

    /// Clicks a submit button and waits until the next page has loaded.
    async fn submit(&self, css: &str) {
        let before = self.element("html").await;
        let button = self.element(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{button}/click"),
            json!({}),
        )
        .await;
        wait_until(&format!("{css} to lead to the next page"), || async {
            // Either lookup can fail while the old page is being replaced; try again.
            let ready = self
                .try_command(
                    reqwest::Method::POST,
                    "/execute/sync",
                    json!({"script": "return document.readyState", "args": []}),
                )
                .await;
            let html = self
                .try_command(
                    reqwest::Method::POST,
                    "/element",
                    json!({"using": "css selector", "value": "html"}),
                )
                .await;
            matches!((ready, html), (Ok(ready), Ok(html))
                if ready == "complete"
                    && html
                        .as_object()
                        .and_then(|found| found.values().next())
                        .and_then(Value::as_str)
                        != Some(before.as_str()))
        })
        .await;
    }

    /// What `<html lang>` says on the page shown.
    async fn html_lang(&self) -> String {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": "return document.documentElement.lang", "args": []}),
        )
        .await
        .as_str()
        .unwrap()
        .to_owned()
    }

    async fn title(&self) -> String {
        self.command(reqwest::Method::GET, "/title", Value::Null)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn text(&self) -> String {
        let body = self.element("body").await;
        self.command(
            reqwest::Method::GET,
            &format!("/element/{body}/text"),
            Value::Null,
        )
        .await
        .as_str()
        .unwrap()
        .to_owned()
    }

    /// Saves the page as `docs/screenshots/{name}.png`.
    async fn screenshot(&self, name: &str) {
        let png = self
            .command(reqwest::Method::GET, "/screenshot", Value::Null)
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("{name}.png")), bytes).unwrap();
    }

    /// Runs axe-core on the page and fails on any violation.
    async fn assert_accessible(&self, page: &str) {
        self.assert_axe(page, "{}").await;
    }

    /// An email is a document, not a site page: no landmarks or `<h1>` to expect, but
    /// every other rule (contrast, link text, language) holds.
    async fn assert_email_accessible(&self, page: &str) {
        let options = "{rules: {'region': {enabled: false}, \
            'landmark-one-main': {enabled: false}, 'page-has-heading-one': {enabled: false}}}";
        self.assert_axe(page, options).await;
    }

    async fn assert_axe(&self, page: &str, rule_options: &str) {
        let axe = std::fs::read_to_string(axe_core_path())
            .expect("axe-core is installed (.ci/run installs it; AXE_CORE_JS names axe.min.js)");
        let script = format!(
            "{axe}\nconst done = arguments[arguments.length - 1];\
             axe.run(document, Object.assign({{resultTypes: ['violations']}}, {rule_options}))\
               .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' ' + \
                  v.nodes.map(n => n.target.join(' ')).join(', '))))\
               .catch(e => done(['axe failed: ' + e]));"
        );
        let violations = self
            .command(
                reqwest::Method::POST,
                "/execute/async",
                json!({"script": script, "args": []}),
            )
            .await;
        assert_eq!(violations, json!([]), "accessibility violations on {page}");
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn axe_core_path() -> PathBuf {
    std::env::var("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/axe/node_modules/axe-core/axe.min.js")
        })
}

/// Visits `path`, checks it with axe-core and saves a screenshot.
async fn visit(browser: &Chromium, app: &TestApp, path: &str, name: &str) {
    browser.goto(&app.url(path)).await;
    browser.assert_accessible(name).await;
    browser.screenshot(name).await;
}

#[tokio::test]
#[ignore = "needs Chromium, chromedriver and axe-core: .ci/run installs them and runs --ignored"]
async fn a_person_signs_up_confirms_logs_out_and_logs_in_again_in_a_browser() {
    let app = spawn_app().await;
    let browser = Chromium::start().await;
    let email = unique_email();

    visit(&browser, &app, "/", "home").await;
    visit(&browser, &app, "/signup", "signup").await;
    browser.type_into("#email", &email).await;
    browser.type_into("#password", "short").await;
    browser.submit("form[action='/signup'] button").await;
    assert!(browser.text().await.contains("Use at least 15 characters."));
    browser.assert_accessible("signup with errors").await;
    browser.screenshot("signup-errors").await;
    browser.type_into("#password", PASSWORD).await;
    browser.submit("form[action='/signup'] button").await;
    assert_eq!(browser.current_path().await, "/signup/check-email");
    browser.assert_accessible("check email").await;
    browser.screenshot("check-email").await;

    let received = app.smtp.wait_for(&email, 1).await.pop().unwrap();
    let link = received.link("/confirm/");
    let message_id = app.count("SELECT MAX(id) FROM outbox").await;
    browser
        .goto(&app.url(&format!("/dev/mailbox/{message_id}")))
        .await;
    assert!(browser.text().await.contains("Confirm my address"));
    browser
        .assert_email_accessible("the confirmation email")
        .await;
    browser.screenshot("email-confirmation").await;

    // In the browser that signed up, the link needs one button and no password.
    browser.goto(&app.local(&link)).await;
    assert!(browser.text().await.contains("nothing more to type"));
    browser.assert_accessible("confirm, one button").await;
    browser.screenshot("confirm-one-click").await;

    // On another device it asks for the password.
    browser.forget_cookies().await;
    browser.goto(&app.local(&link)).await;
    assert!(
        browser
            .text()
            .await
            .contains(&format!("Confirm your account for {email}"))
    );
    browser.assert_accessible("confirm").await;
    browser.screenshot("confirm").await;
    browser
        .type_into("#password", "not the password I chose")
        .await;
    browser.submit("form[action='/confirm'] button").await;
    assert!(
        browser
            .text()
            .await
            .contains("That is not the password chosen at sign-up")
    );
    browser.element("#new_password").await;
    browser.assert_accessible("confirm, wrong password").await;
    browser.screenshot("confirm-wrong-password").await;

    browser.type_into("#password", PASSWORD).await;
    browser.submit("form[action='/confirm'] button").await;
    assert_eq!(browser.current_path().await, "/account");
    assert!(browser.text().await.contains(&email));
    browser.assert_accessible("account").await;
    browser.screenshot("account").await;

    browser.submit("form[action='/logout'] button").await;
    assert_eq!(browser.current_path().await, "/");
    visit(&browser, &app, "/login", "login").await;
    browser.type_into("#email", &email).await;
    browser.type_into("#password", PASSWORD).await;
    browser.submit("form[action='/login'] button").await;
    assert_eq!(browser.current_path().await, "/account");
}

#[tokio::test]
#[ignore = "needs Chromium, chromedriver and axe-core: .ci/run installs them and runs --ignored"]
async fn the_code_from_the_email_confirms_in_the_browser_that_signed_up() {
    let app = spawn_app().await;
    let browser = Chromium::start().await;
    let email = unique_email();
    browser.goto(&app.url("/signup")).await;
    browser.type_into("#email", &email).await;
    browser.type_into("#password", PASSWORD).await;
    browser.submit("form[action='/signup'] button").await;
    let code = crate::helpers::code_in(&app.smtp.wait_for(&email, 1).await[0]);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    browser.type_into("#code", wrong).await;
    browser.submit("form[action='/confirm/code'] button").await;
    assert!(browser.text().await.contains("That code is not right"));
    browser.assert_accessible("check email, wrong code").await;
    browser.screenshot("check-email-wrong-code").await;

    browser.type_into("#code", &code).await;
    browser.submit("form[action='/confirm/code'] button").await;
    assert_eq!(browser.current_path().await, "/account");
    assert!(browser.text().await.contains(&email));
}

#[tokio::test]
#[ignore = "needs Chromium, chromedriver and axe-core: .ci/run installs them and runs --ignored"]
async fn signing_in_by_email_in_a_browser() {
    let app = spawn_app().await;
    let browser = Chromium::start().await;
    // Unconfirmed: signing in by email confirms it and leaves it without a password.
    let email = unique_email();
    app.new_browser().signup(&email, PASSWORD).await;
    app.outbox_settled().await;

    browser.goto(&app.url("/login")).await;
    browser.type_into("#sign-in-email", &email).await;
    browser.submit("form[action='/login/email'] button").await;
    assert_eq!(browser.current_path().await, "/login/check-email");
    browser.assert_accessible("sign-in check email").await;
    browser.screenshot("login-check-email").await;
    let received = app.smtp.wait_for(&email, 2).await;
    let code = crate::helpers::code_in(&received[1]);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    browser.type_into("#code", wrong).await;
    browser.submit("form[action='/login/code'] button").await;
    browser
        .assert_accessible("sign-in check email, wrong code")
        .await;
    browser.type_into("#code", &code).await;
    browser.submit("form[action='/login/code'] button").await;
    assert_eq!(browser.current_path().await, "/account");
    assert!(browser.text().await.contains("Set a password"));
    browser
        .assert_accessible("account without a password")
        .await;
    browser.screenshot("account-without-password").await;

    // The link's page, on another device.
    browser.forget_cookies().await;
    browser.goto(&app.url("/login")).await;
    browser.type_into("#sign-in-email", &email).await;
    browser.submit("form[action='/login/email'] button").await;
    let link = app.smtp.wait_for(&email, 3).await[2].link("/login/email/");
    browser.forget_cookies().await;
    browser.goto(&app.local(&link)).await;
    assert!(
        browser
            .text()
            .await
            .contains(&format!("Log in as {email}?"))
    );
    browser.assert_accessible("sign-in link").await;
    browser.screenshot("login-link").await;
    browser.submit("form[action='/login/link'] button").await;
    assert_eq!(browser.current_path().await, "/account");
}

#[tokio::test]
#[ignore = "needs Chromium, chromedriver and axe-core: .ci/run installs them and runs --ignored"]
async fn an_expired_link_offers_a_prefilled_resend_form_in_a_browser() {
    let app = spawn_app_with()
        .set("CONFIRM_TOKEN_TTL", "1s")
        .start()
        .await;
    let browser = Chromium::start().await;
    let email = unique_email();
    let link = app.signup_and_get_link(&email).await;
    app.clock.advance(Duration::from_secs(4));

    browser.goto(&app.local(&link)).await;
    assert!(browser.text().await.contains("This link has expired"));
    browser.assert_accessible("expired link").await;
    browser.screenshot("link-expired").await;
    browser
        .submit("form[action='/confirm/resend'] button")
        .await;

    assert_eq!(browser.current_path().await, "/signup/check-email");
    assert_eq!(
        app.smtp.wait_for(&email, 2).await.len(),
        2,
        "a new link was sent"
    );
}

#[tokio::test]
#[ignore = "needs Chromium, chromedriver and axe-core: .ci/run installs them and runs --ignored"]
async fn the_remaining_pages_pass_axe_in_a_browser() {
    let app = spawn_app().await;
    let browser = Chromium::start().await;
    let email = unique_email();
    let confirm_link = app.signup_and_get_link(&email).await;
    app.confirm(&confirm_link, &[("password", PASSWORD)]).await;
    app.post_form("/password/forgot", &[("email", &email)])
        .await;
    let reset_link = app
        .smtp
        .wait_for(&email, 2)
        .await
        .pop()
        .unwrap()
        .link("/password/reset/");

    for (path, name) in [
        ("/password/forgot", "password-forgot"),
        ("/password/forgot/sent", "password-forgot-sent"),
        ("/confirm/resend", "resend"),
        ("/confirm/not-a-token", "link-invalid"),
        ("/no/such/page", "not-found"),
    ] {
        visit(&browser, &app, path, name).await;
    }
    for (link, name, expected) in [
        (&reset_link, "password-reset", "Choose a new password for"),
        (&confirm_link, "already-confirmed", "already confirmed"),
    ] {
        browser.goto(&app.local(link)).await;
        assert!(browser.text().await.contains(expected), "{name}");
        browser.assert_accessible(name).await;
        browser.screenshot(name).await;
    }

    // The login page's two refusals, and the page behind an address-change link.
    let pending = unique_email();
    app.signup_and_get_link(&pending).await;
    for (address, password, name, expected) in [
        (
            pending.as_str(),
            PASSWORD,
            "login-unconfirmed",
            "Confirm your address first",
        ),
        (
            email.as_str(),
            "not the right password",
            "login-invalid",
            "Invalid email or password.",
        ),
    ] {
        browser.goto(&app.url("/login")).await;
        browser.type_into("#email", address).await;
        browser.type_into("#password", password).await;
        browser.submit("form[action='/login'] button").await;
        assert!(browser.text().await.contains(expected), "{name}");
        browser.assert_accessible(name).await;
        browser.screenshot(name).await;
    }
    let new_address = unique_email();
    app.post_form(
        "/account/email",
        &[("email", &new_address), ("current_password", PASSWORD)],
    )
    .await;
    let change_link = app.smtp.wait_for(&new_address, 1).await[0].link("/account/email/confirm/");
    browser.goto(&app.local(&change_link)).await;
    assert!(browser.text().await.contains("Confirm your new address"));
    browser.assert_accessible("email-change-confirm").await;
    browser.screenshot("email-change-confirm").await;

    // A 360-pixel-wide phone.
    browser
        .command(
            reqwest::Method::POST,
            "/window/rect",
            json!({"width": 360, "height": 800}),
        )
        .await;
    visit(&browser, &app, "/signup", "signup-phone").await;
    let overflow = browser
        .command(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": "return document.documentElement.scrollWidth > window.innerWidth", "args": []}),
        )
        .await;
    assert_eq!(overflow, json!(false), "no sideways scrolling on a phone");
}

#[tokio::test]
#[ignore = "needs Chromium, chromedriver and axe-core: .ci/run installs them and runs --ignored"]
async fn every_page_and_email_passes_axe_in_every_language() {
    let app = spawn_app().await;
    let browser = Chromium::start().await;
    let confirmed = unique_email();
    let used_link = app.signup_and_get_link(&confirmed).await;
    app.confirm(&used_link, &[("password", PASSWORD)]).await;
    app.post_form("/password/forgot", &[("email", &confirmed)])
        .await;
    let reset_link = app.smtp.wait_for(&confirmed, 2).await[1].link("/password/reset/");

    for language in ["en", "de", "fr"] {
        // The footer's link is how a person picks; the cookie it sets carries the rest.
        browser.goto(&app.url("/")).await;
        let pick = format!("footer a[hreflang='{language}']");
        browser.submit(&pick).await;
        let pending = unique_email();
        let signed_up = app
            .browser_speaking(language)
            .signup(&pending, PASSWORD)
            .await;
        assert_eq!(signed_up.status(), 303);
        let pending_link = app.smtp.wait_for(&pending, 1).await[0].link("/confirm/");
        let mut pages: Vec<String> = [
            "/",
            "/signup",
            "/signup/check-email",
            "/login",
            "/login/check-email",
            "/login/email/not-a-token",
            "/password/forgot",
            "/password/forgot/sent",
            "/confirm/resend",
            "/confirm/not-a-token",
            "/no/such/page",
        ]
        .map(|path| app.url(path))
        .into();
        pages.extend([&pending_link, &used_link, &reset_link].map(|link| app.local(link)));
        for page in &pages {
            browser.goto(page).await;
            assert_eq!(browser.html_lang().await, language, "{page}");
            browser
                .assert_accessible(&format!("{page} in {language}"))
                .await;
            if page.ends_with("/signup") && language != "en" {
                browser.screenshot(&format!("signup-{language}")).await;
            }
        }
        // Pages that answer a form: refusals, then the account page once logged in.
        browser.goto(&app.url("/signup")).await;
        browser.type_into("#email", "not an address").await;
        browser.submit("form[action='/signup'] button").await;
        assert_eq!(browser.html_lang().await, language);
        browser
            .assert_accessible(&format!("sign-up errors in {language}"))
            .await;
        browser.goto(&app.url("/login")).await;
        browser.type_into("#email", &confirmed).await;
        browser.type_into("#password", PASSWORD).await;
        browser.submit("form[action='/login'] button").await;
        assert_eq!(browser.current_path().await, "/account");
        assert_eq!(browser.html_lang().await, language);
        browser
            .assert_accessible(&format!("/account in {language}"))
            .await;
        browser.submit("form[action='/logout'] button").await;

        // The confirmation email, as the account's language renders it.
        let row = app
            .count(&format!(
                "SELECT MAX(id) FROM outbox WHERE recipient = '{pending}'"
            ))
            .await;
        browser.goto(&app.url(&format!("/dev/mailbox/{row}"))).await;
        assert_eq!(browser.html_lang().await, language);
        browser
            .assert_email_accessible(&format!("confirmation email in {language}"))
            .await;

        // The sign-in email to an account, and the one to an address without.
        for address in [confirmed.clone(), unique_email()] {
            app.browser_speaking(language)
                .post_form("/login/email", &[("email", &address)])
                .await;
            let row = app
                .count(&format!(
                    "SELECT MAX(id) FROM outbox WHERE kind = 'sign_in' AND recipient = '{address}'"
                ))
                .await;
            browser.goto(&app.url(&format!("/dev/mailbox/{row}"))).await;
            browser
                .assert_email_accessible(&format!("sign-in email to {address} in {language}"))
                .await;
        }
    }
}

#[tokio::test]
#[ignore = "needs Chromium, chromedriver and axe-core: .ci/run installs them and runs --ignored"]
async fn an_admin_walks_the_console_in_a_browser() {
    let app = spawn_app().await;
    let browser = Chromium::start().await;
    let admin = unique_email();
    app.new_browser().signup(&admin, PASSWORD).await;
    assert_eq!(app.cli(&["users", "confirm", &admin]).await.code, 0);
    assert_eq!(app.cli(&["users", "promote", &admin]).await.code, 0);
    let member = unique_email();
    let member_browser = app.new_browser();
    member_browser.signup(&member, PASSWORD).await;
    assert_eq!(app.cli(&["users", "confirm", &member]).await.code, 0);
    member_browser.login(&member, PASSWORD).await;

    // Anonymous: to the login page, and back to the console after it.
    browser.goto(&app.url("/admin")).await;
    assert_eq!(browser.current_path().await, "/login?return_to=%2Fadmin");
    browser.type_into("#email", &admin).await;
    browser.type_into("#password", PASSWORD).await;
    browser.submit("form[action='/login'] button").await;
    assert_eq!(browser.current_path().await, "/admin");
    browser.assert_accessible("console overview").await;
    browser.screenshot("admin-overview").await;

    // Search, open the person, disable them.
    browser.goto(&app.url("/admin/users")).await;
    browser.type_into("#q", &member[..8]).await;
    browser.submit("form[action='/admin/users'] button").await;
    assert!(browser.text().await.contains(&member));
    browser.assert_accessible("console accounts").await;
    browser.screenshot("admin-users").await;
    browser.submit("a[href^='/admin/users/']").await;
    assert!(browser.current_path().await.starts_with("/admin/users/"));
    assert!(browser.text().await.contains(&member));
    browser.assert_accessible("console account").await;
    browser.screenshot("admin-user").await;
    browser.submit("form[action$='/disable'] button").await;
    assert!(browser.text().await.contains("The account is disabled"));
    browser.assert_accessible("console account, disabled").await;
    assert_eq!(
        location(&member_browser.get("/account").await),
        "/login",
        "their session is gone"
    );
    browser.submit("form[action$='/enable'] button").await;
    assert!(browser.text().await.contains("can sign in again"));

    for (path, name) in [
        ("/admin/outbox", "admin-outbox"),
        ("/admin/audit", "admin-audit"),
    ] {
        visit(&browser, &app, path, name).await;
    }
    assert!(
        browser.text().await.contains("disabled"),
        "the audit log has it"
    );

    // Every console page in every language.
    for language in ["de", "fr", "en"] {
        browser
            .goto(&app.url(&format!("/admin?lang={language}")))
            .await;
        let member_page = app
            .user(&member)
            .await
            .map(|user| format!("/admin/users/{}", user.id))
            .unwrap();
        for path in [
            "/admin",
            "/admin/users",
            member_page.as_str(),
            "/admin/outbox",
            "/admin/audit",
        ] {
            browser.goto(&app.url(path)).await;
            assert_eq!(browser.html_lang().await, language, "{path}");
            browser
                .assert_accessible(&format!("{path} in {language}"))
                .await;
        }
    }

    // After 15 minutes, the password again.
    app.clock.advance(Duration::from_secs(16 * 60));
    browser.goto(&app.url("/admin/users")).await;
    assert!(browser.current_path().await.starts_with("/admin/reauth?"));
    browser.assert_accessible("console re-check").await;
    browser.screenshot("admin-reauth").await;
    browser.type_into("#current_password", PASSWORD).await;
    browser.submit("form[action='/admin/reauth'] button").await;
    assert_eq!(browser.current_path().await, "/admin/users");
}

#[tokio::test]
#[ignore = "needs Chromium, chromedriver and axe-core: .ci/run installs them and runs --ignored"]
async fn a_branded_instance_keeps_its_pages_accessible_in_a_browser() {
    let brand = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/brand");
    let app = spawn_app_with()
        .set("APP_NAME", "Acme Portal")
        .set("BRAND_DIR", brand.to_str().unwrap())
        .start()
        .await;
    let browser = Chromium::start().await;
    visit(&browser, &app, "/signup", "signup-branded").await;
    let title = browser.title().await;
    assert!(title.ends_with("· Acme Portal"), "{title}");
}
