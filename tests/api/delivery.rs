use std::sync::Arc;

use crate::helpers::{
    PASSWORD, TestSmtp, spawn_app, spawn_app_with, unique_email, unused_port, wait_until,
};

#[tokio::test]
async fn an_email_queued_while_smtp_is_down_arrives_once_it_is_up() {
    let port = unused_port();
    let app = spawn_app_with()
        .set("SMTP_URL", &format!("smtp://127.0.0.1:{port}"))
        .start()
        .await;
    let email = unique_email();

    assert_eq!(app.signup(&email, PASSWORD).await.status(), 303);
    wait_until("the outbox row to reach its state", || async {
        app.count("SELECT COUNT(*) FROM outbox WHERE attempts >= 1 AND last_error IS NOT NULL")
            .await
            == 1
    })
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .await,
        1
    );

    let smtp = TestSmtp::start_on(port);
    let received = smtp.wait_for(&email, 1).await;

    assert_eq!(received[0].subject(), "Confirm your email address");
    wait_until("the outbox row to reach its state", || async {
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
            .await
            == 1
    })
    .await;
}

#[tokio::test]
async fn emails_pending_when_the_process_stops_are_sent_once_after_restart() {
    let down = format!("smtp://127.0.0.1:{}", unused_port());
    let app = spawn_app_with().set("SMTP_URL", &down).start().await;
    let addresses: Vec<String> = (0..3).map(|_| unique_email()).collect();
    for email in &addresses {
        assert_eq!(app.signup(email, PASSWORD).await.status(), 303);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .await,
        3
    );

    let smtp = Arc::new(TestSmtp::start());
    let app = app.restart(&[], smtp.clone()).await;

    for email in &addresses {
        smtp.wait_for(email, 1).await;
    }
    // Once every row is sent, no duplicate can still be on its way.
    app.outbox_settled().await;
    for email in &addresses {
        assert_eq!(smtp.to(email).len(), 1, "{email} got exactly one email");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
            .await,
        3
    );
}

#[tokio::test]
async fn the_outbox_stores_the_intent_and_never_the_token() {
    let smtp = Arc::new(TestSmtp::start());
    let app = spawn_app_with().smtp(smtp.clone()).start().await;
    let email = unique_email();
    let link = app.signup_and_get_link(&email).await;
    let token = link.rsplit('/').next().unwrap();

    let backend = app.db.get_database_backend();
    use sea_orm::ConnectionTrait;
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT kind, recipient, COALESCE(last_error, '') AS last_error FROM outbox",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].try_get::<String>("", "kind").unwrap(),
        "confirmation"
    );
    assert_eq!(rows[0].try_get::<String>("", "recipient").unwrap(), email);
    let dump = format!("{rows:?}");
    assert!(!dump.contains(token));

    // Sessions are keyed by a hash of the id, never the id the cookie carries.
    app.confirm(&link, &[("password", PASSWORD)]).await;
    let cookie = app.cookie("doorman_session").expect("logged in");
    let keys = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT id FROM sessions",
        ))
        .await
        .unwrap();
    assert_eq!(keys.len(), 1);
    let key: String = keys[0].try_get("", "id").unwrap();
    assert_eq!(key.len(), 64, "a SHA-256 in hex");
    assert_ne!(key, cookie);
    assert!(!key.contains(&cookie));
}

#[tokio::test]
async fn an_email_that_keeps_failing_is_given_up_after_a_day() {
    use doorman::db::entities::outbox;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};

    let down = format!("smtp://127.0.0.1:{}", unused_port());
    let app = spawn_app_with().set("SMTP_URL", &down).start().await;
    let email = unique_email();
    app.signup(&email, PASSWORD).await;
    let user_id = app.user(&email).await.unwrap().id;
    let day_old = chrono::Utc::now() - chrono::Duration::hours(25);
    outbox::ActiveModel {
        kind: Set(outbox::OutboxKind::Confirmation),
        user_id: Set(Some(user_id)),
        recipient: Set(email.clone()),
        created_at: Set(day_old),
        attempts: Set(40),
        next_attempt_at: Set(day_old),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();

    wait_until("the outbox row to reach its state", || async {
        app.count("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL AND attempts = 41")
            .await
            == 1
    })
    .await;
    // The fresh row is still being retried.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE failed_at IS NULL AND sent_at IS NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn unconfirmed_accounts_past_their_lifetime_are_deleted_and_the_address_freed() {
    // Accounts are made under the default lifetime, so no sweep races the sign-ups.
    let app = spawn_app().await;
    let email = unique_email();
    let confirmed = unique_email();
    app.confirmed_user(&confirmed).await;
    let stale_link = app.signup_and_get_link(&email).await;
    let smtp = app.smtp.clone();

    let app = app
        .restart(&[("UNCONFIRMED_ACCOUNT_TTL", "1s")], smtp.clone())
        .await;
    wait_until("the outbox row to reach its state", || async {
        app.user(&email).await.is_none()
    })
    .await;

    assert!(
        app.user(&confirmed).await.is_some(),
        "confirmed accounts stay"
    );
    assert_eq!(
        app.get_link(&stale_link).await.status(),
        400,
        "its links die with it"
    );
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("doorman_unconfirmed_accounts_deleted_total 1\n"),
        "{metrics}"
    );

    let app = app
        .restart(&[("UNCONFIRMED_ACCOUNT_TTL", "7d")], smtp)
        .await;
    let fresh_link = app.signup_and_get_link(&email).await;
    assert_eq!(
        app.get_link(&fresh_link).await.status(),
        200,
        "the address is free again"
    );
}

