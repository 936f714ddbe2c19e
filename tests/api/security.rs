//! Hostile input, row by row: each request gets its exact 4xx (never a 5xx), and none of
//! them writes an account or queues an email.

use std::time::Duration;

use crate::helpers::{PASSWORD, encode, location, spawn_app, spawn_app_with, unique_email};

enum Csrf {
    /// A token that matches this browser's CSRF cookie.
    Valid,
    Missing,
    Forged,
}

struct Row {
    what: &'static str,
    method: &'static str,
    path: String,
    content_type: &'static str,
    csrf: Csrf,
    body: Vec<u8>,
    expected: u16,
}

const FORM: &str = "application/x-www-form-urlencoded";

/// A form post with a valid CSRF token.
fn form(what: &'static str, path: &str, body: &str, expected: u16) -> Row {
    Row::post(what, path)
        .content_type(FORM)
        .csrf(Csrf::Valid)
        .body(body.as_bytes().to_vec())
        .expect(expected)
}

fn get(what: &'static str, path: &str, expected: u16) -> Row {
    Row::get(what, path).expect(expected)
}

/// A request row, built up from its method and path: no content type, no CSRF token and
/// no body until given.
impl Row {
    fn new(what: &'static str, method: &'static str, path: &str) -> Self {
        Self {
            what,
            method,
            path: path.to_owned(),
            content_type: "",
            csrf: Csrf::Missing,
            body: Vec::new(),
            expected: 0,
        }
    }

    fn get(what: &'static str, path: &str) -> Self {
        Self::new(what, "GET", path)
    }

    fn post(what: &'static str, path: &str) -> Self {
        Self::new(what, "POST", path)
    }

    fn content_type(self, content_type: &'static str) -> Self {
        Self {
            content_type,
            ..self
        }
    }

    fn csrf(self, csrf: Csrf) -> Self {
        Self { csrf, ..self }
    }

    fn body(self, body: Vec<u8>) -> Self {
        Self { body, ..self }
    }

    fn expect(self, expected: u16) -> Self {
        Self { expected, ..self }
    }
}

fn signup(email: &str, password: &str) -> String {
    format!("email={}&password={}", encode(email), encode(password))
}

