//! The `doorman` binary as an operator runs it: start, serve, log, stop on SIGTERM.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{
    Browser, PASSWORD, TestSmtp, fresh_database_url, location, random_hex, unique_email,
    unused_port,
};

/// Starts `doorman serve` on a free port and waits until it is ready.
#[expect(
    clippy::zombie_processes,
    reason = "the child is handed to the caller, and `stop` waits for it"
)]
async fn serve(smtp: &TestSmtp, rust_log: &str) -> (Child, Browser) {
    let port = unused_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_doorman"))
        .arg("serve")
        .env_clear()
        .env("DATABASE_URL", fresh_database_url().await)
        .env("SMTP_URL", smtp.url())
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("ADMIN_BIND_ADDR", "127.0.0.1:0")
        .env("BASE_URL", crate::helpers::BASE_URL)
        .env("SECRET_KEY", random_hex(32))
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
    let (child, browser) = serve(&smtp, "warn").await;
    let email = unique_email();
    let token = browser.csrf_token().await;

    // Hashing keeps the sign-up busy for a while: SIGTERM lands while it is in flight.
    let request = {
        let browser = browser.clone();
        let email = email.clone();
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
    };
    tokio::time::sleep(Duration::from_millis(5)).await;
    let stopping = tokio::spawn(stop(child));

    let response = request.await.unwrap();
    assert_eq!(location(&response), "/signup/check-email");
    stopping.await.unwrap();
    assert_eq!(
        smtp.wait_for(&email, 1).await.len(),
        1,
        "the email left before exit"
    );
}

#[tokio::test]
async fn request_logs_name_routes_but_never_tokens_passwords_or_addresses() {
    let smtp = TestSmtp::start();
    let (child, browser) = serve(&smtp, "info,tower_http=debug").await;
    let email = unique_email();
    let password = "a very particular passphrase";

    browser.signup(&email, password).await;
    let link = smtp.wait_for(&email, 1).await[0].link("/confirm/");
    let token = link.rsplit('/').next().unwrap().to_owned();
    browser.get_link(&link).await;
    assert_eq!(
        location(&browser.confirm(&link, &[("password", password)]).await),
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
