//! SPEC §11: pages and emails in English, German and French.

use serde_json::json;

use crate::helpers::{PASSWORD, spawn_app, spawn_app_with, unique_email};

/// The `doorman_lang` cookie a response sets, if it sets one.
fn language_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|cookie| cookie.starts_with("doorman_lang="))
}

fn html_lang(page: &str) -> &str {
    let start = page.find("<html lang=\"").expect("an <html lang>") + "<html lang=\"".len();
    &page[start..start + page[start..].find('"').unwrap()]
}

#[tokio::test]
async fn a_page_speaks_the_best_match_of_accept_language() {
    let app = spawn_app().await;
    let cases = [
        (
            "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7",
            "fr",
            "Créer votre compte",
        ),
        ("de-AT", "de", "Konto anlegen"),
        ("es, en;q=0.2, de;q=0.5", "de", "Konto anlegen"),
        ("en-GB,en;q=0.9", "en", "Create your account"),
    ];
    for (accept_language, tag, heading) in cases {
        let response = app.browser_speaking(accept_language).get("/signup").await;

        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-language"], tag);
        let page = response.text().await.unwrap();
        assert_eq!(html_lang(&page), tag, "{accept_language}");
        assert!(page.contains(heading), "{accept_language}: {page}");
    }
}

#[tokio::test]
async fn default_locale_answers_when_no_shipped_language_is_asked_for() {
    let app = spawn_app_with().set("DEFAULT_LOCALE", "de").start().await;

    for browser in [app.browser_speaking("es, pt;q=0.8"), app.new_browser()] {
        let page = browser.get("/login").await.text().await.unwrap();
        assert_eq!(html_lang(&page), "de");
        assert!(page.contains("Passwort vergessen?"), "{page}");
    }
    // Asking for a shipped language still wins over the default.
    let page = app
        .browser_speaking("fr")
        .get("/login")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(html_lang(&page), "fr");
}