fn hostile_rows() -> Vec<Row> {
    let ok_password = encode(PASSWORD);
    let none_token = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIiwicHVycG9zZSI6ImNvbmZpcm0iLCJlbWFpbCI6ImFAYi5jb20iLCJpYXQiOjEsImV4cCI6OTk5OTk5OTk5OTksImZwIjoieCJ9.";
    let hs512_token = "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
    vec![
        // CSRF
        Row::post("sign-up without a CSRF token", "/signup")
            .content_type(FORM)
            .body(signup("a@example.com", PASSWORD).into_bytes())
            .expect(403),
        Row::post("sign-up with a forged CSRF token", "/signup")
            .content_type(FORM)
            .csrf(Csrf::Forged)
            .body(signup("a@example.com", PASSWORD).into_bytes())
            .expect(403),
        Row::post("login without a CSRF token", "/login")
            .content_type(FORM)
            .body(signup("a@example.com", PASSWORD).into_bytes())
            .expect(403),
        Row::post("logout without a CSRF token", "/logout")
            .content_type(FORM)
            .expect(403),
        Row::post("resend without a CSRF token", "/confirm/resend")
            .content_type(FORM)
            .body(b"email=a%40example.com".to_vec())
            .expect(403),
        Row::post("confirm without a CSRF token", "/confirm")
            .content_type(FORM)
            .body(b"token=x&password=y".to_vec())
            .expect(403),
        Row::post("JSON body to a form route (no form token)", "/signup")
            .content_type("application/json")
            .body(br#"{"email":"a@example.com","password":"x"}"#.to_vec())
            .expect(403),
        // Emails
        form("empty email", "/signup", &signup("", PASSWORD), 422),
        form(
            "email without @",
            "/signup",
            &signup("ada.example.com", PASSWORD),
            422,
        ),
        form(
            "email without a domain",
            "/signup",
            &signup("ada@", PASSWORD),
            422,
        ),
        form(
            "email with an undotted domain",
            "/signup",
            &signup("ada@localhost", PASSWORD),
            422,
        ),
        form(
            "email with CR LF and a Bcc header",
            "/signup",
            &signup("ada@example.com\r\nBcc: victim@example.com", PASSWORD),
            422,
        ),
        form(
            "email with a bare LF",
            "/signup",
            &signup("ada@example.com\nX: y", PASSWORD),
            422,
        ),
        form(
            "email with NUL",
            "/signup",
            &signup("ada\0@example.com", PASSWORD),
            422,
        ),
        form(
            "email with a tab inside",
            "/signup",
            &signup("ada\t@example.com", PASSWORD),
            422,
        ),
        form(
            "email with a right-to-left override",
            "/signup",
            &signup("ada\u{202e}@example.com", PASSWORD),
            422,
        ),
        form(
            "email of 255 characters",
            "/signup",
            &signup(&format!("{}@example.com", "a".repeat(243)), PASSWORD),
            422,
        ),
        form(
            "email with a script tag",
            "/signup",
            &signup("<script>alert(1)</script>@example.com", PASSWORD),
            422,
        ),
        form(
            "two addresses separated by a comma",
            "/signup",
            &signup("a@example.com,b@example.com", PASSWORD),
            422,
        ),
        form(
            "quoted display name",
            "/signup",
            &signup("\"Ada\" <ada@example.com>", PASSWORD),
            422,
        ),
        // Passwords
        form(
            "password of 14 characters",
            "/signup",
            &signup("p14@example.com", "fourteen chars"),
            422,
        ),
        form(
            "password of 129 characters",
            "/signup",
            &signup("p129@example.com", &"x".repeat(129)),
            422,
        ),
        form(
            "a common password",
            "/signup",
            &signup("common@example.com", "passwordpassword"),
            422,
        ),
        form(
            "the email as password",
            "/signup",
            &signup("somebody.long@example.com", "somebody.long@example.com"),
            422,
        ),
        form("no fields at all", "/signup", "", 422),
        form(
            "fields with array syntax",
            "/signup",
            &format!("email[]=a%40example.com&password={ok_password}"),
            422,
        ),
        // Encoding and size
        form(
            "invalid UTF-8, percent-encoded",
            "/signup",
            &format!("email=%FF%FE%40example.com&password={ok_password}"),
            400,
        ),
        Row::post("invalid UTF-8, raw bytes", "/signup")
            .content_type(FORM)
            .csrf(Csrf::Valid)
            .body(b"email=\xff\xfe@example.com&password=x".to_vec())
            .expect(400),
        form(
            "duplicated field",
            "/signup",
            &format!("email=a%40example.com&email=b%40example.com&password={ok_password}"),
            400,
        ),
        Row::post("text/plain body", "/signup")
            .content_type("text/plain")
            .csrf(Csrf::Valid)
            .body(signup("a@example.com", PASSWORD).into_bytes())
            .expect(415),
        Row::post("body over 16 KiB", "/signup")
            .content_type(FORM)
            .csrf(Csrf::Valid)
            .body(format!("email={}", "a".repeat(17 * 1024)).into_bytes())
            .expect(413),
        // Login
        form("login with an empty form", "/login", "", 401),
        form(
            "login with a 200-character password",
            "/login",
            &format!("email=a%40example.com&password={}", "x".repeat(200)),
            401,
        ),
        form(
            "login with a malformed email",
            "/login",
            &format!("email=%3Cscript%3E&password={ok_password}"),
            401,
        ),
        // Confirmation tokens
        form(
            "confirm with no token",
            "/confirm",
            &format!("password={ok_password}"),
            400,
        ),
        form(
            "confirm with alg none",
            "/confirm",
            &format!("token={none_token}&password={ok_password}"),
            400,
        ),
        form(
            "confirm with HS512",
            "/confirm",
            &format!("token={hs512_token}&password={ok_password}"),
            400,
        ),
        form(
            "confirm with a 5000-character token",
            "/confirm",
            &format!("token={}&password={ok_password}", "a".repeat(5000)),
            400,
        ),
        get(
            "confirm page with alg none",
            &format!("/confirm/{none_token}"),
            400,
        ),
        get(
            "confirm page with a 3000-character token",
            &format!("/confirm/{}", "a".repeat(3000)),
            400,
        ),
        get(
            "confirm page with an encoded path traversal",
            "/confirm/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            400,
        ),
        get(
            "confirm page with an encoded NUL",
            "/confirm/abc%00def",
            400,
        ),
        // Enumeration-safe answers and other routes
        form(
            "resend to a malformed address",
            "/confirm/resend",
            "email=%0D%0Anot-an-address",
            303,
        ),
        get("account without a session", "/account", 303),
        Row::new("DELETE on a form page", "DELETE", "/signup").expect(405),
        Row::post("POST to the health check", "/healthz")
            .content_type(FORM)
            .expect(405),
        get("an unknown page", "/wp-login.php", 404),
        get(
            "a mailbox message that is not a number",
            "/dev/mailbox/abc",
            404,
        ),
        get(
            "a mailbox message that does not exist",
            "/dev/mailbox/999999",
            404,
        ),
    ]
}

#[tokio::test]
async fn hostile_requests_get_their_exact_4xx_and_change_nothing() {
    let app = spawn_app().await;
    let rows = hostile_rows();
    assert!(rows.len() >= 40, "{} rows", rows.len());
    let token = app.csrf_token().await;

    for row in rows {
        let mut body = match row.csrf {
            Csrf::Valid => format!("csrf_token={token}&").into_bytes(),
            Csrf::Forged => b"csrf_token=forged&".to_vec(),
            Csrf::Missing => Vec::new(),
        };
        body.extend_from_slice(&row.body);
        let method = reqwest::Method::from_bytes(row.method.as_bytes()).unwrap();
        let mut request = app.client.request(method, app.url(&row.path));
        if !row.content_type.is_empty() {
            request = request.header("content-type", row.content_type).body(body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", row.what));
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let page = response.text().await.unwrap();
        assert_eq!(status, row.expected, "{}: {page}", row.what);
        if status != 303 {
            assert!(
                content_type.starts_with("text/html"),
                "{}: a readable page, got {content_type}",
                row.what
            );
        }
        assert!(
            !page.contains("<script>alert"),
            "{}: input echoed unescaped",
            row.what
        );
    }

    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    // No outbox row, so no email can be on its way.
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
    assert!(app.smtp.all().is_empty(), "no email was sent");
}

#[tokio::test]
async fn the_per_ip_limit_answers_429_with_retry_after_and_a_page() {
    let app = spawn_app_with()
        .set("RATE_LIMIT_PER_MINUTE", "3")
        .start()
        .await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let response = app
            .post_form("/confirm/resend", &[("email", "a@example.com")])
            .await;
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            let retry_after: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&retry_after));
            assert!(response.text().await.unwrap().contains("Too many attempts"));
        }
    }
    assert_eq!(statuses, [303, 303, 303, 429]);
    assert_eq!(
        app.get("/signup").await.status(),
        200,
        "GET pages are not limited"
    );
}

