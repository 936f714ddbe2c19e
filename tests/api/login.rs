use crate::helpers::{PASSWORD, location, spawn_app, unique_email};

#[tokio::test]
async fn an_unknown_address_and_a_wrong_password_get_the_same_401() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    app.post_form("/logout", &[]).await;

    let wrong_password = app.login(&email, "not the right password").await;
    let unknown = app
        .login("nobody-here@example.com", "not the right password")
        .await;

    assert_eq!(wrong_password.status(), 401);
    assert_eq!(unknown.status(), 401);
    let wrong_body = wrong_password.text().await.unwrap();
    let unknown_body = unknown.text().await.unwrap();
    assert!(wrong_body.contains("Invalid email or password."));
    // Apart from the echoed address and the CSRF token, the pages are identical.
    let normalize = |body: &str, email: &str| {
        let token = crate::helpers::form_value(body, "csrf_token").unwrap();
        body.replace(email, "EMAIL").replace(&token, "TOKEN")
    };
    assert_eq!(
        normalize(&wrong_body, &email),
        normalize(&unknown_body, "nobody-here@example.com")
    );
}

#[tokio::test]
async fn the_right_password_for_an_unconfirmed_account_gets_403_with_a_resend_button() {
    let app = spawn_app().await;
    let email = unique_email();
    app.signup_and_get_link(&email).await;

    let response = app.login(&email, PASSWORD).await;

    assert_eq!(response.status(), 403);
    let body = response.text().await.unwrap();
    assert!(body.contains("Confirm your address first"));
    assert!(body.contains("action=\"/confirm/resend\""));
    assert!(body.contains(&format!("value=\"{email}\"")));
    assert_eq!(app.get("/account").await.status(), 303);
}

#[tokio::test]
async fn an_unconfirmed_account_with_a_wrong_password_gets_the_plain_401() {
    let app = spawn_app().await;
    let email = unique_email();
    app.signup_and_get_link(&email).await;

    assert_eq!(
        app.login(&email, "not the right password").await.status(),
        401
    );
}

#[tokio::test]
async fn logging_in_changes_the_session_id() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let first = app.cookie("doorman_session").unwrap();

    let response = app.login(&email, PASSWORD).await;

    assert_eq!(location(&response), "/account");
    assert_ne!(app.cookie("doorman_session").unwrap(), first);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    app.post_form("/logout", &[]).await;

    let response = app.login(&email, PASSWORD).await;

    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|value| value.starts_with("doorman_session="))
        .expect("a session cookie is set at login");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "BASE_URL is http here");
}

#[tokio::test]
async fn sessions_live_in_the_database_and_survive_a_restart() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
    let smtp = app.smtp.clone();

    let app = app.restart(&[], smtp).await;

    let account = app.get("/account").await;
    assert_eq!(account.status(), 200);
    assert!(account.text().await.unwrap().contains(&email));
}

#[tokio::test]
async fn anonymous_pages_write_nothing_to_the_database() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/signup",
        "/login",
        "/signup/check-email",
        "/confirm/resend",
        "/confirm/abc",
    ] {
        let response = app.get(path).await;
        assert!(response.status().as_u16() < 500, "{path}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
}
