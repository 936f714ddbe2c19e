use crate::helpers::{PASSWORD, location, spawn_app, unique_email};

const NEW_PASSWORD: &str = "a brand new passphrase for me";

#[tokio::test]
async fn account_pages_and_forms_need_a_login() {
    let app = spawn_app().await;
    for path in ["/account/email", "/account/password", "/account/delete"] {
        let response = app.post_form(path, &[("current_password", PASSWORD)]).await;
        assert_eq!(
            (response.status().as_u16(), location(&response)),
            (303, "/login".to_owned()),
            "{path}"
        );
    }
    let page = app.get("/account").await;
    assert_eq!(location(&page), "/login");
}

#[tokio::test]
async fn the_account_page_shows_the_address_and_is_not_cached() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let page = app.get("/account").await;
    assert_eq!(page.headers()["cache-control"], "no-store");
    let body = page.text().await.unwrap();
    assert!(body.contains(&email));
    assert!(body.contains("Member since"));
    for action in [
        "/account/email",
        "/account/password",
        "/account/delete",
        "/logout",
    ] {
        assert!(body.contains(&format!("action=\"{action}\"")), "{action}");
    }
}

#[tokio::test]
async fn changing_the_password_checks_the_current_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let laptop = app.logged_in_elsewhere(&email).await;

    let wrong = app
        .post_form(
            "/account/password",
            &[
                ("current_password", "not my password"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("That is not your current password.")
    );
    let weak = app
        .post_form(
            "/account/password",
            &[("current_password", PASSWORD), ("password", "short")],
        )
        .await;
    assert_eq!(weak.status(), 422);
    assert_eq!(
        laptop.get("/account").await.status(),
        200,
        "nothing changed yet"
    );

    let changed = app
        .post_form(
            "/account/password",
            &[("current_password", PASSWORD), ("password", NEW_PASSWORD)],
        )
        .await;

    assert_eq!(location(&changed), "/account?notice=password-changed");
    let page = app.get("/account?notice=password-changed").await;
    assert_eq!(page.status(), 200, "this session stays");
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Your password was changed.")
    );
    assert_eq!(
        location(&laptop.get("/account").await),
        "/login",
        "the other session ended"
    );
    let notice = app.smtp.wait_for(&email, 2).await;
    assert_eq!(
        notice.last().unwrap().subject(),
        "Your password was changed"
    );
    app.post_form("/logout", &[]).await;
    assert_eq!(location(&app.login(&email, NEW_PASSWORD).await), "/account");
}

#[tokio::test]
async fn changing_the_email_happens_only_once_the_new_address_confirms() {
    let app = spawn_app().await;
    let old = unique_email();
    let new = unique_email();
    app.confirmed_user(&old).await;

    let wrong = app
        .post_form(
            "/account/email",
            &[("email", &new), ("current_password", "not my password")],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let same = app
        .post_form(
            "/account/email",
            &[
                ("email", &old.to_uppercase()),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(same.status(), 422);
    assert!(
        same.text()
            .await
            .unwrap()
            .contains("That is already your address.")
    );
    let malformed = app
        .post_form(
            "/account/email",
            &[("email", "not-an-address"), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(malformed.status(), 422);

    let requested = app
        .post_form(
            "/account/email",
            &[("email", &new), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(location(&requested), "/account?notice=email-sent");

    let confirmation = app.smtp.wait_for(&new, 1).await.pop().unwrap();
    assert_eq!(confirmation.subject(), "Confirm your new email address");
    let notice = app.smtp.wait_for(&old, 2).await.pop().unwrap();
    assert_eq!(notice.subject(), "Your email address is being changed");
    assert!(app.user(&old).await.is_some(), "unchanged until confirmed");
    let link = confirmation.link("/account/email/confirm/");

    // Opened on another device, with no session.
    let phone = app.new_browser();
    let page = phone.get_link(&link).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains(&format!("Confirm your new address {new}"))
    );
    assert!(app.user(&new).await.is_none(), "GET changes nothing");
    let path = phone
        .local(&link)
        .trim_start_matches(&phone.address)
        .to_owned();
    let wrong = phone
        .post_form(&path, &[("current_password", "not my password")])
        .await;
    assert_eq!(wrong.status(), 422);

    let done = phone
        .post_form(&path, &[("current_password", PASSWORD)])
        .await;

    assert_eq!(location(&done), "/account?notice=email-changed");
    assert!(app.user(&old).await.is_none());
    assert!(app.user(&new).await.unwrap().confirmed);
    assert_eq!(app.login(&old, PASSWORD).await.status(), 401);
    assert_eq!(location(&app.login(&new, PASSWORD).await), "/account");
    let again = phone.get_link(&link).await;
    assert_eq!(again.status(), 200);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("Address already changed")
    );
}

#[tokio::test]
async fn moving_to_an_address_with_an_account_tells_its_owner_not_the_requester() {
    let app = spawn_app().await;
    let requester = unique_email();
    let owner = unique_email();
    app.confirmed_user(&owner).await;
    app.post_form("/logout", &[]).await;
    app.confirmed_user(&requester).await;

    let response = app
        .post_form(
            "/account/email",
            &[("email", &owner), ("current_password", PASSWORD)],
        )
        .await;

    assert_eq!(
        location(&response),
        "/account?notice=email-sent",
        "the same answer"
    );
    let owner_emails = app.smtp.wait_for(&owner, 2).await;
    assert_eq!(
        owner_emails[1].subject(),
        "Someone tried to use your address"
    );
    assert!(
        !owner_emails[1].text().contains("/account/email/confirm/"),
        "no link to take it"
    );
    app.smtp.wait_for(&requester, 2).await;
    app.outbox_settled().await;
    assert_eq!(app.smtp.to(&owner).len(), 2);
    assert!(app.user(&requester).await.is_some());
}

#[tokio::test]
async fn deleting_the_account_removes_it_and_frees_the_address() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let laptop = app.logged_in_elsewhere(&email).await;

    let wrong = app
        .post_form(
            "/account/delete",
            &[("current_password", "not my password")],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(app.user(&email).await.is_some());

    let deleted = app
        .post_form("/account/delete", &[("current_password", PASSWORD)])
        .await;

    assert_eq!(location(&deleted), "/");
    assert!(app.user(&email).await.is_none());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
            .await,
        0
    );
    assert_eq!(location(&laptop.get("/account").await), "/login");
    let link = app.signup_and_get_link(&email).await;
    assert_eq!(
        app.get_link(&link).await.status(),
        200,
        "the address signs up again"
    );
}