async fn resend_from(app: &crate::helpers::TestApp, forwarded_for: &str) -> u16 {
    let token = app.csrf_token().await;
    app.client
        .post(app.url("/confirm/resend"))
        .header("x-forwarded-for", forwarded_for)
        .form(&[("csrf_token", token.as_str()), ("email", "a@example.com")])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn x_forwarded_for_counts_only_behind_a_trusted_proxy() {
    let untrusted = spawn_app_with()
        .set("RATE_LIMIT_PER_MINUTE", "1")
        .start()
        .await;
    // Without trusted proxies the header is ignored: both requests are one client.
    assert_eq!(resend_from(&untrusted, "198.51.100.1").await, 303);
    assert_eq!(resend_from(&untrusted, "198.51.100.2").await, 429);

    let behind_proxy = spawn_app_with()
        .set("RATE_LIMIT_PER_MINUTE", "1")
        .set("TRUSTED_PROXIES", "127.0.0.1/32")
        .start()
        .await;
    assert_eq!(resend_from(&behind_proxy, "198.51.100.1").await, 303);
    assert_eq!(resend_from(&behind_proxy, "198.51.100.2").await, 303);
    assert_eq!(resend_from(&behind_proxy, "198.51.100.1").await, 429);
}

#[tokio::test]
async fn failed_logins_are_throttled_per_address_even_for_unknown_ones() {
    for known in [true, false] {
        let app = spawn_app().await;
        let email = unique_email();
        if known {
            app.confirmed_user(&email).await;
            app.post_form("/logout", &[]).await;
        }
        let mut statuses = Vec::new();
        for _ in 0..6 {
            statuses.push(
                app.login(&email, "wrong password here")
                    .await
                    .status()
                    .as_u16(),
            );
        }
        assert_eq!(
            statuses,
            [401, 401, 401, 401, 401, 429],
            "known account: {known}"
        );
        // Even the right password waits now: the throttle is checked first.
        let response = app.login(&email, PASSWORD).await;
        assert_eq!(response.status(), 429);
        assert!(response.headers().contains_key("retry-after"));
        // Another address from the same client is not affected yet.
        assert_eq!(
            app.login(&unique_email(), "wrong password here")
                .await
                .status(),
            401
        );
    }
}

#[tokio::test]
async fn failed_logins_are_throttled_per_client_across_addresses() {
    let app = spawn_app().await;
    let mut statuses = Vec::new();
    for i in 0..11 {
        let response = app
            .login(&format!("guess-{i}@example.com"), "wrong password here")
            .await;
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses[..10], [401; 10]);
    assert_eq!(statuses[10], 429);
}

#[tokio::test]
async fn links_come_from_base_url_whatever_the_host_header_says() {
    // In production: development mode answers no Host but a loopback one.
    let app = spawn_app_with().set("APP_ENV", "production").start().await;
    let email = unique_email();
    let token = app.csrf_token().await;
    let response = app
        .client
        .post(app.url("/signup"))
        .header("host", "evil.example")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", &email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let received = app.smtp.latest(&email).await;
    assert!(
        received
            .link("/confirm/")
            .starts_with("http://doorman.localhost/confirm/")
    );
    assert!(!received.text().contains("evil.example"));
}

#[tokio::test]
async fn over_https_cookies_are_secure_and_hsts_is_sent() {
    // Development mode refuses an https BASE_URL: https means a deployment.
    let app = spawn_app_with()
        .set("BASE_URL", "https://doorman.test")
        .set("APP_ENV", "production")
        .start()
        .await;
    let response = app.get("/signup").await;
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-doorman_csrf="), "{cookie}");
    assert!(cookie.contains("; Secure"));
    assert!(cookie.contains("HttpOnly"));
}

#[tokio::test]
async fn confirmation_posts_with_an_over_long_password_are_refused_without_hashing() {
    let app = spawn_app().await;
    let email = unique_email();
    let link = app.signup_and_get_link(&email).await;
    let response = app.confirm(&link, &[("password", &"x".repeat(129))]).await;
    assert_eq!(response.status(), 422);
    assert!(!app.user(&email).await.unwrap().confirmed);
    assert_eq!(location(&response), "");
}

/// Median time of a login attempt, each from its own client address so the per-IP
/// throttle stays out of the way.
async fn login_duration(
    app: &crate::helpers::TestApp,
    token: &str,
    email: &str,
    client: usize,
) -> Duration {
    let started = std::time::Instant::now();
    let response = app
        .client
        .post(app.url("/login"))
        .header("x-forwarded-for", format!("198.51.100.{client}"))
        .form(&[
            ("csrf_token", token),
            ("email", email),
            ("password", "a wrong password entirely"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    started.elapsed()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::test]
async fn login_timing_does_not_tell_unknown_addresses_apart() {
    let app = spawn_app_with()
        .set("TRUSTED_PROXIES", "127.0.0.1/32")
        .start()
        .await;
    let known: Vec<String> = (0..4).map(|_| unique_email()).collect();
    for email in &known {
        app.signup(email, PASSWORD).await;
    }
    let token = app.csrf_token().await;

    // Interleaved, so load from other tests falls on both kinds alike.
    let (mut known_times, mut unknown_times) = (Vec::new(), Vec::new());
    for round in 0..16 {
        let email = &known[round % known.len()];
        known_times.push(login_duration(&app, &token, email, 2 * round).await);
        unknown_times.push(login_duration(&app, &token, &unique_email(), 2 * round + 1).await);
    }

    let ratio = median(unknown_times).as_secs_f64() / median(known_times).as_secs_f64();
    // Without the dummy hash an unknown address answers about 20 times faster; the band is
    // wide because other tests load the same two cores.
    assert!(
        (0.4..2.5).contains(&ratio),
        "unknown/known login time ratio {ratio:.2}"
    );
}
