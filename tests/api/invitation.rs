//! Invitations (SPEC §16): sent by the CLI, the console or the admin API; the link's page
//! creates a confirmed account once.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::console::{admin, admin_key};
use crate::helpers::{
    PASSWORD, TestApp, TestSmtp, form_value, location, spawn_app, spawn_app_with, unique_email,
};

async fn invitation_link(app: &TestApp, email: &str) -> String {
    let invitation = app.smtp.latest(email).await;
    assert_eq!(invitation.subject(), "You are invited to create an account");
    invitation.link("/invite/")
}

async fn invite_by_api(app: &TestApp, key: &str, body: &Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/api/v1/admin/invitations"))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_invitation_creates_a_confirmed_account_logged_in_once() {
    let app = spawn_app_with().set("SIGNUP", "invite").start().await;
    let email = unique_email();
    let invited = app
        .cli(&[
            "users",
            "invite",
            &email,
            "--return-to",
            "/account?from=invite",
        ])
        .await;
    assert_eq!(invited.code, 0, "{invited:?}");
    let link = invitation_link(&app, &email).await;
    assert!(
        app.user(&email).await.is_none(),
        "nothing exists before it is accepted"
    );

    let browser = app.new_browser();
    let page = browser.get_link(&link).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let html = page.text().await.unwrap();
    assert!(html.contains(&email), "{html}");
    let token = form_value(&html, "token").unwrap();
    assert_eq!(
        form_value(&html, "return_to").unwrap(),
        "/account?from=invite"
    );

    let weak = browser
        .post_form("/invite", &[("token", &token), ("password", "short")])
        .await;
    assert_eq!(weak.status(), 422);
    assert!(app.user(&email).await.is_none());

    let accepted = browser
        .post_form(
            "/invite",
            &[
                ("token", &token),
                ("password", PASSWORD),
                ("return_to", "/account?from=invite"),
            ],
        )
        .await;
    assert_eq!(accepted.status(), 303);
    assert_eq!(location(&accepted), "/account?from=invite");
    let user = app.user(&email).await.unwrap();
    assert!(user.confirmed, "the link proved the inbox");
    assert_eq!(browser.get("/account").await.status(), 200, "logged in");
    assert_eq!(
        app.new_browser().login(&email, PASSWORD).await.status(),
        303
    );

    // Once: the link now finds the account.
    let again = app.new_browser();
    let reopened = again.get_link(&link).await;
    assert_eq!(reopened.status(), 200);
    let html = reopened.text().await.unwrap();
    assert!(html.contains("already has an account"), "{html}");
    assert!(html.contains("href=\"/login?return_to="), "{html}");
    let replayed = again
        .post_form(
            "/invite",
            &[
                ("token", &token),
                ("password", "another long password here"),
            ],
        )
        .await;
    assert_eq!(replayed.status(), 200);
    assert_eq!(again.get("/account").await.status(), 303, "not logged in");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'invited'")
            .await,
        1
    );
}

#[tokio::test]
async fn an_invitation_to_an_address_that_signed_up_meanwhile_says_so() {
    let app = spawn_app().await;
    let email = unique_email();
    assert_eq!(app.cli(&["users", "invite", &email]).await.code, 0);
    let link = invitation_link(&app, &email).await;
    app.confirmed_user(&email).await;

    let page = app.new_browser().get_link(&link).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("already has an account")
    );

    // A second invitation to an address with an account is not sent at all.
    let before = app.smtp.to(&email).len();
    assert_eq!(app.cli(&["users", "invite", &email]).await.code, 0);
    app.outbox_settled().await;
    assert_eq!(app.smtp.to(&email).len(), before);
}

#[tokio::test]
async fn an_expired_or_forged_invitation_is_refused() {
    let app = spawn_app().await;
    let email = unique_email();
    app.cli(&["users", "invite", &email]).await;
    let link = invitation_link(&app, &email).await;

    let forged = format!("{}x", link);
    assert_eq!(app.new_browser().get_link(&forged).await.status(), 400);

    app.clock.advance(Duration::from_secs(8 * 86_400));
    let expired = app.new_browser().get_link(&link).await;
    assert_eq!(expired.status(), 410);
    assert!(
        expired
            .text()
            .await
            .unwrap()
            .contains("invitation has expired")
    );
}

#[tokio::test]
async fn closed_sign_up_sends_and_accepts_no_invitations() {
    let smtp = Arc::new(TestSmtp::start());
    let app = spawn_app_with().smtp(smtp.clone()).start().await;
    let email = unique_email();
    app.cli(&["users", "invite", &email]).await;
    let link = invitation_link(&app, &email).await;

    let app = app.restart(&[("SIGNUP", "closed")], smtp).await;
    let page = app.new_browser().get_link(&link).await;
    assert_eq!(page.status(), 403);
    let refused = app.cli(&["users", "invite", &unique_email()]).await;
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.contains("closed"), "{refused:?}");
    let key = admin_key(&app, "robot").await;
    let (status, problem) = invite_by_api(&app, &key, &json!({"email": unique_email()})).await;
    assert_eq!((status, problem["status"].clone()), (403, json!(403)));
    assert!(app.user(&email).await.is_none());
}

#[tokio::test]
async fn the_admin_api_and_the_console_send_invitations() {
    let app = spawn_app().await;
    let key = admin_key(&app, "robot").await;
    let email = unique_email();

    let (status, body) = invite_by_api(
        &app,
        &key,
        &json!({"email": email, "return_to": "/account"}),
    )
    .await;
    assert_eq!((status, body), (202, json!({"status": "accepted"})));
    let link = invitation_link(&app, &email).await;
    assert!(link.ends_with("?return_to=%2Faccount"), "{link}");

    for (body, field) in [
        (json!({"email": "not an address"}), "email"),
        (
            json!({"email": unique_email(), "return_to": "https://evil.example/"}),
            "return_to",
        ),
    ] {
        let (status, problem) = invite_by_api(&app, &key, &body).await;
        assert_eq!(status, 422, "{problem}");
        assert!(problem["errors"][field].is_string(), "{problem}");
    }
    let (status, _) = invite_by_api(&app, "wrong-key", &json!({"email": unique_email()})).await;
    assert_eq!(status, 401);

    admin(&app).await;
    let colleague = unique_email();
    let sent = app
        .post_form("/admin/invitations", &[("email", &colleague)])
        .await;
    assert_eq!(sent.status(), 303);
    assert_eq!(location(&sent), "/admin/users?notice=invited");
    invitation_link(&app, &colleague).await;
    let bad = app
        .post_form("/admin/invitations", &[("email", "nobody")])
        .await;
    assert_eq!(bad.status(), 422);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'invited'")
            .await,
        2
    );
}
