//! Confirming on any device (SPEC §9): one button in the browser that signed up, a code
//! beside the link, "Continue" after confirming elsewhere, and the pre-stuffing story.

use serde_json::{Value, json};

use crate::helpers::{
    Browser, PASSWORD, TestApp, code_in, form_value, location, spawn_app, spawn_app_with,
    unique_email,
};

const NEW_PASSWORD: &str = "the real owner's own passphrase";

/// Signs `browser` up as `email` and returns the newest confirmation email's link and code.
async fn sign_up(app: &TestApp, browser: &Browser, email: &str) -> (String, String) {
    let before = app.smtp.to(email).len();
    assert_eq!(
        location(&browser.signup(email, PASSWORD).await),
        "/signup/check-email"
    );
    let emails = app.smtp.wait_for(email, before + 1).await;
    let newest = emails.last().unwrap();
    (newest.link("/confirm/"), code_in(newest))
}

async fn post_code(browser: &Browser, code: &str) -> reqwest::Response {
    browser.post_form("/confirm/code", &[("code", code)]).await
}

fn another_code(code: &str) -> String {
    let wrong: u32 = (code.parse::<u32>().unwrap() + 1) % 1_000_000;
    format!("{wrong:06}")
}

async fn is_confirmed(app: &TestApp, email: &str) -> bool {
    app.user(email).await.unwrap().confirmed
}

#[tokio::test]
async fn the_link_in_the_browser_that_signed_up_confirms_with_one_button() {
    let app = spawn_app().await;
    let email = unique_email();
    let (link, _) = sign_up(&app, &app.browser, &email).await;

    let page = app.get_link(&link).await.text().await.unwrap();
    assert!(page.contains("nothing more to type"), "{page}");
    assert!(!page.contains("name=\"password\""), "no password field");
    assert!(!is_confirmed(&app, &email).await, "GET changes nothing");

    let confirmed = app.confirm(&link, &[]).await;
    assert_eq!(location(&confirmed), "/account");
    assert!(is_confirmed(&app, &email).await);
    assert_eq!(app.get("/account").await.status(), 200, "logged in");
}

#[tokio::test]
async fn a_fresh_browser_still_needs_the_password() {
    let app = spawn_app().await;
    let email = unique_email();
    let (link, _) = sign_up(&app, &app.browser, &email).await;
    let phone = app.new_browser();

    let page = phone.get_link(&link).await.text().await.unwrap();
    assert!(page.contains("name=\"password\""));
    let without_password = phone.confirm(&link, &[]).await;
    assert_eq!(without_password.status(), 422);
    assert!(!is_confirmed(&app, &email).await);

    let with_password = phone.confirm(&link, &[("password", PASSWORD)]).await;
    assert_eq!(location(&with_password), "/account");
}

#[tokio::test]
async fn the_code_confirms_in_the_browser_that_signed_up() {
    let app = spawn_app().await;
    let email = unique_email();
    let (_, code) = sign_up(&app, &app.browser, &email).await;

    let confirmed = post_code(&app.browser, &code).await;

    assert_eq!(location(&confirmed), "/account");
    assert!(is_confirmed(&app, &email).await);
    assert_eq!(app.get("/account").await.status(), 200);
}

#[tokio::test]
async fn wrong_codes_are_422_and_after_five_codes_are_refused_but_the_link_still_works() {
    let app = spawn_app().await;
    let email = unique_email();
    let (link, code) = sign_up(&app, &app.browser, &email).await;
    let wrong = another_code(&code);

    for attempt in 1..=5 {
        let response = post_code(&app.browser, &wrong).await;
        assert_eq!(response.status(), 422, "wrong code {attempt}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("That code is not right")
        );
    }
    let sixth = post_code(&app.browser, &code).await;
    assert_eq!(
        sixth.status(),
        422,
        "the right code is refused past the cap"
    );
    assert!(!is_confirmed(&app, &email).await);

    assert_eq!(location(&app.confirm(&link, &[]).await), "/account");
}

