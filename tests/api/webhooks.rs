//! Webhooks (SPEC §10): every event of an account's life reaches a real HTTP receiver,
//! signed per Standard Webhooks, at least once, with a stable `webhook-id`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::helpers::{
    PASSWORD, TestApp, location, spawn_app_with, unique_email, wait_for, wait_until,
};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

impl Delivery {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// What the receiver does with its `n`th request (counting from 1).
#[derive(Clone)]
pub(crate) enum Answer {
    Fail,
    /// No answer for 300 s.
    Hang,
    Accept,
    /// This status with this JSON body.
    Json(StatusCode, Value),
}

/// A receiver in this process, answering as it is told.
#[derive(Clone)]
pub(crate) struct Receiver {
    pub(crate) url: String,
    got: Arc<Mutex<Vec<Delivery>>>,
}

impl Receiver {
    /// Answers `500` to the first `failures` requests, then `204`.
    async fn start(failures: usize) -> Self {
        Self::answering(move |seen, _| {
            if seen <= failures {
                Answer::Fail
            } else {
                Answer::Accept
            }
        })
        .await
    }

    /// Answers its `n`th request (counting from 1), whose body is given, as `answer` says.
    pub(crate) async fn answering(
        answer: impl Fn(usize, &str) -> Answer + Clone + Send + Sync + 'static,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/doorman", listener.local_addr().unwrap());
        let got: Arc<Mutex<Vec<Delivery>>> = Arc::default();
        let store = got.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: String| {
            let store = store.clone();
            let answer = answer.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let seen = {
                    let mut got = store.lock().unwrap();
                    got.push(Delivery {
                        id: header("webhook-id"),
                        timestamp: header("webhook-timestamp"),
                        signature: header("webhook-signature"),
                        body: body.clone(),
                    });
                    got.len()
                };
                match answer(seen, &body) {
                    Answer::Fail => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                    Answer::Hang => {
                        tokio::time::sleep(Duration::from_secs(300)).await;
                        StatusCode::NO_CONTENT.into_response()
                    }
                    Answer::Accept => StatusCode::NO_CONTENT.into_response(),
                    Answer::Json(status, body) => (status, axum::Json(body)).into_response(),
                }
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, got }
    }

    pub(crate) fn deliveries(&self) -> Vec<Delivery> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until the receiver accepted an event of each type in `types`.
    async fn wait_for(&self, types: &[&str]) -> Vec<Delivery> {
        wait_for(&format!("deliveries of {types:?}"), || async {
            let got = self.deliveries();
            types
                .iter()
                .all(|kind| got.iter().any(|delivery| delivery.json()["type"] == *kind))
                .then_some(got)
        })
        .await
    }
}

const SECRET_BYTES: &[u8] = b"a webhook secret of thirty-two b";

pub(crate) fn secret() -> String {
    format!("whsec_{}", STANDARD.encode(SECRET_BYTES))
}

pub(crate) fn signature_holds(delivery: &Delivery) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET_BYTES).unwrap();
    mac.update(format!("{}.{}.{}", delivery.id, delivery.timestamp, delivery.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    delivery
        .signature
        .split(' ')
        .any(|signature| signature == expected)
}

async fn app_sending_to(receiver: &Receiver) -> TestApp {
    spawn_app_with()
        .set("WEBHOOK_URL", &receiver.url)
        .set("WEBHOOK_SECRET", &secret())
        .start()
        .await
}

#[tokio::test]
async fn every_event_of_an_account_life_arrives_signed() {
    let receiver = Receiver::start(0).await;
    let app = app_sending_to(&receiver).await;
    let email = unique_email();
    let new_email = unique_email();
    let new_password = "a fresh passphrase for this account";

    app.confirmed_user(&email).await;
    app.post_form(
        "/account/email",
        &[("email", &new_email), ("current_password", PASSWORD)],
    )
    .await;
    let change = app.smtp.wait_for(&new_email, 1).await[0].link("/account/email/confirm/");
    let changed = app
        .post_link(&change, &[("current_password", PASSWORD)])
        .await;
    assert_eq!(location(&changed), "/account?notice=email-changed");
    app.post_form(
        "/account/password",
        &[("current_password", PASSWORD), ("password", new_password)],
    )
    .await;
    app.post_form("/account/delete", &[("current_password", new_password)])
        .await;

    let got = receiver
        .wait_for(&[
            "user.registered",
            "user.confirmed",
            "user.email_changed",
            "user.password_changed",
            "user.deleted",
        ])
        .await;
    let user_id = got[0].json()["data"]["user_id"].clone();
    for delivery in &got {
        assert!(signature_holds(delivery), "{delivery:?}");
        let event = delivery.json();
        assert_eq!(event["data"]["user_id"], user_id, "{event}");
        assert_eq!(
            event["data"]["locale"], "en",
            "the language it signed up in: {event}"
        );
        assert!(event["timestamp"].is_string());
        for secret in [PASSWORD, new_password, "argon2", "password_hash", "token"] {
            assert!(!delivery.body.contains(secret), "{secret} in {event}");
        }
    }
    let changed = got
        .iter()
        .find(|delivery| delivery.json()["type"] == "user.email_changed")
        .unwrap()
        .json();
    assert_eq!(changed["data"]["email"], new_email.as_str());
    assert_eq!(changed["data"]["previous_email"], email.as_str());
    app.outbox_settled().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'webhook' AND sent_at IS NOT NULL")
            .await,
        5,
        "each event delivered once"
    );
}

