//! Several instances on one database: the outbox is claimed so no email goes out twice,
//! sessions are shared, and a rolling restart loses and duplicates nothing.

use std::sync::Arc;

use crate::helpers::{
    PASSWORD, TestApp, TestSmtp, fresh_database_url, location, random_hex, spawn_app_with,
    unique_email,
};

async fn instances(count: usize) -> (Vec<TestApp>, Arc<TestSmtp>) {
    instances_with(count, &[]).await
}

/// `count` instances on one database and one secret, with `settings` on each.
async fn instances_with(count: usize, settings: &[(&str, &str)]) -> (Vec<TestApp>, Arc<TestSmtp>) {
    let smtp = Arc::new(TestSmtp::start());
    let database_url = fresh_database_url().await;
    let secret = random_hex(32);
    let mut apps = Vec::new();
    for _ in 0..count {
        let mut app = spawn_app_with()
            .smtp(smtp.clone())
            .set("DATABASE_URL", &database_url)
            .set("SECRET_KEY", &secret);
        for (name, value) in settings {
            app = app.set(name, value);
        }
        apps.push(app.start().await);
    }
    (apps, smtp)
}

/// Signs `addresses` up, spread round-robin over `apps`, a few at a time.
async fn sign_up_across(apps: &[TestApp], addresses: &[String]) {
    // Give each browser its CSRF cookie first; concurrent first visits would each set a
    // different one and race.
    for app in apps {
        app.csrf_token().await;
    }
    let mut requests = Vec::new();
    for (index, email) in addresses.iter().enumerate() {
        let browser = apps[index % apps.len()].browser.clone();
        let email = email.clone();
        requests.push(tokio::spawn(async move {
            let status = browser.signup(&email, PASSWORD).await.status().as_u16();
            assert_eq!(status, 303, "{email}");
        }));
        if requests.len() == 12 {
            for request in requests.drain(..) {
                request.await.unwrap();
            }
        }
    }
    for request in requests {
        request.await.unwrap();
    }
}

async fn assert_each_received_exactly_one(app: &TestApp, smtp: &TestSmtp, addresses: &[String]) {
    for email in addresses {
        smtp.wait_for(email, 1).await;
    }
    // Once every row is sent, no duplicate can still be on its way.
    app.outbox_settled().await;
    let duplicated: Vec<&String> = addresses
        .iter()
        .filter(|email| smtp.to(email).len() != 1)
        .collect();
    assert!(
        duplicated.is_empty(),
        "{} addresses got more than one email: {duplicated:?}",
        duplicated.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_deliver_three_hundred_confirmations_exactly_once() {
    let (apps, smtp) = instances(3).await;
    let addresses: Vec<String> = (0..300).map(|_| unique_email()).collect();

    sign_up_across(&apps, &addresses).await;

    assert_each_received_exactly_one(&apps[0], &smtp, &addresses).await;
    assert_eq!(apps[0].count("SELECT COUNT(*) FROM users").await, 300);
    assert_eq!(
        apps[0]
            .count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
            .await,
        300
    );
}

#[tokio::test]
async fn a_session_made_on_one_instance_is_honoured_by_another() {
    let (apps, _smtp) = instances(2).await;
    let email = unique_email();
    apps[0].confirmed_user(&email).await;

    // Cookies are per host, not per port: the same browser now talks to the other instance.
    let mut browser = apps[0].browser.clone();
    browser.address = apps[1].address.clone();
    let account = browser.get("/account").await;

    assert_eq!(account.status(), 200);
    assert!(account.text().await.unwrap().contains(&email));
    let logout = browser.post_form("/logout", &[]).await;
    assert_eq!(location(&logout), "/");
    assert_eq!(
        location(&apps[0].get("/account").await),
        "/login",
        "logged out everywhere"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_loses_and_duplicates_no_email() {
    let (mut apps, smtp) = instances(2).await;
    let first: Vec<String> = (0..40).map(|_| unique_email()).collect();
    let second: Vec<String> = (0..40).map(|_| unique_email()).collect();

    sign_up_across(&apps, &first).await;
    // Restart each instance in turn while the first batch may still be in flight.
    for index in 0..apps.len() {
        let app = apps.remove(index);
        let restarted = app.restart(&[], smtp.clone()).await;
        apps.insert(index, restarted);
    }
    sign_up_across(&apps, &second).await;

    let all: Vec<String> = first.into_iter().chain(second).collect();
    assert_each_received_exactly_one(&apps[0], &smtp, &all).await;
}

/// `browser`, sending its `index`th request to the instances in turn, as a load balancer
/// would.
fn round_robin(
    browser: &crate::helpers::Browser,
    apps: &[TestApp],
    index: usize,
) -> crate::helpers::Browser {
    let mut browser = browser.clone();
    browser.address = apps[index % apps.len()].address.clone();
    browser
}

#[tokio::test]
async fn three_instances_allow_together_what_one_allows_per_client() {
    let (apps, _smtp) = instances_with(3, &[("RATE_LIMIT_PER_MINUTE", "5")]).await;
    // The CSRF cookie and token first: GETs are not counted.
    let token = apps[0].csrf_token().await;

    let mut accepted = 0;
    for index in 0..12 {
        let browser = round_robin(&apps[0].browser, &apps, index);
        let response = browser
            .client
            .post(browser.url("/signup"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", unique_email().as_str()),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        match response.status().as_u16() {
            303 => accepted += 1,
            429 => assert!(response.headers().contains_key("retry-after")),
            other => panic!("unexpected {other}"),
        }
    }

    assert_eq!(
        accepted, 5,
        "five sign-ups a minute from one client, on any instance"
    );
    assert_eq!(apps[0].count("SELECT COUNT(*) FROM users").await, 5);
}

#[tokio::test]
async fn three_instances_share_the_failed_login_throttle() {
    let (apps, _smtp) = instances(3).await;
    let email = unique_email();
    apps[0].confirmed_user(&email).await;
    let stranger = crate::helpers::Browser::new(&apps[0].address);

    let mut statuses = Vec::new();
    for index in 0..9 {
        statuses.push(
            round_robin(&stranger, &apps, index)
                .login(&email, "a wrong guess at the password")
                .await
                .status()
                .as_u16(),
        );
    }

    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429]);
}

#[tokio::test]
async fn forward_auth_refuses_a_session_ended_on_another_instance() {
    let (apps, _smtp) = instances(2).await;
    let email = unique_email();
    apps[0].confirmed_user(&email).await;
    let cookie = apps[0].cookie("doorman_session").unwrap();
    // The same browser asks the other instance: it answers, and remembers the answer.
    let other = crate::helpers::Browser::new(&apps[1].address);
    other.plant_cookie("doorman_session", &cookie);
    assert_eq!(other.get("/auth/verify").await.status(), 200);

    // Logged out on the first instance: refused there at once, on the other soon after.
    assert_eq!(location(&apps[0].post_form("/logout", &[]).await), "/");
    let here = crate::helpers::Browser::new(&apps[0].address);
    here.plant_cookie("doorman_session", &cookie);
    assert_eq!(here.get("/auth/verify").await.status(), 401);
    crate::helpers::wait_until("the other instance to refuse the ended session", || async {
        other.get("/auth/verify").await.status() == 401
    })
    .await;
}
