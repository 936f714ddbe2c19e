//! Handing off to the application behind Doorman (SPEC §10): `return_to` through every
//! redirect and the email round trip, forward auth, the session API, the header.

use serde_json::Value;

use crate::helpers::{
    BASE_URL, Browser, PASSWORD, TestApp, code_in, encode, form_value, location, spawn_app,
    spawn_app_with, unique_email,
};

/// The open-redirect bypasses every redirecting place must drop.
const BYPASSES: &[(&str, &str)] = &[
    ("scheme-relative", "//evil.test/x"),
    ("backslash", "/\\evil.test"),
    ("encoded slashes", "%2F%2Fevil.test"),
    ("path with encoded slashes", "/%2F%2Fevil.test"),
    ("tab", "/\t/evil.test"),
    ("userinfo", "http://doorman.localhost@evil.test/"),
    ("look-alike suffix", "http://evildoorman.localhost/"),
    (
        "our host under theirs",
        "http://doorman.localhost.evil.test/",
    ),
    ("another host", "https://evil.test/"),
    ("javascript", "javascript:alert(1)"),
    ("data", "data:text/html,hi"),
];

async fn sign_up_with(app: &TestApp, browser: &Browser, email: &str, return_to: &str) -> String {
    let before = app.smtp.to(email).len();
    let response = browser
        .post_form(
            "/signup",
            &[
                ("email", email),
                ("password", PASSWORD),
                ("return_to", return_to),
            ],
        )
        .await;
    assert_eq!(location(&response), "/signup/check-email");
    let emails = app.smtp.wait_for(email, before + 1).await;
    emails.last().unwrap().link("/confirm/")
}

/// Confirms `link` with the password on a browser that did not sign up, following the
/// link's own `return_to` through the page's hidden field.
async fn confirm_elsewhere(app: &TestApp, link: &str) -> String {
    let phone = app.new_browser();
    let page = phone.get_link(link).await.text().await.unwrap();
    let token = form_value(&page, "token").unwrap();
    let mut fields = vec![("token", token.as_str()), ("password", PASSWORD)];
    let return_to = form_value(&page, "return_to").map(|value| value.replace("&#38;", "&"));
    if let Some(return_to) = &return_to {
        fields.push(("return_to", return_to));
    }
    location(&phone.post_form("/confirm", &fields).await)
}

#[tokio::test]
async fn return_to_survives_the_email_round_trip_to_another_device() {
    let app = spawn_app().await;
    let form = app.get("/signup?return_to=%2Fdashboard%3Ftab%3D2").await;
    assert_eq!(
        form_value(&form.text().await.unwrap(), "return_to").as_deref(),
        Some("/dashboard?tab=2")
    );
    let email = unique_email();
    let link = sign_up_with(&app, &app.browser, &email, "/dashboard?tab=2").await;
    assert!(link.contains("?return_to=%2Fdashboard%3Ftab%3D2"), "{link}");

    assert_eq!(confirm_elsewhere(&app, &link).await, "/dashboard?tab=2");
}

#[tokio::test]
async fn return_to_is_followed_after_the_code_and_after_login() {
    let app = spawn_app_with()
        .set("ALLOWED_RETURN_HOSTS", "app.example.com,*.apps.example.net")
        .start()
        .await;
    let email = unique_email();
    sign_up_with(
        &app,
        &app.browser,
        &email,
        "https://app.example.com/welcome",
    )
    .await;
    let code = code_in(&app.smtp.latest(&email).await);
    let confirmed = app.post_form("/confirm/code", &[("code", &code)]).await;
    assert_eq!(location(&confirmed), "https://app.example.com/welcome");

    let page = app
        .new_browser()
        .get("/login?return_to=https%3A%2F%2Fone.apps.example.net%2Fx")
        .await
        .text()
        .await
        .unwrap();
    let return_to = form_value(&page, "return_to").unwrap();
    let login = app
        .new_browser()
        .post_form(
            "/login",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("return_to", &return_to),
            ],
        )
        .await;
    assert_eq!(location(&login), "https://one.apps.example.net/x");
}

