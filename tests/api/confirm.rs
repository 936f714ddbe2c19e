use std::time::Duration;

use doorman::internals::{Keyring, SecretKey};
use doorman::internals::{Purpose, Tokens};

use crate::helpers::{PASSWORD, location, spawn_app, spawn_app_with, unique_email};

#[tokio::test]
async fn the_whole_loop_sign_up_confirm_log_out_log_in() {
    let app = spawn_app().await;
    let email = unique_email();
    let link = app.signup_and_get_link(&email).await;

    // The person opens the link on another device: a fresh browser.
    let phone = app.new_browser();
    let page = phone.get_link(&link).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    // `private` too: the page also sets this new browser's CSRF cookie.
    assert_eq!(page.headers()["cache-control"], "private, no-store");
    let body = page.text().await.unwrap();
    assert!(body.contains(&format!("Confirm your account for {email}")));
    assert_eq!(body.matches("<button").count(), 1, "one button");

    let response = phone.confirm(&link, &[("password", PASSWORD)]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/account");
    assert!(app.user(&email).await.unwrap().confirmed);

    let account = phone.get("/account").await;
    assert_eq!(account.status(), 200);
    let body = account.text().await.unwrap();
    assert!(body.contains(&email));
    assert!(body.contains("Member since"));

    let logout = phone.post_form("/logout", &[]).await;
    assert_eq!(
        (logout.status().as_u16(), location(&logout)),
        (303, "/".to_owned())
    );
    let account = phone.get("/account").await;
    assert_eq!(
        (account.status().as_u16(), location(&account)),
        (303, "/login".to_owned())
    );

    // Back on the first device, log in.
    let login = app.login(&email, PASSWORD).await;
    assert_eq!(
        (login.status().as_u16(), location(&login)),
        (303, "/account".to_owned())
    );
    assert_eq!(app.get("/account").await.status(), 200);
}

#[tokio::test]
async fn opening_the_link_never_activates_the_account() {
    let app = spawn_app().await;
    let email = unique_email();
    let link = app.signup_and_get_link(&email).await;

    for _ in 0..3 {
        assert_eq!(app.get_link(&link).await.status(), 200);
        // A scanner that follows the link and sends HEAD changes nothing either.
        app.client.head(app.local(&link)).send().await.unwrap();
    }

    assert!(!app.user(&email).await.unwrap().confirmed);
}

#[tokio::test]
async fn a_wrong_password_at_confirmation_is_422_offers_a_new_password_and_changes_nothing() {
    let app = spawn_app().await;
    let email = unique_email();
    let link = app.signup_and_get_link(&email).await;

    let response = app
        .confirm(&link, &[("password", "not the password at all")])
        .await;

    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("That is not the password chosen at sign-up"));
    assert!(body.contains("name=\"new_password\""));
    assert!(!body.contains("not the password at all"));
    assert!(!app.user(&email).await.unwrap().confirmed);
    assert_eq!(app.get("/account").await.status(), 303);
}

#[tokio::test]
async fn confirming_with_a_new_password_replaces_the_one_chosen_at_sign_up() {
    let app = spawn_app().await;
    let email = unique_email();
    let link = app.signup_and_get_link(&email).await;
    let new_password = "a completely different passphrase";

    let response = app.confirm(&link, &[("new_password", new_password)]).await;

    assert_eq!(location(&response), "/account");
    assert!(app.user(&email).await.unwrap().confirmed);
    app.post_form("/logout", &[]).await;
    assert_eq!(app.login(&email, PASSWORD).await.status(), 401);
    assert_eq!(location(&app.login(&email, new_password).await), "/account");
}

#[tokio::test]
async fn a_new_password_must_meet_the_policy() {
    let app = spawn_app().await;
    let email = unique_email();
    let link = app.signup_and_get_link(&email).await;

    let response = app.confirm(&link, &[("new_password", "short")]).await;

    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Use at least 15 characters.")
    );
    assert!(!app.user(&email).await.unwrap().confirmed);
}

#[tokio::test]
async fn a_spent_link_says_already_confirmed_on_get_and_post() {
    let app = spawn_app().await;
    let email = unique_email();
    let link = app.signup_and_get_link(&email).await;
    app.confirm(&link, &[("password", PASSWORD)]).await;

    let page = app.get_link(&link).await;
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains("already confirmed"));
    assert!(body.contains("href=\"/login\""));

    let again = app.confirm(&link, &[("password", PASSWORD)]).await;
    assert_eq!(again.status(), 200);
    assert!(again.text().await.unwrap().contains("already confirmed"));
}

