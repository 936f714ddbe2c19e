//! Who may sign up (SPEC §16): the sign-up mode, allowed and blocked domains, disposable
//! addresses, on the form, the API and the address change alike.

use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, TestSmtp, spawn_app, spawn_app_with, unique_email};
use crate::json_api::{assert_problem, post_json};

async fn queued_emails(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM outbox").await
}

/// The form and the API refuse `email` with `422` on the `email` field, write nothing
/// and queue nothing.
async fn assert_refused(app: &TestApp, email: &str) {
    let queued = queued_emails(app).await;
    let users = app.count("SELECT COUNT(*) FROM users").await;

    let page = app.signup(email, PASSWORD).await;
    assert_eq!(page.status(), 422, "{email}");
    let body = page.text().await.unwrap();
    assert!(
        body.contains("Addresses at this domain cannot be used here"),
        "{email}: {body}"
    );

    let (status, content_type, problem) = post_json(
        app,
        "/api/v1/registrations",
        &json!({"email": email, "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 422, "{email}");
    assert_problem(&content_type, &problem, 422);
    assert!(
        problem["errors"]["email"]
            .as_str()
            .is_some_and(|message| message.contains("domain")),
        "{problem}"
    );

    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users);
    assert_eq!(
        queued_emails(app).await,
        queued,
        "nothing queued for {email}"
    );
}

#[tokio::test]
async fn a_blocked_domain_is_refused_the_same_whether_or_not_the_address_has_an_account() {
    let smtp = std::sync::Arc::new(TestSmtp::start());
    let app = spawn_app_with().smtp(smtp.clone()).start().await;
    let existing = unique_email().replace("example.com", "old.example.net");
    app.confirmed_user(&existing).await;

    let app = app
        .restart(
            &[("SIGNUP_BLOCKED_DOMAINS", "*.example.net, blocked.example")],
            smtp,
        )
        .await;

    assert_refused(&app, &existing).await;
    assert_refused(
        &app,
        &unique_email().replace("example.com", "new.example.net"),
    )
    .await;
    assert_refused(
        &app,
        &unique_email().replace("example.com", "BLOCKED.example"),
    )
    .await;
    // Other domains still sign up.
    assert_eq!(app.signup(&unique_email(), PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn only_allowed_domains_sign_up_when_there_is_a_list() {
    let app = spawn_app_with()
        .set("SIGNUP_ALLOWED_DOMAINS", "example.com,*.corp.example")
        .start()
        .await;

    assert_refused(&app, "ada@gmail.example").await;
    assert_refused(&app, "ada@corp.example").await;
    for allowed in [
        unique_email(),
        unique_email().replace("example.com", "eu.corp.example"),
    ] {
        let response = app.signup(&allowed, PASSWORD).await;
        assert_eq!(response.status(), 303, "{allowed}");
        assert!(app.user(&allowed).await.is_some());
    }
}

#[tokio::test]
async fn disposable_addresses_are_refused_unless_turned_off() {
    let app = spawn_app().await;
    assert_refused(&app, "throwaway@mailinator.com").await;
    assert_refused(&app, "throwaway@any.yopmail.com").await;

    let lenient = spawn_app_with()
        .set("SIGNUP_BLOCK_DISPOSABLE", "false")
        .start()
        .await;
    assert_eq!(
        lenient
            .signup("throwaway@mailinator.com", PASSWORD)
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn an_address_change_to_a_refused_domain_is_422_and_sends_nothing() {
    let app = spawn_app_with()
        .set("SIGNUP_BLOCKED_DOMAINS", "blocked.example")
        .start()
        .await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let queued = queued_emails(&app).await;

    for refused in ["me@blocked.example", "me@mailinator.com"] {
        let response = app
            .post_form(
                "/account/email",
                &[("email", refused), ("current_password", PASSWORD)],
            )
            .await;
        assert_eq!(response.status(), 422, "{refused}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Addresses at this domain cannot be used here")
        );
    }
    assert_eq!(queued_emails(&app).await, queued);
    assert!(app.user(&email).await.is_some(), "the address is unchanged");
}

#[tokio::test]
async fn invite_only_and_closed_sign_up_say_so_with_403_and_create_nothing() {
    for (mode, words) in [
        ("invite", "by invitation only"),
        ("closed", "New accounts cannot be created here"),
    ] {
        let app = spawn_app_with().set("SIGNUP", mode).start().await;
        let email = unique_email();

        let page = app.get("/signup").await;
        assert_eq!(page.status(), 403, "{mode}");
        assert!(page.text().await.unwrap().contains(words), "{mode}");

        for page in ["/", "/login", "/password/forgot"] {
            let html = app.get(page).await.text().await.unwrap();
            assert!(
                !html.contains("href=\"/signup"),
                "{mode}: {page} offers sign-up"
            );
        }

        let posted = app.signup(&email, PASSWORD).await;
        assert_eq!(posted.status(), 403, "{mode}");

        let (status, content_type, problem) = post_json(
            &app,
            "/api/v1/registrations",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
        assert_eq!(status, 403, "{mode}");
        assert_problem(&content_type, &problem, 403);

        assert!(app.user(&email).await.is_none(), "{mode}");
        assert_eq!(queued_emails(&app).await, 0, "{mode}");
    }
}

#[tokio::test]
async fn without_open_sign_up_a_sign_in_email_to_an_unknown_address_offers_none() {
    let app = spawn_app_with().set("SIGNUP", "invite").start().await;
    let email = unique_email();

    let asked = app.post_form("/login/email", &[("email", &email)]).await;
    assert_eq!(asked.status(), 303);

    let received = app.smtp.latest(&email).await;
    assert_eq!(received.subject(), "There is no account with this address");
    assert!(!received.text().contains("/signup"), "{}", received.text());
    assert!(!received.html().contains("/signup"));
    assert!(received.text().contains("created by invitation"));
}
