use std::time::Duration;

use crate::helpers::{PASSWORD, location, spawn_app, spawn_app_with, unique_email};

const NEW_PASSWORD: &str = "a brand new passphrase for me";

/// Asks for a reset link for `email` and returns it from the email that arrived.
async fn reset_link(app: &crate::helpers::TestApp, email: &str) -> String {
    let before = app.smtp.to(email).len();
    let response = app.post_form("/password/forgot", &[("email", email)]).await;
    assert_eq!(location(&response), "/password/forgot/sent");
    let emails = app.smtp.wait_for(email, before + 1).await;
    let reset = emails.last().unwrap();
    assert_eq!(reset.subject(), "Reset your password");
    reset.link("/password/reset/")
}

async fn post_reset(
    app: &crate::helpers::TestApp,
    link: &str,
    password: &str,
) -> reqwest::Response {
    let token = link.rsplit('/').next().unwrap().to_owned();
    app.post_form(
        "/password/reset",
        &[("token", &token), ("password", password)],
    )
    .await
}

#[tokio::test]
async fn forgot_password_answers_the_same_for_known_and_unknown_addresses() {
    let app = spawn_app().await;
    let known = unique_email();
    let unknown = unique_email();
    app.confirmed_user(&known).await;

    let for_known = app
        .post_form("/password/forgot", &[("email", &known)])
        .await;
    let for_unknown = app
        .post_form("/password/forgot", &[("email", &unknown)])
        .await;

    assert_eq!(for_known.status(), 303);
    assert_eq!(for_unknown.status(), for_known.status());
    assert_eq!(location(&for_unknown), location(&for_known));
    assert_eq!(
        for_unknown.text().await.unwrap(),
        for_known.text().await.unwrap()
    );
    app.smtp.wait_for(&known, 2).await;
    app.outbox_settled().await;
    assert!(app.smtp.to(&unknown).is_empty());
    let sent = app.get("/password/forgot/sent").await;
    assert!(sent.text().await.unwrap().contains("Check your inbox"));
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_sends_to_login() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let link = reset_link(&app, &email).await;

    let form = app.get_link(&link).await;
    assert_eq!(form.status(), 200);
    assert_eq!(form.headers()["referrer-policy"], "no-referrer");
    assert_eq!(form.headers()["cache-control"], "no-store");
    assert!(
        form.text()
            .await
            .unwrap()
            .contains(&format!("Choose a new password for {email}"))
    );

    let weak = post_reset(&app, &link, "too short").await;
    assert_eq!(weak.status(), 422);
    assert!(
        weak.text()
            .await
            .unwrap()
            .contains("Use at least 15 characters.")
    );

    let done = post_reset(&app, &link, NEW_PASSWORD).await;
    assert_eq!(
        (done.status().as_u16(), location(&done)),
        (303, "/login".to_owned())
    );
    assert_eq!(
        app.get("/account").await.status(),
        303,
        "no automatic login"
    );

    let changed = app.smtp.wait_for(&email, 3).await;
    assert_eq!(
        changed.last().unwrap().subject(),
        "Your password was changed"
    );
    assert_eq!(app.login(&email, PASSWORD).await.status(), 401);
    assert_eq!(location(&app.login(&email, NEW_PASSWORD).await), "/account");

    // Single use: the fingerprint covered the old password hash.
    assert_eq!(app.get_link(&link).await.status(), 400);
    assert_eq!(
        post_reset(&app, &link, "yet another passphrase here")
            .await
            .status(),
        400
    );
}

#[tokio::test]
async fn a_reset_ends_every_session() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let laptop = app.logged_in_elsewhere(&email).await;

    let link = reset_link(&app, &email).await;
    post_reset(&app, &link, NEW_PASSWORD).await;

    for browser in [&app.browser, &laptop] {
        let account = browser.get("/account").await;
        assert_eq!(
            (account.status().as_u16(), location(&account)),
            (303, "/login".to_owned())
        );
    }
}

#[tokio::test]
async fn a_reset_confirms_an_unconfirmed_address() {
    let app = spawn_app().await;
    let email = unique_email();
    app.signup_and_get_link(&email).await;
    let link = reset_link(&app, &email).await;

    post_reset(&app, &link, NEW_PASSWORD).await;

    assert!(app.user(&email).await.unwrap().confirmed);
    assert_eq!(location(&app.login(&email, NEW_PASSWORD).await), "/account");
}

#[tokio::test]
async fn an_expired_reset_link_is_410_and_a_forged_one_400() {
    let app = spawn_app_with().set("RESET_TOKEN_TTL", "1s").start().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let link = reset_link(&app, &email).await;
    assert!(app.smtp.latest(&email).await.text().contains("one second"));

    app.clock.advance(Duration::from_secs(4));

    let expired = app.get_link(&link).await;
    assert_eq!(expired.status(), 410);
    assert!(
        expired
            .text()
            .await
            .unwrap()
            .contains("href=\"/password/forgot\"")
    );
    assert_eq!(post_reset(&app, &link, NEW_PASSWORD).await.status(), 410);
    assert_eq!(app.get("/password/reset/not-a-token").await.status(), 400);
    // A confirmation link is not a reset link.
    let other = unique_email();
    let confirm_link = app.signup_and_get_link(&other).await;
    let token = confirm_link.rsplit('/').next().unwrap();
    assert_eq!(
        app.get(&format!("/password/reset/{token}")).await.status(),
        400
    );
}