#[tokio::test]
async fn a_failing_receiver_gets_the_same_webhook_id_again() {
    let receiver = Receiver::start(2).await;
    let app = app_sending_to(&receiver).await;
    app.signup(&unique_email(), PASSWORD).await;

    receiver.wait_for(&["user.registered"]).await;
    wait_until("three attempts at the receiver", || async {
        receiver.deliveries().len() >= 3
    })
    .await;
    let got = receiver.deliveries();
    assert!(
        got.iter().all(|delivery| delivery.id == got[0].id),
        "{got:?}"
    );
    assert!(got.iter().all(signature_holds));
    app.outbox_settled().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'webhook' AND sent_at IS NOT NULL AND attempts = 3")
            .await,
        1
    );
}

#[tokio::test]
async fn webhook_settings_are_checked_at_start() {
    use doorman::config::Config;
    let lookup = |url: &'static str, secret: &'static str| {
        move |name: &str| match name {
            "WEBHOOK_URL" => Some(url.to_owned()),
            "WEBHOOK_SECRET" => Some(secret.to_owned()),
            _ => None,
        }
    };
    let missing = Config::from_lookup(lookup("http://127.0.0.1:9/hook", "")).unwrap_err();
    assert_eq!(missing.variable, "WEBHOOK_SECRET");
    let short =
        Config::from_lookup(lookup("http://127.0.0.1:9/hook", "whsec_c2hvcnQ=")).unwrap_err();
    assert_eq!(short.variable, "WEBHOOK_SECRET");
    let not_a_url = Config::from_lookup(lookup("ftp://x", "whsec_c2hvcnQ=")).unwrap_err();
    assert_eq!(not_a_url.variable, "WEBHOOK_URL");
}

#[tokio::test]
async fn an_unconfirmed_account_swept_away_is_told_as_deleted() {
    let receiver = Receiver::start(0).await;
    let app = app_sending_to(&receiver).await;
    let email = unique_email();
    app.signup_and_get_link(&email).await;
    receiver.wait_for(&["user.registered"]).await;
    let smtp = app.smtp.clone();

    let app = app
        .restart(&[("UNCONFIRMED_ACCOUNT_TTL", "1s")], smtp)
        .await;

    let got = receiver.wait_for(&["user.deleted"]).await;
    let deleted: Vec<Value> = got
        .iter()
        .map(Delivery::json)
        .filter(|event| event["type"] == "user.deleted")
        .collect();
    assert_eq!(deleted.len(), 1, "{deleted:?}");
    assert_eq!(deleted[0]["data"]["email"], email.as_str());
    assert!(got.iter().all(signature_holds));
    assert!(app.user(&email).await.is_none());
}

