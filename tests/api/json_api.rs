use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn_app, spawn_app_with, unique_email};

pub(crate) async fn post_json(app: &TestApp, path: &str, body: &Value) -> (u16, String, Value) {
    // A client with no cookies at all: the API needs none.
    let response = reqwest::Client::new()
        .post(app.url(path))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let json = response.json().await.unwrap_or(Value::Null);
    (status, content_type, json)
}

pub(crate) fn assert_problem(content_type: &str, body: &Value, status: u16) {
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["status"], status);
    assert_eq!(body["type"], "about:blank");
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
}

#[tokio::test]
async fn registering_is_202_pending_and_the_token_only_travels_by_email() {
    let app = spawn_app().await;
    let email = unique_email();

    let (status, _, body) = post_json(
        &app,
        "/api/v1/registrations",
        &json!({"email": email, "password": PASSWORD}),
    )
    .await;

    assert_eq!(status, 202);
    assert_eq!(body, json!({"status": "pending_confirmation"}));
    assert!(!app.user(&email).await.unwrap().confirmed);
    let link = app.smtp.latest(&email).await.link("/confirm/");
    let token = link.rsplit('/').next().unwrap();
    assert!(!body.to_string().contains(token));

    let (status, _, again) = post_json(
        &app,
        "/api/v1/registrations",
        &json!({"email": email, "password": PASSWORD}),
    )
    .await;
    assert_eq!(
        (status, again),
        (202, json!({"status": "pending_confirmation"})),
        "no enumeration"
    );
}