#[tokio::test]
async fn a_footer_link_picks_another_language_with_a_cookie_and_no_database_write() {
    let app = spawn_app().await;
    let browser = app.browser_speaking("en");
    let page = browser
        .get("/signup?return_to=%2Faccount")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"href="/signup?return_to=%2Faccount&#38;lang=de" lang="de" hreflang="de""#),
        "{page}"
    );
    let writes_before = app.count("SELECT COUNT(*) FROM sessions").await
        + app.count("SELECT COUNT(*) FROM users").await;

    let picked = browser.get("/signup?return_to=%2Faccount&lang=de").await;

    assert_eq!(picked.status(), 200);
    let cookie = language_cookie(&picked).expect("the choice is kept in a cookie");
    assert!(cookie.starts_with("doorman_lang=de;"), "{cookie}");
    assert!(
        cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(picked.text().await.unwrap().contains("Konto anlegen"));
    // The choice outlasts the page: every later page, whatever the browser asks for.
    let later = browser.get("/password/forgot").await;
    assert_eq!(later.headers()["content-language"], "de");
    assert!(later.text().await.unwrap().contains("Passwort vergessen?"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions").await
            + app.count("SELECT COUNT(*) FROM users").await,
        writes_before,
        "choosing a language writes nothing to the database"
    );
}

#[tokio::test]
async fn an_unknown_language_in_the_link_is_ignored() {
    let app = spawn_app().await;

    for query in ["lang=xx", "lang=", "lang=%3Cscript%3E", "lang=de&lang=fr"] {
        let response = app
            .browser_speaking("fr")
            .get(&format!("/login?{query}"))
            .await;
        assert_eq!(response.status(), 200, "{query}");
        let cookie = language_cookie(&response).unwrap_or_default();
        if query == "lang=de&lang=fr" {
            assert!(
                cookie.starts_with("doorman_lang=de;"),
                "{query}: the first counts"
            );
        } else {
            assert!(cookie.is_empty(), "{query}: {cookie}");
            assert_eq!(html_lang(&response.text().await.unwrap()), "fr", "{query}");
        }
    }
}

#[tokio::test]
async fn error_pages_and_field_errors_speak_the_language_too() {
    let app = spawn_app().await;
    let french = app.browser_speaking("fr");

    let missing = french.get("/no/such/page").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Page introuvable"));

    let refused = french
        .post_form(
            "/signup",
            &[("email", "not-an-address"), ("password", "short")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("Saisissez une adresse e-mail comme nom@example.com."),
        "{page}"
    );
    assert!(page.contains("Utilisez au moins 15 caractères."), "{page}");

    let german = app.browser_speaking("de");
    let wrong = german
        .post_form(
            "/login",
            &[("email", &unique_email()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(wrong.status(), 401);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("E-Mail-Adresse oder Passwort ist falsch.")
    );
}

#[tokio::test]
async fn the_account_keeps_its_sign_up_language_for_every_email() {
    let app = spawn_app().await;
    let email = unique_email();
    let german = app.browser_speaking("de-DE,de;q=0.9");

    assert_eq!(german.signup(&email, PASSWORD).await.status(), 303);

    let confirmation = app.smtp.latest(&email).await;
    assert_eq!(confirmation.subject(), "Bestätigen Sie Ihre E-Mail-Adresse");
    assert_eq!(
        confirmation.header("Content-Language").as_deref(),
        Some("de")
    );
    assert!(
        confirmation
            .text()
            .contains("Der Code funktioniert eine Stunde lang.")
    );
    assert!(confirmation.html().contains(r#"<html lang="de">"#));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM users WHERE locale = 'de' AND email_normalized = '{email}'"
        ))
        .await,
        1
    );

    // Asked for from a French browser, the reset still speaks the account's language.
    let french = app.browser_speaking("fr");
    assert_eq!(
        french
            .post_form("/password/forgot", &[("email", &email)])
            .await
            .status(),
        303
    );
    let reset = app.smtp.wait_for(&email, 2).await.pop().unwrap();
    assert_eq!(reset.subject(), "Setzen Sie Ihr Passwort zurück");
    assert_eq!(reset.header("Content-Language").as_deref(), Some("de"));

    // And so does the "someone tried to sign up" notice once it is confirmed.
    let link = confirmation.link("/confirm/");
    let confirmed = german.confirm(&link, &[("password", PASSWORD)]).await;
    assert_eq!(confirmed.status(), 303);
    assert_eq!(french.signup(&email, PASSWORD).await.status(), 303);
    let notice = app.smtp.wait_for(&email, 3).await.pop().unwrap();
    assert_eq!(
        notice.subject(),
        "Jemand wollte sich mit Ihrer Adresse registrieren"
    );
}

#[tokio::test]
async fn an_api_registration_keeps_accept_language_and_problem_titles_stay_english() {
    let app = spawn_app().await;
    let email = unique_email();
    let client = reqwest::Client::new();

    let accepted = client
        .post(app.url("/api/v1/registrations"))
        .header("accept-language", "fr-FR")
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    let email_received = app.smtp.latest(&email).await;
    assert_eq!(email_received.subject(), "Confirmez votre adresse e-mail");
    assert_eq!(
        email_received.header("Content-Language").as_deref(),
        Some("fr")
    );

    // Clients match on the problem documents' words: they do not follow the language.
    let expired = client
        .post(app.url("/api/v1/confirmations"))
        .header("accept-language", "fr-FR")
        .json(&json!({"token": "not.a.token", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 400);
    let problem: serde_json::Value = expired.json().await.unwrap();
    assert_eq!(problem["detail"], "Error decoding signature.");

    // The per-field messages are for people: they follow Accept-Language.
    let refused = client
        .post(app.url("/api/v1/registrations"))
        .header("accept-language", "de")
        .json(&json!({"email": "nope", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(problem["title"], "Invalid request");
    assert_eq!(
        problem["errors"]["email"],
        "Geben Sie eine E-Mail-Adresse wie name@example.com ein."
    );
}

#[tokio::test]
async fn only_pages_claim_a_language() {
    let app = spawn_app().await;
    let german = app.browser_speaking("de");

    let page = german.get("/login").await;
    assert_eq!(page.headers()["content-language"], "de");
    assert!(
        page.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("Accept-Language")
    );
    for path in [
        "/static/style.css",
        "/healthz",
        "/api/v1/openapi.json",
        "/api/v1/session",
    ] {
        let response = german.get(path).await;
        assert!(
            response.headers().get("content-language").is_none(),
            "{path} is not written in a language"
        );
    }
}
