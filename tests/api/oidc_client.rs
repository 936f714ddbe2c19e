//! A certified relying-party library against Doorman: panva's openid-client (npm), run by
//! Node, drives discovery, the code flow with PKCE for a public and a confidential client
//! (basic and post), ID-token validation against the JWKS, userinfo, refresh rotation and
//! RP-initiated logout (`tests/oidc/relying_party.mjs`).

use std::path::PathBuf;
use std::process::Command;

use crate::helpers::{PASSWORD, location, spawn_app_with, unique_email, unused_port};
use crate::oidc::register;

#[tokio::test]
#[ignore = "needs Node and openid-client in target/oidc-rp (.ci/run installs them)"]
async fn openid_client_signs_people_in_refreshes_and_logs_out() {
    // openid-client insists that the issuer is where it fetched discovery from.
    let port = unused_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let app = spawn_app_with()
        .set("BIND_ADDR", &format!("127.0.0.1:{port}"))
        .set("BASE_URL", &issuer)
        .start()
        .await;
    // Links in emails start with this app's own BASE_URL: confirmed by the operator.
    let email = unique_email();
    app.signup(&email, PASSWORD).await;
    assert_eq!(app.cli(&["users", "confirm", &email]).await.code, 0);
    assert_eq!(location(&app.login(&email, PASSWORD).await), "/account");
    let session = app.cookie("doorman_session").unwrap();
    let public = register(&app, &["--public", "--first-party"]).await;
    let confidential = register(&app, &["--first-party"]).await;

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let runner = root.join("target/oidc-rp");
    std::fs::copy(
        root.join("tests/oidc/relying_party.mjs"),
        runner.join("relying_party.mjs"),
    )
    .expect("target/oidc-rp holds node_modules/openid-client (.ci/run installs it)");
    let mut command = Command::new("node");
    command
        .arg("relying_party.mjs")
        .current_dir(&runner)
        .env("ISSUER", &issuer)
        .env("EMAIL", &email)
        .env("SESSION_COOKIE", format!("doorman_session={session}"))
        .env("REDIRECT_URI", &public.redirect_uri)
        .env(
            "POST_LOGOUT_REDIRECT_URI",
            "https://app.example.com/logged-out",
        )
        .env("PUBLIC_CLIENT_ID", &public.client_id)
        .env("CONFIDENTIAL_CLIENT_ID", &confidential.client_id)
        .env(
            "CONFIDENTIAL_CLIENT_SECRET",
            confidential.secret.as_deref().unwrap(),
        );
    let output = tokio::task::spawn_blocking(move || command.output().expect("node runs"))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "openid-client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("every flow passed"), "{stdout}");
}