#[tokio::test]
async fn codes_sent_together_cannot_beat_the_cap() {
    let app = spawn_app().await;
    let email = unique_email();
    let (_, code) = sign_up(&app, &app.browser, &email).await;
    app.browser.csrf_token().await;
    let mut guesses = Vec::new();
    for offset in 1..=12u32 {
        let browser = app.browser.clone();
        let guess = format!("{:06}", (code.parse::<u32>().unwrap() + offset) % 1_000_000);
        guesses.push(tokio::spawn(async move {
            post_code(&browser, &guess).await.status().as_u16()
        }));
    }
    for guess in guesses {
        assert_eq!(guess.await.unwrap(), 422);
    }
    assert_eq!(
        app.count("SELECT CAST(MAX(confirm_code_failures) AS BIGINT) FROM users")
            .await,
        5
    );
    assert_eq!(post_code(&app.browser, &code).await.status(), 422);
}

#[tokio::test]
async fn a_code_expires_after_confirm_code_ttl_and_a_resend_replaces_it() {
    let app = spawn_app_with()
        .set("CONFIRM_CODE_TTL", "15m")
        .start()
        .await;
    let email = unique_email();
    let (_, first) = sign_up(&app, &app.browser, &email).await;
    app.clock.advance(std::time::Duration::from_secs(16 * 60));
    assert_eq!(post_code(&app.browser, &first).await.status(), 422);

    app.post_form("/confirm/resend", &[("email", &email)]).await;
    let emails = app.smtp.wait_for(&email, 2).await;
    let second = code_in(&emails[1]);
    if second != first {
        assert_eq!(
            post_code(&app.browser, &first).await.status(),
            422,
            "the old code no longer works"
        );
    }
    assert_eq!(
        location(&post_code(&app.browser, &second).await),
        "/account"
    );
}

#[tokio::test]
async fn a_right_code_in_a_browser_without_the_binding_asks_for_the_password() {
    let app = spawn_app().await;
    let email = unique_email();
    sign_up(&app, &app.browser, &email).await;
    // Another browser signs up with the same address: it never gets the binding.
    let other = app.new_browser();
    let (_, code) = sign_up(&app, &other, &email).await;

    let page = post_code(&other, &code).await;

    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"password\"") && html.contains("name=\"new_password\""));
    assert!(!is_confirmed(&app, &email).await);
    let token = form_value(&html, "token").unwrap();
    let confirmed = other
        .post_form("/confirm", &[("token", &token), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&confirmed), "/account");
}

