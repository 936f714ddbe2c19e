//! The pre-sign-up hook (SPEC §16) with a real HTTP receiver in this process: allowed,
//! refused with a message, refused without one, and one that hangs past 3 s.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn_app_with, unique_email};
use crate::json_api::post_json;
use crate::webhooks::{Answer, Receiver, secret, signature_holds};

/// Addresses starting `refuse` are refused with a message, `quiet` without one, `hang`
/// get no answer; the rest are allowed.
async fn hook() -> Receiver {
    Receiver::answering(|_, body| {
        let email = serde_json::from_str::<Value>(body).unwrap()["data"]["email"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if email.starts_with("refuse") {
            Answer::Json(
                StatusCode::FORBIDDEN,
                json!({"message": "Use your work address."}),
            )
        } else if email.starts_with("quiet") {
            Answer::Json(StatusCode::UNPROCESSABLE_ENTITY, json!({}))
        } else if email.starts_with("hang") {
            Answer::Hang
        } else {
            Answer::Accept
        }
    })
    .await
}

async fn app_asking(hook: &Receiver) -> TestApp {
    spawn_app_with()
        .set("SIGNUP_HOOK_URL", &hook.url)
        .set("WEBHOOK_SECRET", &secret())
        .start()
        .await
}

#[tokio::test]
async fn the_hook_is_asked_signed_for_every_valid_sign_up_and_its_yes_lets_it_in() {
    let hook = hook().await;
    let app = app_asking(&hook).await;
    let email = unique_email();

    let response = app.signup(&email, PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert!(app.user(&email).await.is_some());

    let asked = hook.deliveries();
    assert_eq!(asked.len(), 1);
    assert!(signature_holds(&asked[0]), "signed like the webhooks");
    let body = asked[0].json();
    assert_eq!(body["type"], "user.before_register");
    assert_eq!(body["data"]["email"], email.as_str());
    assert_eq!(body["data"]["locale"], "en");
    assert_eq!(body["data"]["ip"], "127.0.0.1");
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));

    // Asked again for an address that has an account: its answer reveals nothing.
    app.new_browser().signup(&email, PASSWORD).await;
    assert_eq!(hook.deliveries().len(), 2);
    // Not asked for a sign-up that fails the form's own rules.
    app.new_browser().signup("not an address", PASSWORD).await;
    assert_eq!(hook.deliveries().len(), 2);
}

#[tokio::test]
async fn a_refusal_is_422_with_the_hooks_message_on_the_form_and_the_api() {
    let hook = hook().await;
    let app = app_asking(&hook).await;

    for (email, message) in [
        (
            format!("refuse-{}", unique_email()),
            "Use your work address.",
        ),
        (
            format!("quiet-{}", unique_email()),
            "This sign-up was refused.",
        ),
    ] {
        let page = app.new_browser().signup(&email, PASSWORD).await;
        assert_eq!(page.status(), 422, "{email}");
        assert!(page.text().await.unwrap().contains(message), "{email}");

        let (status, _, problem) = post_json(
            &app,
            "/api/v1/registrations",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(problem["errors"]["email"], message);
        assert!(app.user(&email).await.is_none());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
}

#[tokio::test]
async fn a_hook_that_does_not_answer_in_3_seconds_is_503_try_again_later() {
    let hook = hook().await;
    let app = app_asking(&hook).await;
    let email = format!("hang-{}", unique_email());

    let started = Instant::now();
    let page = app.signup(&email, PASSWORD).await;
    let waited = started.elapsed();

    assert_eq!(page.status(), 503);
    assert!(page.text().await.unwrap().contains("try again"));
    assert!(
        waited >= Duration::from_millis(2_900) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
    assert!(app.user(&email).await.is_none());
}