#[tokio::test]
async fn every_redirect_drops_the_usual_open_redirect_bypasses() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    for (what, bad) in BYPASSES {
        // Login.
        let login_page = app
            .new_browser()
            .get(&format!("/login?return_to={}", encode(bad)))
            .await;
        assert_eq!(
            form_value(&login_page.text().await.unwrap(), "return_to"),
            None,
            "login page: {what}"
        );
        let login = app
            .new_browser()
            .post_form(
                "/login",
                &[
                    ("email", &email),
                    ("password", PASSWORD),
                    ("return_to", bad),
                ],
            )
            .await;
        assert_eq!(location(&login), "/account", "login: {what}");
    }
    for (what, bad) in BYPASSES {
        // Sign-up, then the link on another device, then the code in the first browser.
        let address = unique_email();
        let browser = app.new_browser();
        let link = sign_up_with(&app, &browser, &address, bad).await;
        assert!(!link.contains("return_to"), "email link: {what}");
        let forged_link = format!("{link}?return_to={}", encode(bad));
        let page = app.new_browser().get_link(&forged_link).await;
        assert_eq!(
            form_value(&page.text().await.unwrap(), "return_to"),
            None,
            "confirm page: {what}"
        );
        let code = code_in(&app.smtp.latest(&address).await);
        let confirmed = browser.post_form("/confirm/code", &[("code", &code)]).await;
        assert_eq!(location(&confirmed), "/account", "code: {what}");
    }
    let address = unique_email();
    let link = sign_up_with(&app, &app.new_browser(), &address, "/fine").await;
    let phone = app.new_browser();
    let token = link.rsplit('/').next().unwrap().split('?').next().unwrap();
    let confirmed = phone
        .post_form(
            "/confirm",
            &[
                ("token", token),
                ("password", PASSWORD),
                ("return_to", "//evil.test"),
            ],
        )
        .await;
    assert_eq!(location(&confirmed), "/account", "a forged hidden field");
}

#[tokio::test]
async fn forward_auth_answers_200_with_who_401_or_a_redirect_to_login() {
    let app = spawn_app_with()
        .set("TRUSTED_PROXIES", "127.0.0.1/32")
        .set("ALLOWED_RETURN_HOSTS", "app.example.com")
        .start()
        .await;
    let anonymous = app.new_browser();
    let denied = anonymous.get("/auth/verify").await;
    assert_eq!(denied.status(), 401);
    assert_eq!(denied.headers()["cache-control"], "no-store");
    assert!(
        denied.headers().get("set-cookie").is_none(),
        "no cookie for a proxy to drop"
    );

    let redirected = anonymous
        .client
        .get(anonymous.url("/auth/verify?redirect=1"))
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "app.example.com")
        .header("x-forwarded-uri", "/reports?year=2026")
        .send()
        .await
        .unwrap();
    assert_eq!(redirected.status(), 302);
    assert_eq!(
        location(&redirected),
        format!("{BASE_URL}/login?return_to=https%3A%2F%2Fapp.example.com%2Freports%3Fyear%3D2026")
    );
    let elsewhere = anonymous
        .client
        .get(anonymous.url("/auth/verify?redirect=1"))
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "evil.test")
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&elsewhere),
        format!("{BASE_URL}/login"),
        "not an allowed host"
    );

    let email = unique_email();
    app.confirmed_user(&email).await;
    let allowed = app.get("/auth/verify").await;
    assert_eq!(allowed.status(), 200);
    assert_eq!(allowed.headers()["remote-email"], email.as_str());
    let user_id = app.user(&email).await.unwrap().id;
    assert_eq!(
        allowed.headers()["remote-user"],
        user_id.to_string().as_str()
    );
    assert_eq!(allowed.headers()["cache-control"], "no-store");
    assert!(allowed.text().await.unwrap().is_empty());
}