/// The whole confirmation email as the SMTP server received it, with what changes from run
/// to run (date, message id, recipient, token) masked.
#[tokio::test]
async fn the_confirmation_email_as_received_matches_its_snapshot() {
    let app = spawn_app().await;
    let address = unique_email();
    app.signup(&address, PASSWORD).await;
    let email = app.smtp.latest(&address).await;
    let link = email.link("/confirm/");
    let code = crate::helpers::code_in(&email);
    let mask = |text: String| {
        text.replace(&link, "http://doorman.localhost/confirm/[token]")
            .replace(&address, "[recipient]")
            .replace(&code, "[code]")
    };
    let headers: Vec<String> = ["From", "To", "Subject", "MIME-Version"]
        .into_iter()
        .map(|name| format!("{name}: {}", email.header(name).unwrap_or_default()))
        .chain(
            ["Date", "Message-ID"]
                .into_iter()
                .map(|name| format!("{name}: [present: {}]", email.header(name).is_some())),
        )
        .collect();
    let parts: Vec<String> = email
        .parsed()
        .subparts
        .iter()
        .map(|part| part.ctype.mimetype.clone())
        .collect();
    insta::assert_snapshot!(mask(format!(
        "{}\nparts: {}\n\n--- text\n{}\n--- html\n{}",
        headers.join("\n"),
        parts.join(", "),
        email.text(),
        email.html()
    )));
}

#[tokio::test]
async fn emails_one_after_another_travel_over_one_smtp_session() {
    let smtp = Arc::new(TestSmtp::start());
    let app = spawn_app_with().smtp(smtp.clone()).start().await;

    for _ in 0..3 {
        let email = unique_email();
        assert_eq!(app.signup(&email, PASSWORD).await.status(), 303);
        smtp.wait_for(&email, 1).await;
    }

    assert_eq!(smtp.sessions(), 1, "the pooled connection is reused");
}

#[tokio::test]
async fn a_burst_of_emails_shares_the_connections_smtp_max_connections_allows() {
    let smtp = Arc::new(TestSmtp::start());
    let app = spawn_app_with()
        .set("SMTP_MAX_CONNECTIONS", "1")
        .smtp(smtp.clone())
        .start()
        .await;
    let emails: Vec<String> = (0..6).map(|_| unique_email()).collect();

    let statuses = tokio::join!(
        app.signup(&emails[0], PASSWORD),
        app.signup(&emails[1], PASSWORD),
        app.signup(&emails[2], PASSWORD),
        app.signup(&emails[3], PASSWORD),
        app.signup(&emails[4], PASSWORD),
        app.signup(&emails[5], PASSWORD),
    );
    for response in [
        statuses.0, statuses.1, statuses.2, statuses.3, statuses.4, statuses.5,
    ] {
        assert_eq!(response.status(), 303);
    }
    for email in &emails {
        smtp.wait_for(email, 1).await;
    }

    assert_eq!(smtp.sessions(), 1);
}

/// `SMTP_URL` asks for TLS the relay does not speak: nothing goes out in the clear, the
/// email stays queued with the reason, and it is retried.
#[tokio::test]
async fn a_relay_without_tls_gets_nothing_when_smtp_url_asks_for_tls() {
    let smtp = Arc::new(TestSmtp::start());
    for (url, reason) in [
        (
            format!("smtps://127.0.0.1:{}", smtp.port),
            "could not connect",
        ),
        (
            format!("smtp://127.0.0.1:{}?tls=required", smtp.port),
            "STARTTLS",
        ),
    ] {
        let app = spawn_app_with().set("SMTP_URL", &url).start().await;
        let email = unique_email();

        assert_eq!(app.signup(&email, PASSWORD).await.status(), 303);

        let failed = format!(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts >= 1 \
             AND last_error LIKE '%{reason}%'"
        );
        wait_until("the outbox row to reach its state", || async {
            app.count(&failed).await == 1
        })
        .await;
        assert!(
            smtp.to(&email).is_empty(),
            "{url}: nothing was sent in the clear"
        );
    }
}
