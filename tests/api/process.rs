//! The `doorman` binary as an operator runs it: start, serve, log, stop on SIGTERM.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{
    Browser, PASSWORD, TestSmtp, fresh_database_url, location, random_hex, unique_email,
    unused_port, wait_until,
};

/// Starts `doorman serve` on a free port and waits until it is ready.
async fn serve(smtp: &TestSmtp, rust_log: &str) -> (Child, Browser) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_doorman"));
    command
        .env_clear()
        .env("DATABASE_URL", fresh_database_url().await)
        .env("SECRET_KEY", random_hex(32));
    start_serving(command, smtp, rust_log).await
}

/// As [`serve`], with the soft open-file limit at `limit` when the process starts.
async fn serve_with_open_file_limit(smtp: &TestSmtp, limit: u64) -> (Child, Browser) {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_doorman"));
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let mut current = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut current);
            let lowered = libc::rlimit {
                rlim_cur: limit.min(current.rlim_max),
                rlim_max: current.rlim_max,
            };
            libc::setrlimit(libc::RLIMIT_NOFILE, &lowered);
            Ok(())
        });
    }
    command
        .env_clear()
        .env("DATABASE_URL", fresh_database_url().await)
        .env("SECRET_KEY", random_hex(32))
        // The flood comes from this one test's address; what is measured here is the
        // descriptors, not one client's share (`connections.rs` measures that).
        .env("MAX_CONNECTIONS_PER_CLIENT", "4096");
    start_serving(command, smtp, "warn").await
}