#[tokio::test]
async fn invalid_registrations_are_422_problems_with_per_field_errors() {
    let app = spawn_app().await;
    let (status, content_type, body) = post_json(
        &app,
        "/api/v1/registrations",
        &json!({"email": "nope", "password": "short"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_problem(&content_type, &body, 422);
    assert_eq!(
        body["errors"]["email"],
        "Enter an email address like name@example.com."
    );
    assert!(
        body["errors"]["password"]
            .as_str()
            .unwrap()
            .contains("at least 15")
    );

    let (status, _, body) = post_json(&app, "/api/v1/registrations", &json!({})).await;
    assert_eq!(status, 422);
    assert!(body["errors"]["email"].is_string() && body["errors"]["password"].is_string());
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn malformed_api_requests_are_problems_too() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let url = app.url("/api/v1/registrations");
    let cases: Vec<(&str, Option<&str>, Vec<u8>, u16)> = vec![
        (
            "no content type",
            None,
            br#"{"email":"a@example.com"}"#.to_vec(),
            415,
        ),
        (
            "a form body",
            Some("application/x-www-form-urlencoded"),
            b"email=a".to_vec(),
            415,
        ),
        (
            "malformed JSON",
            Some("application/json"),
            b"{\"email\": ".to_vec(),
            400,
        ),
        (
            "JSON of the wrong shape",
            Some("application/json"),
            b"[1, 2, 3]".to_vec(),
            400,
        ),
        (
            "a number for the email",
            Some("application/json"),
            br#"{"email": 5}"#.to_vec(),
            400,
        ),
        (
            "invalid UTF-8",
            Some("application/json"),
            b"{\"email\": \"\xff\"}".to_vec(),
            400,
        ),
        (
            "over 16 KiB",
            Some("application/json"),
            format!("{{\"email\": \"{}\"}}", "a".repeat(17_000)).into_bytes(),
            413,
        ),
    ];
    for (what, content_type, body, expected) in cases {
        let mut request = client.post(&url).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), expected, "{what}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let body: Value = response.json().await.unwrap();
        assert_problem(&content_type, &body, expected);
    }
    let missing = client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
    let wrong_method = client
        .get(app.url("/api/v1/registrations"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn confirming_through_the_api() {
    let app = spawn_app().await;
    let email = unique_email();
    post_json(
        &app,
        "/api/v1/registrations",
        &json!({"email": email, "password": PASSWORD}),
    )
    .await;
    let link = app.smtp.latest(&email).await.link("/confirm/");
    let token = link.rsplit('/').next().unwrap();

    let (status, content_type, body) = post_json(
        &app,
        "/api/v1/confirmations",
        &json!({"token": token, "password": "wrong password here"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_problem(&content_type, &body, 422);
    assert!(body["errors"]["password"].is_string());
    let (status, _, _) = post_json(&app, "/api/v1/confirmations", &json!({"token": token})).await;
    assert_eq!(status, 422, "a password or new_password is required");

    let (status, _, body) = post_json(
        &app,
        "/api/v1/confirmations",
        &json!({"token": token, "password": PASSWORD}),
    )
    .await;
    assert_eq!((status, body), (200, json!({"status": "confirmed"})));
    assert!(app.user(&email).await.unwrap().confirmed);

    let (status, _, body) = post_json(
        &app,
        "/api/v1/confirmations",
        &json!({"token": token, "password": PASSWORD}),
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({"status": "already_confirmed"}))
    );

    let (status, content_type, body) = post_json(
        &app,
        "/api/v1/confirmations",
        &json!({"token": "garbage", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 400);
    assert_problem(&content_type, &body, 400);
    assert_eq!(body["detail"], "Error decoding signature.");
}

#[tokio::test]
async fn confirming_with_a_new_password_and_an_expired_token() {
    let app = spawn_app_with()
        .set("CONFIRM_TOKEN_TTL", "1s")
        .start()
        .await;
    let fresh = unique_email();
    let stale = unique_email();
    for email in [&fresh, &stale] {
        post_json(
            &app,
            "/api/v1/registrations",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    }
    let stale_link = app.smtp.latest(&stale).await.link("/confirm/");
    app.clock.advance(std::time::Duration::from_secs(4));
    let (status, _, body) = post_json(
        &app,
        "/api/v1/confirmations",
        &json!({"token": stale_link.rsplit('/').next().unwrap(), "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 410);
    assert_eq!(body["detail"], "Signature has expired.");

    post_json(
        &app,
        "/api/v1/confirmations/resend",
        &json!({"email": fresh}),
    )
    .await;
    let link = app
        .smtp
        .wait_for(&fresh, 2)
        .await
        .pop()
        .unwrap()
        .link("/confirm/");
    let (status, _, body) = post_json(
        &app,
        "/api/v1/confirmations",
        &json!({"token": link.rsplit('/').next().unwrap(), "new_password": "short"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["new_password"].is_string());
    let (status, _, _) = post_json(
        &app,
        "/api/v1/confirmations",
        &json!({"token": link.rsplit('/').next().unwrap(), "new_password": "a completely new passphrase"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        crate::helpers::location(&app.login(&fresh, "a completely new passphrase").await),
        "/account"
    );
}

#[tokio::test]
async fn resending_through_the_api_is_202_for_any_address() {
    let app = spawn_app().await;
    let pending = unique_email();
    post_json(
        &app,
        "/api/v1/registrations",
        &json!({"email": pending, "password": PASSWORD}),
    )
    .await;
    for email in [pending.as_str(), "nobody@example.com", "not an address"] {
        let (status, _, body) = post_json(
            &app,
            "/api/v1/confirmations/resend",
            &json!({"email": email}),
        )
        .await;
        assert_eq!(
            (status, body),
            (202, json!({"status": "accepted"})),
            "{email}"
        );
    }
    app.smtp.wait_for(&pending, 2).await;
}

#[tokio::test]
async fn the_api_rate_limit_answers_with_a_problem() {
    let app = spawn_app_with()
        .set("RATE_LIMIT_PER_MINUTE", "2")
        .start()
        .await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let (status, content_type, body) = post_json(
            &app,
            "/api/v1/confirmations/resend",
            &json!({"email": "a@example.com"}),
        )
        .await;
        if status == 429 {
            assert_problem(&content_type, &body, 429);
        }
        statuses.push(status);
    }
    assert_eq!(statuses, [202, 202, 429]);
}

/// Found by schemathesis: serde reads a struct from a JSON array, field by field in order,
/// so `["a@b.c", "password"]` was a registration and `[]` a resend.
#[tokio::test]
async fn a_json_array_is_refused_on_every_endpoint() {
    let app = spawn_app().await;
    let email = unique_email();
    for (path, body) in [
        ("/api/v1/registrations", json!([email, PASSWORD])),
        ("/api/v1/confirmations", json!(["token", PASSWORD])),
        ("/api/v1/confirmations/resend", json!([])),
        ("/api/v1/confirmations/resend", json!("a@example.com")),
    ] {
        let (status, content_type, problem) = post_json(&app, path, &body).await;
        assert_eq!(status, 400, "{path} {body}");
        assert_problem(&content_type, &problem, 400);
    }
    assert!(app.user(&email).await.is_none(), "no account from an array");
}

/// Found by schemathesis: the document says `email` may be `null`; the answer is the one
/// for an address without an account, not a 400.
#[tokio::test]
async fn a_resend_with_a_null_email_is_accepted_like_any_address() {
    let app = spawn_app().await;

    let (status, _, body) = post_json(
        &app,
        "/api/v1/confirmations/resend",
        &json!({"email": null}),
    )
    .await;

    assert_eq!(status, 202);
    assert_eq!(body, json!({"status": "accepted"}));
}
