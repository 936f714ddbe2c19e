//! Signing in with an emailed code or link (SPEC §14).

use std::time::Duration;

use crate::helpers::{
    Browser, PASSWORD, TestApp, code_in, form_value, location, spawn_app, spawn_app_with,
    unique_email,
};

const NEW_PASSWORD: &str = "a different long passphrase";

/// Asks for a sign-in email for `email` in `browser`, checks the answer every address
/// gets, and returns the email once it arrived.
async fn ask(
    app: &TestApp,
    browser: &Browser,
    email: &str,
    return_to: Option<&str>,
) -> crate::helpers::ReceivedEmail {
    let before = app.smtp.to(email).len();
    let mut fields = vec![("email", email)];
    if let Some(return_to) = return_to {
        fields.push(("return_to", return_to));
    }
    let response = browser.post_form("/login/email", &fields).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login/check-email");
    app.smtp
        .wait_for(email, before + 1)
        .await
        .pop()
        .expect("an email")
}

async fn post_code(browser: &Browser, code: &str) -> reqwest::Response {
    browser.post_form("/login/code", &[("code", code)]).await
}

/// The code `code` with its last digit changed: wrong, and still six digits.
fn wrong(code: &str) -> String {
    let last = code.as_bytes()[5] - b'0';
    format!("{}{}", &code[..5], (last + 1) % 10)
}

async fn logged_in_as(browser: &Browser, email: &str) -> bool {
    let account = browser.get("/account").await;
    account.status() == 200 && account.text().await.unwrap().contains(email)
}

/// A confirmed account, with no browser logged in to it.
async fn confirmed(app: &TestApp) -> String {
    let email = unique_email();
    app.new_browser()
        .signup(&email, PASSWORD)
        .await
        .error_for_status()
        .unwrap();
    assert_eq!(app.cli(&["users", "confirm", &email]).await.code, 0);
    email
}

