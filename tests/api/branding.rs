//! A team's name and look (SPEC §16): `APP_NAME` on every page and email, `BRAND_DIR`'s
//! stylesheet and logo, `MESSAGES_DIR`'s words, and start-up refusing broken overrides.

use std::path::PathBuf;

use crate::helpers::{PASSWORD, random_hex, spawn_app, spawn_app_with, unique_email};

/// A folder under the system's temporary one with `files` in it.
fn folder(files: &[(&str, &str)]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("doorman-brand-{}", random_hex(6)));
    std::fs::create_dir_all(&path).unwrap();
    for (name, text) in files {
        std::fs::write(path.join(name), text).unwrap();
    }
    path
}

const LOGO: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>"#;

#[tokio::test]
async fn the_name_the_look_and_the_words_are_the_teams_on_pages_and_in_emails() {
    let brand = folder(&[
        ("style.css", "h1 { color: rebeccapurple; }"),
        ("logo.svg", LOGO),
    ]);
    let messages = folder(&[(
        "en.ftl",
        "home-heading = Hello from { -app-name }\nconfirmation-subject = Welcome aboard: confirm your address\n",
    )]);
    let app = spawn_app_with()
        .set("APP_NAME", "Acme Portal")
        .set("MAIL_FROM", "no-reply@acme.test")
        .set("BRAND_DIR", brand.to_str().unwrap())
        .set("MESSAGES_DIR", messages.to_str().unwrap())
        .start()
        .await;

    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("<title>"), "{home}");
    assert!(home.contains("· Acme Portal</title>"), "{home}");
    assert!(home.contains("Hello from Acme Portal"), "{home}");
    assert!(
        home.contains(
            r#"<link rel="stylesheet" href="/static/style.css">
<link rel="stylesheet" href="/brand/style.css">"#
        ),
        "the brand's stylesheet comes after the built-in one: {home}"
    );
    assert!(
        home.contains(r#"<img src="/brand/logo.svg" alt="Acme Portal" class="logo">"#),
        "{home}"
    );
    for page in ["/", "/signup", "/login", "/password/forgot"] {
        let html = app.get(page).await.text().await.unwrap();
        assert!(!html.contains("Doorman"), "{page} still says Doorman");
    }

    let css = app.get("/brand/style.css").await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.text().await.unwrap(), "h1 { color: rebeccapurple; }");
    let logo = app.get("/brand/logo.svg").await;
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    assert_eq!(app.get("/brand/logo.png").await.status(), 404);
    assert_eq!(app.get("/brand/..%2FCargo.toml").await.status(), 404);

    let email = unique_email();
    app.signup(&email, PASSWORD).await;
    let confirmation = app.smtp.latest(&email).await;
    assert_eq!(
        confirmation.subject(),
        "Welcome aboard: confirm your address"
    );
    assert_eq!(
        confirmation.header("From").unwrap(),
        "\"Acme Portal\" <no-reply@acme.test>"
    );
    assert!(confirmation.text().contains("Acme Portal"));
    assert!(!confirmation.text().contains("Doorman"));
    assert!(
        confirmation
            .html()
            .contains(r#"<img src="http://doorman.localhost/brand/logo.svg" alt="Acme Portal""#),
        "{}",
        confirmation.html()
    );
    std::fs::remove_dir_all(brand).unwrap();
    std::fs::remove_dir_all(messages).unwrap();
}

#[tokio::test]
async fn without_a_brand_dir_nothing_is_served_under_brand() {
    let app = spawn_app().await;
    assert_eq!(app.get("/brand/style.css").await.status(), 404);
    let home = app.get("/").await.text().await.unwrap();
    assert!(!home.contains("/brand/"));
    assert!(home.contains("· Doorman</title>"));
}

#[tokio::test]
async fn broken_overrides_stop_start_up_with_one_clear_line() {
    let app = spawn_app().await;
    let unknown = folder(&[("de.ftl", "welcome-banner = Hallo\n")]);
    let broken = folder(&[("fr.ftl", "home-heading = { oops\n")]);
    let no_css = folder(&[("logo.svg", LOGO)]);
    for (variable, value, says) in [
        (
            "MESSAGES_DIR",
            &unknown,
            "`welcome-banner` is not a message",
        ),
        ("MESSAGES_DIR", &broken, "does not parse"),
        ("BRAND_DIR", &no_css, "must be a folder with a style.css"),
    ] {
        let run = app
            .cli_with(
                &["users", "list"],
                "",
                &[(variable, value.to_str().unwrap())],
            )
            .await;
        assert_ne!(run.code, 0, "{run:?}");
        assert!(run.stderr.contains(says), "{run:?}");
        assert_eq!(run.stderr.trim().lines().count(), 1, "{run:?}");
        assert!(run.stderr.contains(variable), "{run:?}");
    }
    for dir in [unknown, broken, no_css] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}
