//! The holes a security review found, one test each, named after the hole (issue 10).
//! Each failed on the code before the fix.

use crate::helpers::{
    BASE_URL, Browser, PASSWORD, TestApp, TestSmtp, location, spawn_app, spawn_app_with,
    unique_email, unused_port,
};

const WRONG: &str = "not the password at all, sorry";

/// Sends `attempts` wrong logins for `email` at once and returns their statuses.
async fn wrong_logins_at_once(browser: &Browser, email: &str, attempts: usize) -> Vec<u16> {
    // The CSRF cookie first, so the requests racing each other do not each set their own.
    browser.csrf_token().await;
    let mut requests = Vec::new();
    for _ in 0..attempts {
        let browser = browser.clone();
        let email = email.to_owned();
        requests.push(tokio::spawn(async move {
            browser.login(&email, WRONG).await.status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for request in requests {
        statuses.push(request.await.unwrap());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_passwords_cannot_beat_the_failed_login_throttle() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;

    let statuses = wrong_logins_at_once(&app.new_browser(), &email, 20).await;

    let guessed = statuses.iter().filter(|status| **status == 401).count();
    let refused = statuses.iter().filter(|status| **status == 429).count();
    assert!(
        (1..=5).contains(&guessed),
        "at most 5 guesses were checked: {statuses:?}"
    );
    assert_eq!(guessed + refused, 20, "{statuses:?}");
    // The owner's right password is refused too from a browser the account does not know.
    assert_eq!(
        app.new_browser().login(&email, PASSWORD).await.status(),
        429
    );
}

#[tokio::test]
async fn metrics_are_not_served_on_the_public_listener() {
    let app = spawn_app().await;
    app.confirmed_user(&unique_email()).await;

    assert_eq!(app.get("/metrics").await.status(), 404);
    let metrics = app.metrics().await;
    assert!(metrics.contains("doorman_signups_total 1\n"), "{metrics}");
}

/// Posts a resend with `X-Forwarded-For` given as separate header lines.
async fn resend_with_forwarded_lines(app: &TestApp, lines: &[&str]) -> u16 {
    let token = app.csrf_token().await;
    let mut request = app.client.post(app.url("/confirm/resend"));
    for line in lines {
        request = request.header("x-forwarded-for", *line);
    }
    request
        .form(&[("csrf_token", token.as_str()), ("email", "a@example.com")])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn x_forwarded_for_is_read_across_all_header_lines() {
    let app = spawn_app_with()
        .set("RATE_LIMIT_PER_MINUTE", "1")
        .set("TRUSTED_PROXIES", "127.0.0.1/32")
        .start()
        .await;
    // The client forged the first line; the proxy appended the real address as a second.
    assert_eq!(
        resend_with_forwarded_lines(&app, &["6.6.6.1", "198.51.100.7"]).await,
        303
    );
    assert_eq!(
        resend_with_forwarded_lines(&app, &["6.6.6.2", "198.51.100.7"]).await,
        429,
        "a new forged first line does not make a new client"
    );
    assert_eq!(
        resend_with_forwarded_lines(&app, &["6.6.6.3", "198.51.100.8"]).await,
        303,
        "another real client has its own allowance"
    );
}

#[tokio::test]
async fn a_login_racing_a_password_reset_does_not_survive_it() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let racer = app.logged_in_elsewhere(&email).await;
    // What the racing login saved: its session row, written after the reset ended sessions.
    let saved_by_the_racing_login = session_rows(&app).await;

    let link = reset_link(&app, &email).await;
    let reset = app
        .post_form(
            "/password/reset",
            &[
                ("token", link.rsplit('/').next().unwrap()),
                ("password", "an entirely new passphrase"),
            ],
        )
        .await;
    assert_eq!(location(&reset), "/login");
    restore_session_rows(&app, &saved_by_the_racing_login).await;

    assert_eq!(
        racer.get("/auth/verify").await.status(),
        401,
        "forward auth too"
    );
    assert_eq!(location(&racer.get("/account").await), "/login");
}

async fn session_rows(app: &TestApp) -> Vec<(String, i64, String, i64)> {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT id, user_id, data, expires_at FROM sessions",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            (
                row.try_get("", "id").unwrap(),
                row.try_get("", "user_id").unwrap(),
                row.try_get("", "data").unwrap(),
                row.try_get("", "expires_at").unwrap(),
            )
        })
        .collect()
}

async fn restore_session_rows(app: &TestApp, rows: &[(String, i64, String, i64)]) {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = app.db.get_database_backend();
    let sql = if backend == sea_orm::DbBackend::Postgres {
        "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO NOTHING"
    } else {
        "INSERT OR IGNORE INTO sessions (id, user_id, data, expires_at) VALUES (?, ?, ?, ?)"
    };
    for (id, user_id, data, expires_at) in rows {
        app.db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    id.clone().into(),
                    (*user_id).into(),
                    data.clone().into(),
                    (*expires_at).into(),
                ],
            ))
            .await
            .unwrap();
    }
}