#[tokio::test]
async fn an_expired_link_is_410_with_a_prefilled_resend_form() {
    let app = spawn_app_with()
        .set("CONFIRM_TOKEN_TTL", "1s")
        .start()
        .await;
    let email = unique_email();
    let link = app.signup_and_get_link(&email).await;
    assert_eq!(app.get_link(&link).await.status(), 200);

    // Past the lifetime (1 s) plus the verification leeway (2 s).
    app.clock.advance(Duration::from_secs(4));

    let page = app.get_link(&link).await;
    assert_eq!(page.status(), 410);
    let body = page.text().await.unwrap();
    assert!(body.contains("This link has expired"));
    assert!(body.contains(&format!("value=\"{email}\"")));
    let post = app.confirm(&link, &[("password", PASSWORD)]).await;
    assert_eq!(post.status(), 410);
    assert!(!app.user(&email).await.unwrap().confirmed);
}

#[tokio::test]
async fn tampered_malformed_and_foreign_links_are_400() {
    let app = spawn_app().await;
    let email = unique_email();
    let link = app.signup_and_get_link(&email).await;
    let token = link.rsplit('/').next().unwrap().to_owned();
    let (header, rest) = token.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    let flipped = {
        let mut chars: Vec<char> = signature.chars().collect();
        chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect::<String>()
    };
    let stranger = Tokens::new(Keyring::new(&SecretKey::new(vec![9; 32]), &[]));
    let user_id = app.user(&email).await.unwrap().id;
    let foreign = stranger.mint(
        Purpose::Confirm,
        user_id,
        &email,
        &[&email, ""],
        Duration::from_secs(600),
    );

    let cases = [
        ("bad signature", format!("{header}.{payload}.{flipped}")),
        (
            "payload swapped",
            format!("{header}.{}.{signature}", "eyJzdWIiOiIxIn0"),
        ),
        ("truncated", token[..token.len() - 5].to_owned()),
        ("not a JWT", "hello".to_owned()),
        ("signed with an unknown key", foreign.expose().to_owned()),
    ];
    for (description, bad) in cases {
        let page = app.get(&format!("/confirm/{bad}")).await;
        assert_eq!(page.status(), 400, "{description}");
        let body = page.text().await.unwrap();
        assert!(body.contains("This link is not valid"), "{description}");
        assert!(body.contains("action=\"/confirm/resend\""), "{description}");
        let post = app
            .post_form("/confirm", &[("token", &bad), ("password", PASSWORD)])
            .await;
        assert_eq!(post.status(), 400, "{description}");
    }
    assert!(!app.user(&email).await.unwrap().confirmed);
}

#[tokio::test]
async fn a_token_minted_for_another_purpose_is_400() {
    let secret = crate::helpers::random_hex(32);
    let app = spawn_app_with().set("SECRET_KEY", &secret).start().await;
    let email = unique_email();
    app.signup_and_get_link(&email).await;
    let user = app.user(&email).await.unwrap();
    let tokens = Tokens::new(Keyring::new(&SecretKey::new(secret.into_bytes()), &[]));
    let reset = tokens.mint(
        Purpose::Reset,
        user.id,
        &email,
        &[&user.password_hash],
        Duration::from_secs(600),
    );

    let page = app.get(&format!("/confirm/{}", reset.expose())).await;
    assert_eq!(page.status(), 400);
    let post = app
        .post_form(
            "/confirm",
            &[("token", reset.expose()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(post.status(), 400);
    assert!(!app.user(&email).await.unwrap().confirmed);
}

#[tokio::test]
async fn a_link_signed_with_the_previous_key_still_confirms_after_rotation() {
    let old_secret = crate::helpers::random_hex(32);
    let app = spawn_app_with()
        .set("SECRET_KEY", &old_secret)
        .start()
        .await;
    let email = unique_email();
    let link = app.signup_and_get_link(&email).await;
    let smtp = app.smtp.clone();

    let new_secret = crate::helpers::random_hex(32);
    let app = app
        .restart(
            &[
                ("SECRET_KEY", &new_secret),
                ("SECRET_KEY_PREVIOUS", &old_secret),
            ],
            smtp,
        )
        .await;

    assert_eq!(app.get_link(&link).await.status(), 200);
    assert_eq!(
        location(&app.confirm(&link, &[("password", PASSWORD)]).await),
        "/account"
    );
}

#[tokio::test]
async fn confirming_logs_in_under_a_new_session_id() {
    let app = spawn_app().await;
    let email = unique_email();
    let link = app.signup_and_get_link(&email).await;
    // This browser already has a session (logged in as someone else): an id an attacker
    // could have planted.
    app.confirmed_user(&unique_email()).await;
    let before = app.cookie("doorman_session").expect("a session cookie");

    app.confirm(&link, &[("password", PASSWORD)]).await;

    let after = app.cookie("doorman_session").expect("a session cookie");
    assert_ne!(before, after, "the session id changes at confirmation");
    let account = app.get("/account").await.text().await.unwrap();
    assert!(
        account.contains(&email),
        "now logged in as the confirmed user"
    );
}
