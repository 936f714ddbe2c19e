//! The `doorman` binary as an operator runs it: start, serve, stop on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{
    Browser, PASSWORD, TestSmtp, fresh_database_url, location, random_hex, unique_email,
    unused_port,
};

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_and_sends_its_email() {
    let smtp = TestSmtp::start();
    let port = unused_port();
    let database_url = fresh_database_url().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_doorman"))
        .arg("serve")
        .env_clear()
        .env("DATABASE_URL", &database_url)
        .env("SMTP_URL", smtp.url())
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("BASE_URL", crate::helpers::BASE_URL)
        .env("SECRET_KEY", random_hex(32))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let browser = Browser::new(&format!("http://127.0.0.1:{port}"));
    let started = Instant::now();
    loop {
        if let Ok(response) = browser.client.get(browser.url("/readyz")).send().await
            && response.status() == 200
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never became ready"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());

    let response = request.await.unwrap();
    assert_eq!(location(&response), "/signup/check-email");
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "exit status {status:?}");
    assert_eq!(
        smtp.wait_for(&email, 1).await.len(),
        1,
        "the email left before exit"
    );
}