async fn reset_link(app: &TestApp, email: &str) -> String {
    let before = app.smtp.to(email).len();
    app.post_form("/password/forgot", &[("email", email)]).await;
    let emails = app.smtp.wait_for(email, before + 1).await;
    emails.last().unwrap().link("/password/reset/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_per_address_mail_cap_counts_case_variants_together() {
    let app = spawn_app_with()
        .set("MAIL_PER_ADDRESS_PER_HOUR", "5")
        .start()
        .await;
    let owner = unique_email();
    app.confirmed_user(&owner).await;
    // One browser per request: a browser's own failed-login allowance is not what this
    // test is about.
    let mut browsers = Vec::new();
    for _ in 0..9 {
        browsers.push(app.logged_in_elsewhere(&owner).await);
    }
    let target = unique_email();
    let variants: Vec<String> = (0..9)
        .map(|index| {
            target
                .chars()
                .enumerate()
                .map(|(position, c)| {
                    if position == index {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect()
        })
        .collect();

    let mut requests = Vec::new();
    for (variant, browser) in variants.into_iter().zip(browsers) {
        requests.push(tokio::spawn(async move {
            browser
                .post_form(
                    "/account/email",
                    &[("email", &variant), ("current_password", PASSWORD)],
                )
                .await
                .status()
                .as_u16()
        }));
    }
    for request in requests {
        assert_eq!(request.await.unwrap(), 303);
    }
    app.outbox_settled().await;

    let to_target = app
        .smtp
        .all()
        .into_iter()
        .filter(|email| {
            email
                .envelope_to
                .iter()
                .any(|to| to.eq_ignore_ascii_case(&target))
        })
        .count();
    assert_eq!(
        to_target, 5,
        "five emails to one address, whatever its case"
    );
}

#[tokio::test]
async fn a_reset_queued_before_an_address_change_does_not_reach_the_old_address() {
    let down = unused_port();
    let app = spawn_app_with()
        .set("SMTP_URL", &format!("smtp://127.0.0.1:{down}"))
        .start()
        .await;
    let old = unique_email();
    let new = unique_email();
    // Confirmed through the dev mailbox: the SMTP server is down.
    assert_eq!(app.signup(&old, PASSWORD).await.status(), 303);
    let confirm = dev_mailbox_link(&app, "confirmation", "/confirm/").await;
    assert_eq!(
        location(&app.confirm(&confirm, &[("password", PASSWORD)]).await),
        "/account"
    );
    app.post_form("/password/forgot", &[("email", &old)]).await;
    app.post_form(
        "/account/email",
        &[("email", &new), ("current_password", PASSWORD)],
    )
    .await;
    let change =
        dev_mailbox_link(&app, "email_change_confirmation", "/account/email/confirm/").await;
    let changed = app
        .post_link(&change, &[("current_password", PASSWORD)])
        .await;
    assert_eq!(location(&changed), "/account?notice=email-changed");

    let smtp = std::sync::Arc::new(TestSmtp::start_on(down));
    let app = app.restart(&[], smtp.clone()).await;
    app.outbox_settled().await;

    let reset_links: Vec<_> = smtp
        .to(&old)
        .into_iter()
        .filter(|email| email.text().contains("/password/reset/"))
        .collect();
    assert!(
        reset_links.is_empty(),
        "no working reset link went to the old address"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset' AND sent_at IS NULL AND skip_reason IS NOT NULL")
            .await,
        1
    );
}

/// The link in the newest queued email of `kind`, read from the development mailbox.
async fn dev_mailbox_link(app: &TestApp, kind: &str, path: &str) -> String {
    let id = app
        .count(&format!("SELECT MAX(id) FROM outbox WHERE kind = '{kind}'"))
        .await;
    let text = app
        .get(&format!("/dev/mailbox/{id}/text"))
        .await
        .text()
        .await
        .unwrap();
    let prefix = format!("{BASE_URL}{path}");
    let start = text.find(&prefix).expect("the email carries its link");
    text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

#[tokio::test]
async fn forgot_password_and_resend_do_the_same_work_for_known_and_unknown_addresses() {
    let app = spawn_app().await;
    let known = unique_email();
    app.confirmed_user(&known).await;
    let unknown = unique_email();
    let rows_for = |address: &str| {
        format!("SELECT COUNT(*) FROM outbox WHERE recipient_normalized = '{address}'")
    };
    let before_known = app.count(&rows_for(&known)).await;

    for (path, address) in [
        ("/password/forgot", &known),
        ("/password/forgot", &unknown),
        ("/confirm/resend", &known),
        ("/confirm/resend", &unknown),
    ] {
        assert_eq!(
            app.post_form(path, &[("email", address)]).await.status(),
            303
        );
    }

    // One queued request each, resolved by the worker rather than in the request.
    assert_eq!(app.count(&rows_for(&known)).await - before_known, 2);
    assert_eq!(app.count(&rows_for(&unknown)).await, 2);
    app.outbox_settled().await;
    assert!(
        app.smtp.to(&unknown).is_empty(),
        "nothing reaches an unknown address"
    );
}

#[tokio::test]
async fn an_address_that_grows_past_254_characters_when_lowercased_is_refused() {
    let app = spawn_app().await;
    let address = format!("a@{}.com", vec!["İ".repeat(30); 5].join("."));
    assert!(address.chars().count() <= 254 && address.to_lowercase().chars().count() > 254);

    let response = app.signup(&address, PASSWORD).await;

    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("at most 254 characters")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn wrong_current_passwords_on_the_account_page_are_throttled() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let hash_before = app.user(&email).await.unwrap().password_hash;

    let mut statuses = Vec::new();
    for _ in 0..12 {
        let response = app
            .post_form(
                "/account/password",
                &[
                    ("current_password", WRONG),
                    ("password", "a new passphrase to set"),
                ],
            )
            .await;
        statuses.push(response.status().as_u16());
    }
    let right = app
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "a new passphrase to set"),
            ],
        )
        .await;

    assert_eq!(&statuses[..5], &[422; 5], "{statuses:?}");
    assert!(
        statuses[5..].iter().all(|status| *status == 429),
        "{statuses:?}"
    );
    assert_eq!(right.status(), 429, "the right one is throttled too");
    assert_eq!(
        app.user(&email).await.unwrap().password_hash,
        hash_before,
        "the password did not change"
    );
}

#[tokio::test]
async fn strangers_guessing_cannot_lock_out_a_browser_that_logged_in_before() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let owner = app.logged_in_elsewhere(&email).await;
    owner.post_form("/logout", &[]).await;
    assert!(owner.cookie("doorman_device").is_some());

    let stranger = app.new_browser();
    for _ in 0..6 {
        stranger.login(&email, WRONG).await;
    }
    assert_eq!(stranger.login(&email, PASSWORD).await.status(), 429);

    assert_eq!(location(&owner.login(&email, PASSWORD).await), "/account");
}

#[tokio::test]
async fn a_forged_device_cookie_counts_as_a_stranger() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let user_id = app.user(&email).await.unwrap().id;
    let forger = Browser::new(&app.address);
    let token = forger.csrf_token().await;
    let csrf_cookie = forger.cookie("doorman_csrf").unwrap();
    let forged = format!(
        "doorman_csrf={csrf_cookie}; doorman_device={user_id}.AAAAAAAAAAAAAAAAAAAAAA.{}",
        "A".repeat(43)
    );

    let mut last = 0;
    for _ in 0..6 {
        last = forger
            .client
            .post(forger.url("/login"))
            .header("cookie", &forged)
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", email.as_str()),
                ("password", WRONG),
            ])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
    }
    assert_eq!(last, 429, "the forged cookie did not buy its own allowance");
}