#[tokio::test]
async fn a_receiver_that_hangs_is_cut_off_and_the_event_retried() {
    let receiver = Receiver::answering(|seen, _| {
        if seen == 1 {
            Answer::Hang
        } else {
            Answer::Accept
        }
    })
    .await;
    let timeout = Duration::from_secs(1);
    let app = spawn_app_with()
        .set("WEBHOOK_URL", &receiver.url)
        .set("WEBHOOK_SECRET", &secret())
        .configure(move |config| {
            if let Some(webhook) = config.webhook.as_mut() {
                webhook.timeout = timeout;
            }
        })
        .start()
        .await;
    app.signup(&unique_email(), PASSWORD).await;

    let started = Instant::now();
    wait_until("a retry after the hang", || async {
        receiver.deliveries().len() >= 2
    })
    .await;
    // Cut off by the timeout, retried after the backoff.
    assert!(
        started.elapsed() >= timeout.mul_f64(0.9),
        "{:?}",
        started.elapsed()
    );
    let got = receiver.deliveries();
    assert_eq!(got[0].body, got[1].body, "the same event again");
    assert_eq!(got[0].id, got[1].id, "with the same webhook-id");
}

#[tokio::test]
async fn a_reset_an_operator_and_a_sign_in_by_email_that_confirm_all_tell_the_application() {
    let receiver = Receiver::start(0).await;
    let app = app_sending_to(&receiver).await;
    let by_reset = unique_email();
    let by_operator = unique_email();
    let by_sign_in = unique_email();
    for email in [&by_reset, &by_operator, &by_sign_in] {
        app.signup(email, PASSWORD).await;
    }
    let asking = app.new_browser();
    asking
        .post_form("/login/email", &[("email", &by_sign_in)])
        .await;
    let code = crate::helpers::code_in(&app.smtp.wait_for(&by_sign_in, 2).await[1]);
    asking.post_form("/login/code", &[("code", &code)]).await;

    app.post_form("/password/forgot", &[("email", &by_reset)])
        .await;
    let reset = app.smtp.wait_for(&by_reset, 2).await[1].link("/password/reset/");
    let token = reset.rsplit('/').next().unwrap().to_owned();
    app.new_browser()
        .post_form(
            "/password/reset",
            &[
                ("token", &token),
                ("password", "a new passphrase after all"),
            ],
        )
        .await;
    let confirmed = app.cli(&["users", "confirm", &by_operator]).await;
    assert_eq!(confirmed.code, 0, "{}", confirmed.stderr);

    wait_until("user.confirmed for the three accounts", || async {
        let confirmed: Vec<String> = receiver
            .deliveries()
            .iter()
            .map(Delivery::json)
            .filter(|event| event["type"] == "user.confirmed")
            .map(|event| {
                event["data"]["email"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        [&by_reset, &by_operator, &by_sign_in]
            .iter()
            .all(|email| confirmed.contains(email))
    })
    .await;
}

#[tokio::test]
async fn webhook_ids_are_random_not_row_numbers() {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let receiver = Receiver::start(0).await;
        let app = app_sending_to(&receiver).await;
        app.signup(&unique_email(), PASSWORD).await;
        let got = receiver.wait_for(&["user.registered"]).await;
        ids.push(got[0].id.clone());
    }
    for id in &ids {
        let random = id.strip_prefix("msg_").unwrap_or_default();
        assert!(
            random.len() == 32 && random.bytes().all(|byte| byte.is_ascii_hexdigit()),
            "{id}"
        );
    }
    assert_ne!(ids[0], ids[1], "the first event of two databases");
}

#[tokio::test]
async fn a_secret_in_the_webhook_url_is_neither_listed_nor_recorded() {
    let receiver = Receiver::start(usize::MAX).await;
    let app = spawn_app_with()
        .set(
            "WEBHOOK_URL",
            &format!("{}?token=sekrit-value", receiver.url),
        )
        .set("WEBHOOK_SECRET", &secret())
        .start()
        .await;
    app.signup(&unique_email(), PASSWORD).await;
    wait_until("a failed delivery", || async {
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'webhook' AND attempts >= 1")
            .await
            >= 1
    })
    .await;

    for args in [&["outbox", "list"][..], &["outbox", "list", "--json"]] {
        let listed = app.cli(args).await;
        assert_eq!(listed.code, 0, "{}", listed.stderr);
        assert!(
            listed.stdout.contains("/hooks/doorman"),
            "{}",
            listed.stdout
        );
        assert!(!listed.stdout.contains("sekrit"), "{}", listed.stdout);
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE recipient LIKE '%sekrit%' \
             OR last_error LIKE '%sekrit%' OR payload LIKE '%sekrit%'"
        )
        .await,
        0
    );
}