#[tokio::test]
async fn forward_auth_believes_x_forwarded_only_from_a_trusted_proxy() {
    let app = spawn_app().await;
    let redirected = app
        .client
        .get(app.url("/auth/verify?redirect=1"))
        .header("x-forwarded-proto", "http")
        .header("x-forwarded-host", "doorman.localhost")
        .header("x-forwarded-uri", "/account")
        .send()
        .await
        .unwrap();
    assert_eq!(redirected.status(), 302);
    assert_eq!(location(&redirected), format!("{BASE_URL}/login"));
}

#[tokio::test]
async fn the_session_api_says_who_is_logged_in() {
    let app = spawn_app().await;
    let anonymous = app.new_browser().get("/api/v1/session").await;
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        anonymous.headers()["content-type"],
        "application/problem+json"
    );

    let email = unique_email();
    app.confirmed_user(&email).await;
    let session: Value = app.get("/api/v1/session").await.json().await.unwrap();
    assert_eq!(session["email"], email.as_str());
    assert_eq!(session["user_id"], app.user(&email).await.unwrap().id);
    assert!(session["confirmed_at"].is_string());
}

#[tokio::test]
async fn the_header_shows_account_and_log_out_to_a_logged_in_person() {
    let app = spawn_app().await;
    let before = app.get("/").await.text().await.unwrap();
    assert!(before.contains("href=\"/login\"") && !before.contains("Log out"));

    app.confirmed_user(&unique_email()).await;
    for path in [
        "/",
        "/signup",
        "/password/forgot",
        "/confirm/not-a-token",
        "/no-such-page",
    ] {
        let page = app.get(path).await.text().await.unwrap();
        assert!(
            page.contains("href=\"/account\"") && page.contains("Log out"),
            "{path}"
        );
    }
    let logout_token = form_value(&app.get("/").await.text().await.unwrap(), "csrf_token").unwrap();
    let logged_out = app
        .client
        .post(app.url("/logout"))
        .form(&[("csrf_token", logout_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&logged_out), "/");
    assert!(!app.get("/").await.text().await.unwrap().contains("Log out"));
}

#[tokio::test]
async fn cookie_domain_shares_the_session_cookie_with_the_secure_prefix() {
    let app = spawn_app_with()
        .set("APP_ENV", "production")
        .set("BASE_URL", "https://id.doorman.test")
        .set("COOKIE_DOMAIN", "doorman.test")
        .start()
        .await;
    let token = app.csrf_token().await;
    let csrf = app.cookie("__Host-doorman_csrf").unwrap();
    let response = app
        .client
        .post(app.url("/signup"))
        .header("cookie", format!("__Host-doorman_csrf={csrf}"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", &unique_email()),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let session_cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|cookie| cookie.contains("doorman_session"))
        .expect("a session cookie");
    assert!(
        session_cookie.starts_with("__Secure-doorman_session="),
        "{session_cookie}"
    );
    assert!(
        session_cookie.contains("Domain=doorman.test"),
        "{session_cookie}"
    );
    assert!(session_cookie.contains("Secure") && session_cookie.contains("HttpOnly"));
}

#[tokio::test]
async fn a_resend_from_the_browser_that_signed_up_keeps_its_return_to() {
    let app = spawn_app().await;
    let email = unique_email();
    sign_up_with(&app, &app.browser, &email, "/dashboard?tab=2").await;

    let resent = app.post_form("/confirm/resend", &[("email", &email)]).await;
    assert_eq!(location(&resent), "/signup/check-email");
    let link = app.smtp.wait_for(&email, 2).await[1].link("/confirm/");
    assert!(link.contains("?return_to=%2Fdashboard%3Ftab%3D2"), "{link}");

    // Another browser's resend knows nothing of that sign-up.
    let other = app.new_browser();
    other
        .post_form("/confirm/resend", &[("email", &email)])
        .await;
    let plain = app.smtp.wait_for(&email, 3).await[2].link("/confirm/");
    assert!(!plain.contains("return_to"), "{plain}");

    assert_eq!(confirm_elsewhere(&app, &link).await, "/dashboard?tab=2");
}