#[expect(
    clippy::zombie_processes,
    reason = "the child is handed to the caller, and `stop` waits for it"
)]
/// Starts `command` (with its database and secret set) as `doorman serve` on a free port.
async fn start_serving(mut command: Command, smtp: &TestSmtp, rust_log: &str) -> (Child, Browser) {
    let port = unused_port();
    // `/metrics` on a port the test may know; tests that read it set it beforehand.
    let admin = command
        .get_envs()
        .find(|(name, _)| *name == "ADMIN_BIND_ADDR")
        .and_then(|(_, value)| value)
        .map_or_else(
            || "127.0.0.1:0".to_owned(),
            |value| value.to_string_lossy().into_owned(),
        );
    let mut child = command
        .arg("serve")
        .env("SMTP_URL", smtp.url())
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("ADMIN_BIND_ADDR", admin)
        .env("BASE_URL", crate::helpers::BASE_URL)
        .env("RUST_LOG", rust_log)
        .env("LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let browser = Browser::new(&format!("http://127.0.0.1:{port}"));
    let started = Instant::now();
    loop {
        if let Ok(response) = browser.client.get(browser.url("/readyz")).send().await
            && response.status() == 200
        {
            return (child, browser);
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("doorman never became ready");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The password hashes `doorman serve` is running or has waiting, from its `/metrics`.
async fn hashes_in_flight(admin: &str) -> u64 {
    let Ok(response) = reqwest::get(format!("http://{admin}/metrics")).await else {
        return 0;
    };
    let text = response.text().await.unwrap_or_default();
    text.lines()
        .find_map(|line| line.strip_prefix("doorman_password_hash_queue_depth "))
        .and_then(|value| value.trim().parse::<f64>().ok())
        .map_or(0, |depth| depth as u64)
}

/// Sends SIGTERM and waits for a clean exit; returns everything the process logged.
async fn stop(mut child: Child) -> String {
    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    tokio::task::spawn_blocking(move || {
        let status = child.wait().unwrap();
        assert!(status.success(), "exit status {status:?}");
        let mut logs = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut logs)
            .unwrap();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut logs)
            .unwrap();
        logs
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_and_sends_its_email() {
    let smtp = TestSmtp::start();
    let admin = format!("127.0.0.1:{}", unused_port());
    let mut command = Command::new(env!("CARGO_BIN_EXE_doorman"));
    command
        .env_clear()
        .env("DATABASE_URL", fresh_database_url().await)
        .env("SECRET_KEY", random_hex(32));
    command.env("ADMIN_BIND_ADDR", &admin);
    let (child, browser) = start_serving(command, &smtp, "warn").await;
    let token = browser.csrf_token().await;

    // Hashing keeps sign-ups busy for a while, more of them than there are hashing threads
    // longer: SIGTERM lands while they are in flight.
    let emails: Vec<String> = (0..8).map(|_| unique_email()).collect();
    let requests: Vec<_> = emails
        .iter()
        .map(|email| {
            let (browser, email, token) = (browser.clone(), email.clone(), token.clone());
            tokio::spawn(async move {
                browser
                    .client
                    .post(browser.url("/signup"))
                    .form(&[
                        ("csrf_token", token.as_str()),
                        ("email", &email),
                        ("password", PASSWORD),
                    ])
                    .send()
                    .await
                    .unwrap()
            })
        })
        .collect();
    // SIGTERM only once sign-ups are being hashed: before, it would race the requests.
    wait_until("sign-ups to be in flight", || async {
        hashes_in_flight(&admin).await >= 1
    })
    .await;
    let stopping = tokio::spawn(stop(child));

    for request in requests {
        let response = request.await.unwrap();
        assert_eq!(location(&response), "/signup/check-email");
    }
    stopping.await.unwrap();
    for email in &emails {
        assert_eq!(
            smtp.wait_for(email, 1).await.len(),
            1,
            "the email left before exit"
        );
    }
}

#[tokio::test]
async fn request_logs_name_routes_but_never_tokens_passwords_or_addresses() {
    let smtp = TestSmtp::start();
    let (child, browser) = serve(&smtp, "info,tower_http=debug").await;
    let email = unique_email();
    let password = "a very particular passphrase";

    browser.signup(&email, password).await;
    let emailed = smtp.wait_for(&email, 1).await[0].clone();
    let link = emailed.link("/confirm/");
    let code = crate::helpers::code_in(&emailed);
    let token = link.rsplit('/').next().unwrap().to_owned();
    // A wrong code and the right one go through the log too.
    let wrong_code = if code == "999999" { "000000" } else { "999999" };
    browser
        .post_form("/confirm/code", &[("code", wrong_code)])
        .await;
    browser.get_link(&link).await;
    assert_eq!(
        location(&browser.post_form("/confirm/code", &[("code", &code)]).await),
        "/account"
    );
    browser.post_form("/logout", &[]).await;
    browser.login(&email, "a wrong password for the log").await;

    let logs = stop(child).await;
    assert!(
        logs.contains("/confirm/{token}"),
        "requests are logged by route:\n{logs}"
    );
    for secret in [
        token.as_str(),
        &token[..40],
        code.as_str(),
        wrong_code,
        password,
        "a wrong password for the log",
        &email,
    ] {
        assert!(
            !logs.contains(secret),
            "the log contains {secret:?}:\n{logs}"
        );
    }
    let local_part = email.split('@').next().unwrap();
    assert!(!logs.contains(local_part), "the log contains the address");
}

#[tokio::test]
async fn production_refuses_to_start_without_a_long_secret() {
    for secret in [None, Some("too short to sign anything")] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_doorman"));
        command.env_clear().env("APP_ENV", "production");
        if let Some(secret) = secret {
            command.env("SECRET_KEY", secret);
        }
        let output = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{secret:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
        assert!(
            stderr.starts_with("doorman: configuration error: SECRET_KEY: "),
            "{stderr}"
        );
    }
}

#[tokio::test]
async fn development_mode_refuses_a_public_bind_address_or_an_https_base_url() {
    for (variable, value) in [
        ("BIND_ADDR", "0.0.0.0:3000"),
        ("BASE_URL", "https://id.example.com"),
        // A name that may resolve elsewhere: DNS rebinding would hand out /dev/mailbox.
        ("BASE_URL", "http://id.example.com"),
        // A password for a relay elsewhere, without TLS, would cross the network in clear.
        ("SMTP_URL", "smtp://mailer:secret@relay.example:25"),
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_doorman"));
        command.env_clear().env(variable, value);
        let output = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{variable}={value}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
        assert!(
            stderr.starts_with(&format!("doorman: configuration error: {variable}: ")),
            "{stderr}"
        );
    }
}

#[tokio::test]
async fn held_connections_do_not_exhaust_descriptors_or_slow_healthz() {
    let smtp = TestSmtp::start();
    // Started as many systems start services: 1,024 open files unless the process raises
    // its own limit.
    let (child, browser) = serve_with_open_file_limit(&smtp, 1024).await;
    let address = browser.address.trim_start_matches("http://").to_owned();

    let held: Vec<std::net::TcpStream> = (0..1_100)
        .map(|_| std::net::TcpStream::connect(&address).unwrap())
        .collect();
    // A new client, so no connection opened before the flood is reused.
    let fresh = Browser::new(&browser.address);
    let started = Instant::now();
    let health = fresh
        .client
        .get(fresh.url("/healthz"))
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    let took = started.elapsed();
    let health = health.expect("/healthz answers");

    assert_eq!(health.status(), 200);
    assert!(took < Duration::from_secs(2), "/healthz took {took:?}");
    drop(held);
    stop(child).await;
}

/// A webhook receiver that answers `204` and keeps every body.
async fn webhook_receiver(
    listener: tokio::net::TcpListener,
) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    let bodies: std::sync::Arc<std::sync::Mutex<Vec<String>>> = std::sync::Arc::default();
    let store = bodies.clone();
    let app = axum::Router::new().fallback(move |body: String| {
        let store = store.clone();
        async move {
            store.lock().unwrap().push(body);
            axum::http::StatusCode::NO_CONTENT
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    bodies
}

fn webhook_settings(command: &mut Command, port: u16) {
    let secret = format!(
        "whsec_{}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            b"a webhook secret of thirty-two b"
        )
    );
    command
        .env("WEBHOOK_URL", format!("http://127.0.0.1:{port}/hook"))
        .env("WEBHOOK_SECRET", secret);
}

#[tokio::test]
async fn account_events_survive_a_dead_receiver_and_a_killed_process() {
    let smtp = TestSmtp::start();
    let receiver_port = unused_port();
    let database_url = fresh_database_url().await;
    let secret = random_hex(32);
    let command = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_doorman"));
        command
            .env_clear()
            .env("DATABASE_URL", &database_url)
            .env("SECRET_KEY", &secret);
        webhook_settings(&mut command, receiver_port);
        command
    };
    let (mut first, browser) = start_serving(command(), &smtp, "warn").await;
    let email = unique_email();
    assert_eq!(
        location(&browser.signup(&email, PASSWORD).await),
        "/signup/check-email"
    );
    smtp.wait_for(&email, 1).await;
    // No receiver yet: wait until the first attempt has failed and been recorded (killed
    // in mid-attempt, the row would stay leased for two minutes, longer than this test
    // waits); then the process dies without a chance to clean up.
    let db = sea_orm::Database::connect(&database_url).await.unwrap();
    let failed_once = sea_orm::Statement::from_string(
        db.get_database_backend(),
        "SELECT COUNT(*) FROM outbox WHERE kind = 'webhook' AND attempts >= 1 AND sent_at IS NULL",
    );
    wait_until("the first attempt to be recorded", || async {
        use sea_orm::ConnectionTrait;
        let row = db
            .query_one_raw(failed_once.clone())
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap() >= 1
    })
    .await;
    db.close().await.unwrap();
    first.kill().unwrap();
    first.wait().unwrap();

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", receiver_port))
        .await
        .unwrap();
    let bodies = webhook_receiver(listener).await;
    let (second, _) = start_serving(command(), &smtp, "warn").await;
    wait_until("the event to arrive", || async {
        bodies
            .lock()
            .unwrap()
            .iter()
            .any(|body| body.contains("user.registered") && body.contains(&email))
    })
    .await;
    stop(second).await;
}
