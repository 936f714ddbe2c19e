use crate::helpers::{PASSWORD, location, spawn_app, unique_email};

#[tokio::test]
async fn signing_up_creates_an_inactive_user_and_sends_a_confirmation_email() {
    let app = spawn_app().await;
    let email = unique_email();

    let response = app.signup(&email, PASSWORD).await;

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/signup/check-email");
    let user = app.user(&email).await.expect("the user row exists");
    assert!(!user.confirmed, "a new account starts inactive");
    assert!(
        user.password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
    );

    let emails = app.smtp.wait_for(&email, 1).await;
    let confirmation = &emails[0];
    assert_eq!(confirmation.subject(), "Confirm your email address");
    assert!(confirmation.link("/confirm/").len() > 100);
}

#[tokio::test]
async fn the_confirmation_email_is_multipart_with_date_message_id_and_sender() {
    let app = spawn_app().await;
    let email = unique_email();
    app.signup(&email, PASSWORD).await;

    let received = app.smtp.latest(&email).await;

    assert_eq!(received.parsed().ctype.mimetype, "multipart/alternative");
    assert!(received.header("Date").is_some());
    assert!(
        received
            .header("Message-ID")
            .is_some_and(|id| id.contains('@'))
    );
    assert_eq!(
        received.header("From").unwrap(),
        "Doorman <no-reply@localhost>"
    );
    assert_eq!(received.header("To").unwrap(), email);
    assert!(received.text().contains("24 hours"));
    assert!(
        received
            .html()
            .contains("<a href=\"http://doorman.localhost/confirm/")
    );
}

#[tokio::test]
async fn the_check_email_page_offers_a_resend_form() {
    let app = spawn_app().await;
    let page = app.get("/signup/check-email").await;
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains("Check your inbox"));
    assert!(body.contains("action=\"/confirm/resend\""));
}

#[tokio::test]
async fn invalid_sign_ups_rerender_the_form_with_422_and_write_nothing() {
    let app = spawn_app().await;
    let cases = [
        ("empty email", "", PASSWORD, "Enter your email address."),
        (
            "no domain",
            "ada@",
            PASSWORD,
            "Enter an email address like name@example.com.",
        ),
        (
            "no at sign",
            "ada.example.com",
            PASSWORD,
            "Enter an email address like name@example.com.",
        ),
        (
            "header injection",
            "ada@example.com\r\nBcc: x@evil.test",
            PASSWORD,
            "Enter an email address like name@example.com.",
        ),
        (
            "too long email",
            &format!("{}@example.com", "a".repeat(250)),
            PASSWORD,
            "at most 254 characters",
        ),
        (
            "short password",
            "short@example.com",
            "fourteen chars",
            "Use at least 15 characters.",
        ),
        (
            "long password",
            "long@example.com",
            &"x".repeat(129),
            "Use at most 128 characters.",
        ),
        (
            "common password",
            "common@example.com",
            "passwordpassword",
            "most common",
        ),
        (
            "password is the email",
            "longaddress.person@example.com",
            "longaddress.person@example.com",
            "must not be your email address",
        ),
    ];
    for (description, email, password, message) in cases {
        let response = app.signup(email, password).await;
        assert_eq!(response.status(), 422, "{description}");
        let body = response.text().await.unwrap();
        assert!(
            body.contains(message),
            "{description}: expected {message:?}"
        );
        assert!(
            body.contains("aria-invalid=\"true\""),
            "{description}: the field is marked"
        );
        // (The last case's password is its email, which is rightly kept in the email field.)
        if password != email {
            assert!(
                !body.contains(&format!("value=\"{password}\"")),
                "{description}: password echoed"
            );
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
}

#[tokio::test]
async fn a_rejected_form_keeps_the_typed_email_escaped() {
    let app = spawn_app().await;
    let response = app.signup("ada\"<b>@example.com", "short").await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("value=\"ada&#34;&#60;b&#62;@example.com\""));
    assert!(!body.contains("<b>@"));
}

#[tokio::test]
async fn signing_up_with_a_confirmed_address_answers_the_same_and_warns_the_owner() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let hash_before = app.user(&email).await.unwrap().password_hash;

    let response = app
        .signup(&email.to_uppercase(), "another password entirely")
        .await;

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/signup/check-email");
    let emails = app.smtp.wait_for(&email, 2).await;
    let warning = emails.last().unwrap();
    assert_eq!(
        warning.subject(),
        "Someone tried to sign up with your address"
    );
    assert!(warning.text().contains("http://doorman.localhost/login"));
    assert_eq!(app.user(&email).await.unwrap().password_hash, hash_before);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn signing_up_again_while_unconfirmed_sends_a_fresh_link_and_keeps_the_password() {
    let app = spawn_app().await;
    let email = unique_email();
    let first_link = app.signup_and_get_link(&email).await;
    let hash_before = app.user(&email).await.unwrap().password_hash;

    let response = app.signup(&email, "somebody else's passphrase").await;

    assert_eq!(response.status(), 303);
    let emails = app.smtp.wait_for(&email, 2).await;
    let second_link = emails[1].link("/confirm/");
    assert_eq!(emails[1].subject(), "Confirm your email address");
    assert_eq!(app.user(&email).await.unwrap().password_hash, hash_before);
    // Both links stay usable until the account is confirmed.
    for link in [first_link, second_link] {
        assert_eq!(app.get_link(&link).await.status(), 200);
    }
}

#[tokio::test]
async fn twenty_concurrent_sign_ups_of_one_address_make_one_account() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.csrf_token().await;

    let attempts = (0..20).map(|i| {
        let request = app
            .client
            .post(app.url("/signup"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", email.as_str()),
                ("password", &format!("{PASSWORD} {i}")),
            ])
            .send();
        async move { request.await.unwrap().status().as_u16() }
    });
    let statuses = futures_join_all(attempts).await;

    assert!(statuses.iter().all(|status| *status == 303), "{statuses:?}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM users WHERE email_normalized = '{email}'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn the_per_address_cap_limits_emails_to_one_address() {
    let app = crate::helpers::spawn_app_with()
        .set("MAIL_PER_ADDRESS_PER_HOUR", "2")
        .start()
        .await;
    let email = unique_email();
    for _ in 0..4 {
        assert_eq!(app.signup(&email, PASSWORD).await.status(), 303);
    }
    app.smtp.wait_for(&email, 2).await;
    app.outbox_settled().await;
    assert_eq!(app.smtp.to(&email).len(), 2);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE recipient = '{email}'"
        ))
        .await,
        2
    );
}

#[tokio::test]
async fn resending_sends_a_new_link_only_to_unconfirmed_accounts_and_answers_the_same() {
    let app = spawn_app().await;
    let pending = unique_email();
    let confirmed = unique_email();
    let unknown = unique_email();
    app.signup_and_get_link(&pending).await;
    app.confirmed_user(&confirmed).await;

    let mut answers = Vec::new();
    for email in [&pending, &confirmed, &unknown, &"not an email".to_owned()] {
        let response = app.post_form("/confirm/resend", &[("email", email)]).await;
        answers.push((response.status().as_u16(), location(&response)));
    }

    assert!(
        answers
            .iter()
            .all(|answer| *answer == (303, "/signup/check-email".to_owned())),
        "{answers:?}"
    );
    app.smtp.wait_for(&pending, 2).await;
    app.outbox_settled().await;
    assert_eq!(
        app.smtp.to(&confirmed).len(),
        1,
        "only the original confirmation"
    );
    assert!(app.smtp.to(&unknown).is_empty());
}

async fn futures_join_all<F: std::future::Future<Output = u16> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<u16> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}