#[tokio::test]
async fn the_emailed_code_signs_in_the_browser_that_asked() {
    let app = spawn_app().await;
    let email = confirmed(&app).await;
    let browser = app.new_browser();

    let page = browser.get("/login").await.text().await.unwrap();
    assert!(page.contains(r#"action="/login/email""#), "a second form");
    let received = ask(&app, &browser, &email, None).await;
    let check = browser.get("/login/check-email").await;
    assert_eq!(check.status(), 200);
    assert!(
        check
            .text()
            .await
            .unwrap()
            .contains(r#"action="/login/code""#)
    );
    let asked_session = browser.cookie("doorman_session").unwrap();

    let code = code_in(&received);
    assert!(received.link("/login/email/").len() > 40);
    let signed_in = post_code(&browser, &code).await;
    assert_eq!(signed_in.status(), 303);
    assert_eq!(location(&signed_in), "/account");
    assert_ne!(
        browser.cookie("doorman_session").unwrap(),
        asked_session,
        "a new session id"
    );
    assert!(logged_in_as(&browser, &email).await);

    // Once: after logging out, the same code is a wrong one.
    browser.post_form("/logout", &[]).await;
    let again = post_code(&browser, &code).await;
    assert_eq!(again.status(), 422);
}

#[tokio::test]
async fn opening_the_link_signs_nobody_in_and_its_button_signs_in_the_browser_that_presses_it() {
    let app = spawn_app().await;
    let email = confirmed(&app).await;
    let laptop = app.new_browser();
    let link = ask(&app, &laptop, &email, None).await.link("/login/email/");

    // A mail scanner, then the person on their phone.
    let scanner = app.new_browser();
    assert_eq!(scanner.get_link(&link).await.status(), 200);
    assert!(!logged_in_as(&scanner, &email).await);
    let phone = app.new_browser();
    let page = phone.get_link(&link).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let page = page.text().await.unwrap();
    assert!(page.contains(&email), "Log in as the address");
    assert!(!logged_in_as(&phone, &email).await, "a GET signs no one in");

    let token = form_value(&page, "token").unwrap();
    let pressed = phone.post_form("/login/link", &[("token", &token)]).await;
    assert_eq!(location(&pressed), "/account");
    assert!(logged_in_as(&phone, &email).await);
    assert!(!logged_in_as(&laptop, &email).await);

    // Once: the link now opens the page of a spent link, which offers a new email.
    let spent = scanner.get_link(&link).await;
    assert_eq!(spent.status(), 400);
    assert!(
        spent
            .text()
            .await
            .unwrap()
            .contains(r#"action="/login/email""#)
    );
    let pressed_again = scanner.post_form("/login/link", &[("token", &token)]).await;
    assert_eq!(pressed_again.status(), 400);
    assert!(!logged_in_as(&scanner, &email).await);
    // ...and the code of the same email is spent with it.
    let code = code_in(&app.smtp.latest(&email).await);
    assert_eq!(post_code(&laptop, &code).await.status(), 422);
}

#[tokio::test]
async fn the_code_in_another_browser_fails_like_a_wrong_one() {
    let app = spawn_app().await;
    let email = confirmed(&app).await;
    let asked = app.new_browser();
    let code = code_in(&ask(&app, &asked, &email, None).await);

    let elsewhere = app.new_browser();
    let right_elsewhere = post_code(&elsewhere, &code).await;
    assert_eq!(right_elsewhere.status(), 422);
    let right_elsewhere = right_elsewhere.text().await.unwrap();
    let wrong_here = post_code(&asked, &wrong(&code)).await;
    assert_eq!(wrong_here.status(), 422);
    assert_eq!(
        right_elsewhere.replace(&form_value(&right_elsewhere, "csrf_token").unwrap(), ""),
        wrong_here
            .text()
            .await
            .map(|page| page.replace(&form_value(&page, "csrf_token").unwrap(), ""))
            .unwrap(),
        "the same page"
    );
    assert!(!logged_in_as(&elsewhere, &email).await);
    assert_eq!(location(&post_code(&asked, &code).await), "/account");
}

#[tokio::test]
async fn the_sixth_code_fails_even_when_right_and_the_link_still_works() {
    let app = spawn_app().await;
    let email = confirmed(&app).await;
    let browser = app.new_browser();
    let received = ask(&app, &browser, &email, None).await;
    let code = code_in(&received);

    for _ in 0..5 {
        assert_eq!(post_code(&browser, &wrong(&code)).await.status(), 422);
    }
    let sixth = post_code(&browser, &code).await;
    assert_eq!(sixth.status(), 422);
    assert!(sixth.text().await.unwrap().contains("no longer works"));
    assert!(!logged_in_as(&browser, &email).await);

    let page = browser
        .get_link(&received.link("/login/email/"))
        .await
        .text()
        .await
        .unwrap();
    let token = form_value(&page, "token").unwrap();
    let pressed = browser.post_form("/login/link", &[("token", &token)]).await;
    assert_eq!(location(&pressed), "/account");
}

#[tokio::test]
async fn a_newer_sign_in_email_ends_the_older_ones_code_and_link() {
    let app = spawn_app().await;
    let email = confirmed(&app).await;
    let first_browser = app.new_browser();
    let first = ask(&app, &first_browser, &email, None).await;
    let second_browser = app.new_browser();
    let second = ask(&app, &second_browser, &email, None).await;
    assert_ne!(code_in(&first), code_in(&second));

    assert_eq!(
        post_code(&first_browser, &code_in(&first)).await.status(),
        422
    );
    assert_eq!(
        first_browser
            .get_link(&first.link("/login/email/"))
            .await
            .status(),
        400
    );
    assert_eq!(
        location(&post_code(&second_browser, &code_in(&second)).await),
        "/account"
    );
}

#[tokio::test]
async fn an_expired_link_and_code_offer_a_new_email() {
    let app = spawn_app().await;
    let email = confirmed(&app).await;
    let browser = app.new_browser();
    let received = ask(&app, &browser, &email, None).await;

    app.clock.advance(Duration::from_secs(16 * 60));
    let expired = browser.get_link(&received.link("/login/email/")).await;
    assert_eq!(expired.status(), 410);
    let page = expired.text().await.unwrap();
    assert!(page.contains(r#"action="/login/email""#));
    assert!(page.contains(&format!(r#"value="{email}""#)), "prefilled");
    assert_eq!(post_code(&browser, &code_in(&received)).await.status(), 422);
}

#[tokio::test]
async fn every_address_gets_the_same_answer_and_costs_one_queued_row() {
    let app = spawn_app().await;
    let confirmed_address = confirmed(&app).await;
    let unconfirmed_address = unique_email();
    app.new_browser()
        .signup(&unconfirmed_address, PASSWORD)
        .await;
    let unknown_address = unique_email();

    let mut answers = Vec::new();
    for address in [&confirmed_address, &unconfirmed_address, &unknown_address] {
        let rows = |address: &str| {
            format!(
                "SELECT COUNT(*) FROM outbox WHERE kind = 'sign_in' AND recipient_normalized = '{address}'"
            )
        };
        let browser = app.new_browser();
        let response = browser
            .post_form("/login/email", &[("email", address)])
            .await;
        let cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|value| {
                let value = value.to_str().unwrap();
                // The shape: name and attributes, not the random value.
                let (name, rest) = value.split_once('=').unwrap();
                let attributes = rest
                    .split_once(';')
                    .map_or("", |(_, attributes)| attributes);
                format!("{name}={attributes}")
            })
            .collect();
        answers.push((response.status(), location(&response), cookies));
        assert_eq!(app.count(&rows(address)).await, 1, "{address}");
    }
    assert!(
        answers.iter().all(|answer| *answer == answers[0]),
        "{answers:?}"
    );
    assert!(
        !answers[0].2.is_empty(),
        "a session cookie for every address"
    );
}

#[tokio::test]
async fn an_unknown_address_hears_it_has_no_account_in_the_browsers_language() {
    let app = spawn_app().await;
    let unknown = unique_email();
    let browser = app.browser_speaking("de");
    let received = ask(&app, &browser, &unknown, Some("/account")).await;

    assert_eq!(received.subject(), "Zu dieser Adresse gibt es kein Konto");
    assert!(received.link("/signup").contains("return_to=%2Faccount"));
    let code_like = received
        .text()
        .lines()
        .any(|line| line.trim().len() == 6 && line.trim().bytes().all(|b| b.is_ascii_digit()));
    assert!(!code_like, "no code to an address without an account");
    assert_eq!(post_code(&browser, "123456").await.status(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn signing_in_by_email_undoes_a_pre_registration() {
    let app = spawn_app().await;
    let victim = unique_email();
    // The intruder registers the victim's address with their own password and keeps the
    // browser that did.
    let intruder = app.new_browser();
    intruder
        .signup(&victim, "the intruders own passphrase")
        .await;
    app.outbox_settled().await;

    let owner = app.new_browser();
    let code = code_in(&ask(&app, &owner, &victim, None).await);
    assert_eq!(location(&post_code(&owner, &code).await), "/account");
    let row = app.user(&victim).await.unwrap();
    assert!(row.confirmed, "the inbox is proven");
    assert_eq!(row.password_hash, "", "the password nobody proved is gone");

    // The intruder's password no longer opens it, nor does their sign-up session.
    let tried = app
        .new_browser()
        .login(&victim, "the intruders own passphrase")
        .await;
    assert_eq!(tried.status(), 401);
    let continued = intruder.post_form("/signup/continue", &[]).await;
    assert_ne!(location(&continued), "/account");
    assert!(!logged_in_as(&intruder, &victim).await);

    // The owner has no password: the account page offers to set one, without asking
    // for a current one, while the sign-in is recent.
    let page = owner.get("/account").await.text().await.unwrap();
    assert!(page.contains("Set a password"), "{page}");
    assert!(!page.contains(r#"name="current_password""#));
    let set = owner
        .post_form("/account/password", &[("password", NEW_PASSWORD)])
        .await;
    assert_eq!(location(&set), "/account?notice=password-changed");
    assert_eq!(
        location(&app.new_browser().login(&victim, NEW_PASSWORD).await),
        "/account"
    );
}

#[tokio::test]
async fn an_account_without_a_password_logs_in_like_a_wrong_password_and_resets_one() {
    let app = spawn_app().await;
    let email = unique_email();
    app.new_browser().signup(&email, PASSWORD).await;
    app.outbox_settled().await;
    let browser = app.new_browser();
    let code = code_in(&ask(&app, &browser, &email, None).await);
    post_code(&browser, &code).await;

    let with_password = app.new_browser().login(&email, PASSWORD).await;
    assert_eq!(with_password.status(), 401);
    let with_nothing = app.new_browser().login(&email, "").await;
    assert_eq!(with_nothing.status(), 401);

    // A reset sets one.
    assert_eq!(
        app.new_browser()
            .post_form("/password/forgot", &[("email", &email)])
            .await
            .status(),
        303
    );
    let link = app.smtp.wait_for(&email, 3).await[2].link("/password/reset/");
    let reset_browser = app.new_browser();
    let form = reset_browser.get_link(&link).await.text().await.unwrap();
    let token = form_value(&form, "token").unwrap();
    let reset = reset_browser
        .post_form(
            "/password/reset",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(location(&reset), "/login");
    assert_eq!(
        location(&app.new_browser().login(&email, NEW_PASSWORD).await),
        "/account"
    );
}

#[tokio::test]
async fn without_a_password_a_sign_in_older_than_a_quarter_hour_changes_nothing() {
    let app = spawn_app().await;
    let email = unique_email();
    app.new_browser().signup(&email, PASSWORD).await;
    app.outbox_settled().await;
    let browser = app.new_browser();
    post_code(&browser, &code_in(&ask(&app, &browser, &email, None).await)).await;

    app.clock.advance(Duration::from_secs(16 * 60));
    let refused = browser
        .post_form("/account/password", &[("password", NEW_PASSWORD)])
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("sign-in from the last 15 minutes")
    );
    let delete = browser.post_form("/account/delete", &[]).await;
    assert_eq!(delete.status(), 422);
    assert!(app.user(&email).await.is_some());

    // Signing in again makes it recent.
    post_code(&browser, &code_in(&ask(&app, &browser, &email, None).await)).await;
    let deleted = browser.post_form("/account/delete", &[]).await;
    assert_eq!(location(&deleted), "/");
    assert!(app.user(&email).await.is_none());
}

#[tokio::test]
async fn return_to_survives_the_code_and_the_link_on_another_device() {
    let app = spawn_app().await;
    let email = confirmed(&app).await;
    let destination = "/account?from=email";

    let browser = app.new_browser();
    let code = code_in(&ask(&app, &browser, &email, Some(destination)).await);
    assert_eq!(location(&post_code(&browser, &code).await), destination);

    let laptop = app.new_browser();
    let link = ask(&app, &laptop, &email, Some(destination))
        .await
        .link("/login/email/");
    let phone = app.new_browser();
    let page = phone.get_link(&link).await.text().await.unwrap();
    let token = form_value(&page, "token").unwrap();
    let carried = form_value(&page, "return_to").unwrap();
    assert_eq!(carried, destination);
    let pressed = phone
        .post_form("/login/link", &[("token", &token), ("return_to", &carried)])
        .await;
    assert_eq!(location(&pressed), destination);
}

#[tokio::test]
async fn bad_input_gets_a_readable_answer() {
    let app = spawn_app().await;
    let browser = app.new_browser();

    // A code from a browser that never asked, and codes that are not six digits.
    for code in [
        "123456",
        "",
        "12345",
        "abcdef",
        "1234567",
        &"9".repeat(5000),
    ] {
        let response = post_code(&browser, code).await;
        assert_eq!(response.status(), 422, "{code:.20}");
        assert!(response.text().await.unwrap().contains("no longer works"));
    }
    // What is not an address is answered like any address, and sends nothing.
    for typed in ["not an address", "", "a@b@c"] {
        let response = browser.post_form("/login/email", &[("email", typed)]).await;
        assert_eq!(location(&response), "/login/check-email");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'sign_in'")
            .await,
        0
    );
    // Links that are not ours.
    for token in ["garbage", "a.b.c", &"x".repeat(3000)] {
        let opened = browser.get(&format!("/login/email/{token}")).await;
        assert_eq!(opened.status(), 400, "{token:.20}");
        let pressed = browser.post_form("/login/link", &[("token", token)]).await;
        assert_eq!(pressed.status(), 400, "{token:.20}");
    }
    // A confirmation link is not a sign-in link.
    let email = unique_email();
    let confirm_link = app.signup_and_get_link(&email).await;
    let confirm_token = confirm_link.rsplit('/').next().unwrap();
    let pressed = browser
        .post_form("/login/link", &[("token", confirm_token)])
        .await;
    assert_eq!(pressed.status(), 400);
    // Without a CSRF token, nothing happens.
    let forged = app
        .client
        .post(app.url("/login/email"))
        .form(&[("email", email.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
}

#[tokio::test]
async fn asking_costs_as_long_for_an_unknown_address_as_for_an_account() {
    let app = spawn_app_with()
        .set("RATE_LIMIT_PER_MINUTE", "0")
        .start()
        .await;
    // A systematic difference shows in every attempt; load from the other tests on the
    // same two cores shows in one now and then, so an attempt may be repeated twice.
    let mut ratios = Vec::new();
    for _ in 0..3 {
        let known: Vec<String> = (0..24).map(|_| unique_email()).collect();
        for email in &known {
            app.new_browser().signup(email, PASSWORD).await;
        }
        app.outbox_settled().await;
        let (mut known_times, mut unknown_times) = (Vec::new(), Vec::new());
        for email in &known {
            known_times.push(ask_duration(&app, email).await);
            unknown_times.push(ask_duration(&app, &unique_email()).await);
        }
        let ratio = median(known_times) / median(unknown_times);
        ratios.push(ratio);
        if (0.8..1.25).contains(&ratio) {
            return;
        }
    }
    panic!("known/unknown sign-in request time ratios {ratios:.2?}");
}

async fn ask_duration(app: &TestApp, email: &str) -> f64 {
    let browser = app.new_browser();
    let token = browser.csrf_token().await;
    let started = std::time::Instant::now();
    let response = browser
        .client
        .post(browser.url("/login/email"))
        .form(&[("email", email), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    started.elapsed().as_secs_f64()
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

#[tokio::test]
async fn an_application_gets_its_code_after_a_sign_in_by_email() {
    use crate::oidc::{authorization_query, exchange, pkce, redirect_params, register};

    let app = spawn_app().await;
    let email = confirmed(&app).await;
    let rp = register(&app, &["--public", "--first-party"]).await;
    let (verifier, challenge) = pkce();
    let browser = app.new_browser();
    let query = authorization_query(&rp, &challenge, &[]);
    let to_login = location(&browser.get(&format!("/oauth2/authorize?{query}")).await);
    let login_page = browser.get(&to_login).await.text().await.unwrap();
    let return_to = form_value(&login_page, "return_to").unwrap();
    assert!(return_to.starts_with("/oauth2/authorize?"), "{return_to}");

    let code = code_in(&ask(&app, &browser, &email, Some(&return_to)).await);
    let resumed = location(&post_code(&browser, &code).await);
    assert!(resumed.starts_with("/oauth2/authorize?"), "{resumed}");
    let params = redirect_params(&browser.get(&resumed).await);
    let (status, tokens) = exchange(&app, &rp, &params["code"], &verifier).await;
    assert_eq!(status, 200, "{tokens}");
}