#[tokio::test]
async fn pre_stuffing_fails_the_victim_takes_the_account_and_the_attacker_binding_dies() {
    let app = spawn_app().await;
    let victim = unique_email();
    let attacker = app.new_browser();
    attacker
        .signup(&victim, "the attacker's own chosen passphrase")
        .await;
    app.smtp.wait_for(&victim, 1).await;

    // The victim signs up too, and types the code from the newest email.
    let owner = app.new_browser();
    let (_, code) = sign_up(&app, &owner, &victim).await;
    let page = post_code(&owner, &code).await.text().await.unwrap();
    assert!(!is_confirmed(&app, &victim).await, "not without a password");
    let token = form_value(&page, "token").unwrap();
    let wrong = owner
        .post_form("/confirm", &[("token", &token), ("password", PASSWORD)])
        .await;
    assert_eq!(
        wrong.status(),
        422,
        "the victim does not know the attacker's password"
    );
    assert!(!is_confirmed(&app, &victim).await);

    let taken = owner
        .post_form(
            "/confirm",
            &[("token", &token), ("new_password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(location(&taken), "/account");
    assert!(is_confirmed(&app, &victim).await);

    let continued = attacker.post_form("/signup/continue", &[]).await;
    assert_eq!(
        location(&continued),
        "/login",
        "the attacker's binding is dead"
    );
    assert_eq!(location(&attacker.get("/account").await), "/login");
    assert_eq!(
        attacker
            .login(&victim, "the attacker's own chosen passphrase")
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn continue_logs_the_signing_up_browser_in_after_a_confirmation_with_its_password() {
    let app = spawn_app().await;
    let email = unique_email();
    let (link, _) = sign_up(&app, &app.browser, &email).await;
    let pending = app.post_form("/signup/continue", &[]).await;
    assert_eq!(pending.status(), 200);
    assert!(pending.text().await.unwrap().contains("not confirmed yet"));

    let phone = app.new_browser();
    assert_eq!(
        location(&phone.confirm(&link, &[("password", PASSWORD)]).await),
        "/account"
    );
    let continued = app.post_form("/signup/continue", &[]).await;

    assert_eq!(location(&continued), "/account");
    assert_eq!(app.get("/account").await.status(), 200);
}

#[tokio::test]
async fn continue_leads_to_login_after_a_confirmation_with_a_new_password() {
    let app = spawn_app().await;
    let email = unique_email();
    let (link, _) = sign_up(&app, &app.browser, &email).await;
    let phone = app.new_browser();
    assert_eq!(
        location(
            &phone
                .confirm(&link, &[("new_password", NEW_PASSWORD)])
                .await
        ),
        "/account"
    );

    let continued = app.post_form("/signup/continue", &[]).await;

    assert_eq!(location(&continued), "/login");
    assert_eq!(location(&app.get("/account").await), "/login");
}

async fn api_confirm(app: &TestApp, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/confirmations"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_api_confirms_with_an_address_a_code_and_a_password() {
    let app = spawn_app().await;
    let email = unique_email();
    let (_, code) = sign_up(&app, &app.browser, &email).await;

    let (wrong_status, wrong) = api_confirm(
        &app,
        json!({"email": email, "code": another_code(&code), "password": PASSWORD}),
    )
    .await;
    let (unknown_status, unknown) = api_confirm(
        &app,
        json!({"email": unique_email(), "code": code, "password": PASSWORD}),
    )
    .await;
    assert_eq!((wrong_status, unknown_status), (422, 422));
    assert!(wrong["errors"]["code"].is_string());
    assert_eq!(
        wrong, unknown,
        "an unknown address gets the answer of a wrong code"
    );

    let (status, body) = api_confirm(
        &app,
        json!({"email": email, "code": code, "password": PASSWORD}),
    )
    .await;
    assert_eq!((status, body["status"].as_str()), (200, Some("confirmed")));
    assert!(is_confirmed(&app, &email).await);

    let (again, again_body) = api_confirm(
        &app,
        json!({"email": email, "code": code, "password": PASSWORD}),
    )
    .await;
    assert_eq!(again, 422, "a confirmed address has no pending code");
    assert_eq!(again_body, wrong);
}

#[tokio::test]
async fn the_api_takes_a_new_password_with_the_code() {
    let app = spawn_app().await;
    let email = unique_email();
    let (_, code) = sign_up(&app, &app.new_browser(), &email).await;

    let (status, _) = api_confirm(
        &app,
        json!({"email": email, "code": code, "new_password": NEW_PASSWORD}),
    )
    .await;

    assert_eq!(status, 200);
    assert_eq!(
        location(&app.new_browser().login(&email, NEW_PASSWORD).await),
        "/account"
    );
}

#[tokio::test]
async fn the_code_is_stored_nowhere() {
    let app = spawn_app().await;
    let email = unique_email();
    let (_, code) = sign_up(&app, &app.browser, &email).await;

    for table in ["users", "outbox", "sessions", "limits"] {
        let dump = table_as_text(&app, table).await;
        assert!(!dump.contains(&code), "{table} holds the code");
    }
}

async fn table_as_text(app: &TestApp, table: &str) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT * FROM {table}"),
        ))
        .await
        .unwrap();
    rows.iter().map(|row| format!("{row:?}")).collect()
}

#[tokio::test]
async fn signing_up_with_a_new_and_a_known_address_sets_the_same_cookies() {
    let app = spawn_app().await;
    let known = unique_email();
    sign_up(&app, &app.new_browser(), &known).await;

    let mut shapes = Vec::new();
    for email in [unique_email(), known] {
        let browser = app.new_browser();
        browser.csrf_token().await;
        let response = browser.signup(&email, PASSWORD).await;
        let cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|value| {
                let text = value.to_str().unwrap();
                // Name and attributes; the value differs by nature.
                let (name, rest) = text.split_once('=').unwrap();
                let attributes = rest.split_once(';').map_or("", |(_, rest)| rest);
                format!("{name};{attributes}")
            })
            .collect();
        shapes.push((response.status().as_u16(), location(&response), cookies));
    }
    assert_eq!(shapes[0], shapes[1]);
    assert!(
        shapes[0]
            .2
            .iter()
            .any(|cookie| cookie.starts_with("doorman_session;")),
        "{shapes:?}"
    );
}
