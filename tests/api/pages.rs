use crate::helpers::{
    PASSWORD, location, spawn_app, spawn_app_with, unique_email, unused_port, wait_for,
};

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let live = app.get("/healthz").await;
    assert_eq!(live.status(), 200);
    assert_eq!(live.text().await.unwrap(), "ok");
    assert_eq!(app.get("/readyz").await.status(), 200);
}

#[tokio::test]
async fn the_dev_mailbox_shows_queued_emails_with_working_links_when_smtp_is_down() {
    let app = spawn_app_with()
        .set("SMTP_URL", &format!("smtp://127.0.0.1:{}", unused_port()))
        .start()
        .await;
    let email = unique_email();
    app.signup(&email, PASSWORD).await;

    let mailbox = app.get("/dev/mailbox").await;
    assert_eq!(mailbox.status(), 200);
    let listing = mailbox.text().await.unwrap();
    assert!(listing.contains(&email));
    assert!(listing.contains("Confirm your email address"));
    let id = listing
        .split("href=\"/dev/mailbox/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();

    let text = app
        .get(&format!("/dev/mailbox/{id}/text"))
        .await
        .text()
        .await
        .unwrap();
    let html = app
        .get(&format!("/dev/mailbox/{id}"))
        .await
        .text()
        .await
        .unwrap();
    let start = text
        .find("http://doorman.localhost/confirm/")
        .expect("a link in the text");
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert!(html.contains("http://doorman.localhost/confirm/"));

    assert_eq!(app.get_link(&link).await.status(), 200);
    assert_eq!(
        location(&app.confirm(&link, &[("password", PASSWORD)]).await),
        "/account"
    );
}

#[tokio::test]
async fn production_has_no_dev_mailbox() {
    let app = spawn_app_with().set("APP_ENV", "production").start().await;
    let response = app.get("/dev/mailbox").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let app = spawn_app().await;
    let response = app.get("/signup").await;
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.contains_key("referrer-policy"));
    assert!(
        !headers.contains_key("strict-transport-security"),
        "http BASE_URL"
    );
}

#[tokio::test]
async fn a_post_without_a_valid_csrf_token_is_403_and_does_nothing() {
    let app = spawn_app().await;
    let email = unique_email();
    let form = [("email", email.as_str()), ("password", PASSWORD)];

    let no_token = app
        .client
        .post(app.url("/signup"))
        .form(&form)
        .send()
        .await
        .unwrap();
    app.csrf_token().await; // now the browser has a CSRF cookie
    let wrong_token = app
        .client
        .post(app.url("/signup"))
        .form(&[
            ("csrf_token", "forged"),
            ("email", &email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let other_browser_token = app.new_browser().csrf_token().await;
    let stolen_token = app
        .client
        .post(app.url("/signup"))
        .form(&[
            ("csrf_token", other_browser_token.as_str()),
            ("email", &email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();

    for response in [no_token, wrong_token, stolen_token] {
        assert_eq!(response.status(), 403);
        assert!(response.text().await.unwrap().contains("Form expired"));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn malformed_requests_get_readable_4xx_pages() {
    let app = spawn_app().await;
    let token = app.csrf_token().await;
    let big = "a".repeat(20 * 1024);

    let too_large = app
        .client
        .post(app.url("/signup"))
        .form(&[("csrf_token", token.as_str()), ("email", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(too_large.status(), 413);
    assert!(too_large.text().await.unwrap().contains("Too much data"));

    let not_found = app.get("/no/such/page").await;
    assert_eq!(not_found.status(), 404);
    assert!(not_found.text().await.unwrap().contains("Page not found"));

    let wrong_method = app.client.delete(app.url("/signup")).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);

    let confirm_without_token = app.post_form("/confirm", &[("password", PASSWORD)]).await;
    assert_eq!(confirm_without_token.status(), 400);

    let json_to_a_form = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/json")
        .body(format!("{{\"csrf_token\":\"{token}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(json_to_a_form.status(), 403, "no form token in a JSON body");
}

#[tokio::test]
async fn metrics_count_sign_ups_confirmations_emails_and_requests() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    // Wait for the worker to record the send.
    let metrics = wait_for("the send in /metrics", || async {
        let text = app.metrics().await;
        text.contains("doorman_emails_sent_total 1\n")
            .then_some(text)
    })
    .await;

    for line in [
        "doorman_signups_total 1\n",
        "doorman_confirmations_total 1\n",
        "doorman_emails_sent_total 1\n",
        "doorman_outbox_depth 0\n",
        "doorman_password_hash_queue_depth 0\n",
        "doorman_http_requests_total{route=\"/signup\",status=\"303\"} 1\n",
        "doorman_http_requests_total{route=\"/confirm\",status=\"303\"} 1\n",
    ] {
        assert!(metrics.contains(line), "missing {line:?} in\n{metrics}");
    }
    assert!(!metrics.contains("eyJ"), "no token in metrics");
}
