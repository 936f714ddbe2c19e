//! The operators' console and the admin API (SPEC §15).

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;

use crate::helpers::{
    Browser, PASSWORD, TestApp, code_in, location, spawn_app, spawn_app_with, unique_email,
    wait_until,
};

const WRONG: &str = "not the right passphrase at all";

/// A confirmed account, promoted by the command line, with `app.browser` logged in to it.
pub(crate) async fn admin(app: &TestApp) -> String {
    let email = unique_email();
    app.confirmed_user(&email).await;
    let promoted = app.cli(&["users", "promote", &email]).await;
    assert_eq!(promoted.code, 0, "{}", promoted.stderr);
    assert!(
        promoted.stdout.contains("is an admin"),
        "{}",
        promoted.stdout
    );
    email
}

/// A confirmed account, logged in in a browser of its own.
async fn member(app: &TestApp) -> (String, Browser) {
    let email = unique_email();
    let browser = app.new_browser();
    browser.signup(&email, PASSWORD).await;
    assert_eq!(app.cli(&["users", "confirm", &email]).await.code, 0);
    assert_eq!(location(&browser.login(&email, PASSWORD).await), "/account");
    (email, browser)
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    app.user(email).await.expect("the account exists").id
}

/// A key for the admin API, from the command line's last line of output.
pub(crate) async fn admin_key(app: &TestApp, name: &str) -> String {
    let created = app.cli(&["admin-keys", "create", name]).await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    created.stdout.trim().lines().last().unwrap().to_owned()
}

async fn api(app: &TestApp, key: &str, method: &str, path: &str) -> (u16, Value) {
    let response = app
        .client
        .request(
            method.parse().unwrap(),
            app.url(&format!("/api/v1/admin{path}")),
        )
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// `count` accounts at `domain`, straight into the database, numbered from 0 in the order
/// they were created.
async fn seed(app: &TestApp, prefix: &str, domain: &str, count: usize) {
    let now = chrono::Utc::now();
    let backend = app.db.get_database_backend();
    for n in 0..count {
        let email = format!("{prefix}{n:03}@{domain}");
        let sql = match backend {
            DbBackend::Postgres => {
                "INSERT INTO users (email, email_normalized, email_domain, password_hash, created_at, confirmed_at) \
                 VALUES ($1, $1, $2, '', $3, $3)"
            }
            _ => {
                "INSERT INTO users (email, email_normalized, email_domain, password_hash, created_at, confirmed_at) \
                 VALUES (?1, ?1, ?2, '', ?3, ?3)"
            }
        };
        app.db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [email.into(), domain.into(), now.into()],
            ))
            .await
            .unwrap();
    }
}

fn emails(list: &Value) -> Vec<String> {
    list["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["email"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn promote_and_demote_give_and_take_the_admin_role() {
    let app = spawn_app().await;
    let email = admin(&app).await;
    let shown = app.cli(&["users", "show", &email]).await;
    assert!(
        shown.stdout.contains("admin:        yes"),
        "{}",
        shown.stdout
    );
    let listed = app.cli(&["users", "list", "--json"]).await;
    let listed: Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(listed[0]["admin"], true);
    assert_eq!(app.get("/admin").await.status(), 200);

    let demoted = app.cli(&["users", "demote", &email]).await;
    assert!(demoted.stdout.contains("is not an admin"));
    assert_eq!(app.get("/admin").await.status(), 404);
    assert_eq!(
        app.cli(&["users", "promote", "nobody@example.com"])
            .await
            .code,
        1
    );
}

#[tokio::test]
async fn the_console_is_for_admins_only_and_every_action_needs_a_post_with_csrf() {
    let app = spawn_app().await;
    let anonymous = app.new_browser();
    let to_login = anonymous.get("/admin").await;
    assert_eq!(to_login.status(), 303);
    assert_eq!(location(&to_login), "/login?return_to=%2Fadmin");

    let (_, member_browser) = member(&app).await;
    for path in [
        "/admin",
        "/admin/users",
        "/admin/outbox",
        "/admin/audit",
        "/admin/users/1",
    ] {
        assert_eq!(member_browser.get(path).await.status(), 404, "{path}");
    }
    let refused = member_browser
        .post_form("/admin/users/1/disable", &[])
        .await;
    assert_eq!(refused.status(), 404);

    admin(&app).await;
    for path in ["/admin", "/admin/users", "/admin/outbox", "/admin/audit"] {
        let page = app.get(path).await;
        assert_eq!(page.status(), 200, "{path}");
        assert_eq!(page.headers()["cache-control"], "no-store");
    }
    let (member_email, _) = member(&app).await;
    let target = user_id(&app, &member_email).await;
    let forged = app
        .client
        .post(app.url(&format!("/admin/users/{target}/disable")))
        .form(&[("confirm_email", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403, "no CSRF token, nothing done");
    assert!(logged_in_as_member(&app, &member_email).await);
}

#[tokio::test]
async fn an_admin_proves_the_password_again_after_a_quarter_hour() {
    let app = spawn_app().await;
    admin(&app).await;
    let (member_email, _) = member(&app).await;
    let member_id = user_id(&app, &member_email).await;

    app.clock.advance(Duration::from_secs(16 * 60));
    let asked = app.get("/admin/users?q=user").await;
    assert_eq!(asked.status(), 303);
    assert_eq!(
        location(&asked),
        "/admin/reauth?return_to=%2Fadmin%2Fusers%3Fq%3Duser"
    );
    // An action with a stale proof is not done.
    let stale = app
        .post_form(&format!("/admin/users/{member_id}/disable"), &[])
        .await;
    assert!(location(&stale).starts_with("/admin/reauth"));
    assert!(app.user(&member_email).await.is_some());
    assert!(logged_in_as_member(&app, &member_email).await);

    let page = app.get(&location(&asked)).await.text().await.unwrap();
    assert!(page.contains("name=\"current_password\""));
    let wrong = app
        .post_form(
            "/admin/reauth",
            &[
                ("current_password", WRONG),
                ("return_to", "/admin/users?q=user"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let right = app
        .post_form(
            "/admin/reauth",
            &[
                ("current_password", PASSWORD),
                ("return_to", "/admin/users?q=user"),
            ],
        )
        .await;
    assert_eq!(location(&right), "/admin/users?q=user");
    assert_eq!(app.get("/admin/users?q=user").await.status(), 200);
    // The re-check sends nowhere outside the console.
    let outside = app
        .post_form(
            "/admin/reauth",
            &[
                ("current_password", PASSWORD),
                ("return_to", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&outside), "/admin");
}

/// Whether the account `email` can still log in (a fresh browser, the right password).
async fn logged_in_as_member(app: &TestApp, email: &str) -> bool {
    location(&app.new_browser().login(email, PASSWORD).await) == "/account"
}

#[tokio::test]
async fn disabling_ends_every_session_and_refuses_the_account_everywhere() {
    let app = spawn_app().await;
    admin(&app).await;
    let (email, browser) = member(&app).await;
    let id = user_id(&app, &email).await;
    assert_eq!(browser.get("/auth/verify").await.status(), 200);

    let disabled = app
        .post_form(&format!("/admin/users/{id}/disable"), &[])
        .await;
    assert_eq!(
        location(&disabled),
        format!("/admin/users/{id}?notice=disabled")
    );
    let page = app.get(&location(&disabled)).await.text().await.unwrap();
    assert!(page.contains("Disabled"));

    // The session it had is over, for pages, forward auth and the session API.
    wait_until("forward auth to refuse the session", || async {
        browser.get("/auth/verify").await.status() == 401
    })
    .await;
    assert_eq!(location(&browser.get("/account").await), "/login");
    assert_eq!(browser.get("/api/v1/session").await.status(), 401);
    // The right password: 403 "disabled"; a wrong one: the usual 401.
    let right = app.new_browser().login(&email, PASSWORD).await;
    assert_eq!(right.status(), 403);
    assert!(
        right
            .text()
            .await
            .unwrap()
            .contains("This account is disabled")
    );
    assert_eq!(app.new_browser().login(&email, WRONG).await.status(), 401);
    // No sign-in email.
    let before = app.smtp.to(&email).len();
    app.new_browser()
        .post_form("/login/email", &[("email", &email)])
        .await;
    app.outbox_settled().await;
    assert_eq!(app.smtp.to(&email).len(), before, "no sign-in email");

    let enabled = app
        .post_form(&format!("/admin/users/{id}/enable"), &[])
        .await;
    assert_eq!(
        location(&enabled),
        format!("/admin/users/{id}?notice=enabled")
    );
    assert!(logged_in_as_member(&app, &email).await);
}

#[tokio::test]
async fn a_disabled_account_gets_no_openid_connect_code_or_refresh() {
    use crate::oidc::{offline_tokens, register, token_request};

    let app = spawn_app().await;
    let rp = register(&app, &["--first-party"]).await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let tokens = offline_tokens(&app, &app.browser, &rp).await;
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let id = user_id(&app, &email).await;

    let key = admin_key(&app, "ops").await;
    assert_eq!(
        api(&app, &key, "POST", &format!("/users/{id}/disable"))
            .await
            .0,
        200
    );

    let (status, body) = token_request(
        &app,
        &rp,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        !logged_in_as_member(&app, &email).await,
        "no session, so no authorization either"
    );
}

#[tokio::test]
async fn the_user_page_shows_sessions_emails_and_what_happened() {
    let app = spawn_app_with()
        .set("TRUSTED_PROXIES", "127.0.0.1/32")
        .start()
        .await;
    admin(&app).await;
    let email = unique_email();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", "203.0.113.77".parse().unwrap());
    headers.insert("user-agent", "Mozilla/5.0 (Phone; Test)".parse().unwrap());
    let phone = Browser::with_headers(&app.address, headers);
    phone.signup(&email, PASSWORD).await;
    let link = app.smtp.wait_for(&email, 1).await[0].link("/confirm/");
    phone.confirm(&link, &[("password", PASSWORD)]).await;
    let id = user_id(&app, &email).await;

    let page = app
        .get(&format!("/admin/users/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&email));
    assert!(
        page.contains("203.0.113.77"),
        "the session's client address"
    );
    assert!(
        page.contains("Mozilla/5.0 (Phone; Test)"),
        "the session's browser"
    );
    assert!(page.contains("confirmation"), "the confirmation email");
    for action in ["registered", "confirmed", "logged_in"] {
        assert!(page.contains(action), "{action} in the audit events");
    }
}

#[tokio::test]
async fn each_action_works_and_is_recorded_as_the_admins() {
    let app = spawn_app().await;
    let admin_email = admin(&app).await;
    let admin_id = user_id(&app, &admin_email).await;
    let pending = unique_email();
    app.new_browser().signup(&pending, PASSWORD).await;
    let id = user_id(&app, &pending).await;
    app.smtp.wait_for(&pending, 1).await;

    let act = |action: &'static str| {
        let app = &app;
        async move {
            app.post_form(&format!("/admin/users/{id}/{action}"), &[])
                .await
        }
    };
    let resent = act("resend-confirmation").await;
    assert_eq!(
        location(&resent),
        format!("/admin/users/{id}?notice=confirmation-resent")
    );
    assert_eq!(app.smtp.wait_for(&pending, 2).await.len(), 2);
    act("confirm").await;
    assert!(app.user(&pending).await.unwrap().confirmed);
    act("send-reset").await;
    let reset = app.smtp.wait_for(&pending, 3).await;
    assert!(reset[2].text().contains("/password/reset/"));
    let member_browser = app.logged_in_elsewhere(&pending).await;
    act("end-sessions").await;
    assert_eq!(location(&member_browser.get("/account").await), "/login");

    let mismatch = app
        .post_form(
            &format!("/admin/users/{id}/delete"),
            &[("confirm_email", "someone@else.example")],
        )
        .await;
    assert_eq!(mismatch.status(), 422);
    assert!(app.user(&pending).await.is_some());
    let deleted = app
        .post_form(
            &format!("/admin/users/{id}/delete"),
            &[("confirm_email", &pending.to_uppercase())],
        )
        .await;
    assert_eq!(location(&deleted), "/admin/users?notice=deleted");
    assert!(app.user(&pending).await.is_none());
    assert_eq!(app.get(&format!("/admin/users/{id}")).await.status(), 404);

    let audit = app
        .get(&format!("/admin/audit?actor={admin_id}"))
        .await
        .text()
        .await
        .unwrap();
    for action in [
        "confirmation_resent",
        "confirmed",
        "reset_sent",
        "sessions_ended",
        "deleted",
    ] {
        assert!(audit.contains(action), "{action} recorded as the admin's");
    }
    let cli = app.cli(&["audit", "list", "--json"]).await;
    let events: Value = serde_json::from_str(&cli.stdout).unwrap();
    let deleted_event = events
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["action"] == "deleted")
        .unwrap();
    assert_eq!(deleted_event["actor_kind"], "account");
    assert_eq!(deleted_event["actor"], admin_id.to_string());
    assert_eq!(deleted_event["email"], pending.as_str());
    // Secrets never: no hash, no token.
    assert!(!cli.stdout.contains("$argon2"));
}

#[tokio::test]
async fn the_list_searches_by_prefix_domain_and_status_newest_first_by_cursor() {
    let app = spawn_app().await;
    seed(&app, "ana", "one.example", 60).await;
    seed(&app, "bob", "two.example", 5).await;
    let key = admin_key(&app, "search").await;

    let (status, first) = api(&app, &key, "GET", "/users?q=ana&limit=50").await;
    assert_eq!(status, 200, "{first}");
    let page_one = emails(&first);
    assert_eq!(page_one.len(), 50);
    assert_eq!(page_one[0], "ana059@one.example", "newest first");
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = api(&app, &key, "GET", &format!("/users?q=ana&cursor={cursor}")).await;
    assert_eq!(emails(&second).len(), 10);
    assert_eq!(emails(&second)[9], "ana000@one.example");
    assert!(second["next_cursor"].is_null());

    let (_, domain) = api(&app, &key, "GET", "/users?q=%40TWO.example").await;
    assert_eq!(emails(&domain).len(), 5);
    let (_, case) = api(&app, &key, "GET", "/users?q=BOB00").await;
    assert_eq!(emails(&case).len(), 5, "case-insensitive prefix");
    let (_, none) = api(&app, &key, "GET", "/users?q=zed").await;
    assert!(emails(&none).is_empty());

    let ana_id = user_id(&app, "ana007@one.example").await;
    api(&app, &key, "POST", &format!("/users/{ana_id}/disable")).await;
    let (_, disabled) = api(&app, &key, "GET", "/users?status=disabled").await;
    assert_eq!(emails(&disabled), ["ana007@one.example"]);
    let (_, confirmed) = api(&app, &key, "GET", "/users?status=confirmed&q=ana00").await;
    assert_eq!(
        emails(&confirmed).len(),
        9,
        "a disabled account is not listed as confirmed"
    );

    // The console's page lists the same.
    admin(&app).await;
    let page = app
        .get("/admin/users?q=%40two.example")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("bob004@two.example") && !page.contains("ana"));
}

#[tokio::test]
async fn the_admin_api_takes_only_a_valid_key_and_answers_bad_input_with_problems() {
    let app = spawn_app().await;
    let key = admin_key(&app, "ci-robot").await;
    assert!(key.starts_with("dmk_") && key.len() > 40);
    let listed = app.cli(&["admin-keys", "list"]).await;
    assert!(listed.stdout.contains("ci-robot") && !listed.stdout.contains(&key));

    for wrong in ["", "dmk_wrong", &key[..key.len() - 1]] {
        let response = app
            .client
            .get(app.url("/api/v1/admin/users"))
            .header("authorization", format!("Bearer {wrong}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    let none = app
        .client
        .get(app.url("/api/v1/admin/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);

    for query in [
        "status=sleeping",
        "cursor=abc",
        "limit=0",
        "limit=1000",
        "limit=x",
    ] {
        let (status, body) = api(&app, &key, "GET", &format!("/users?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(body["errors"].is_object(), "{query}");
    }
    assert_eq!(api(&app, &key, "GET", "/users/999999").await.0, 404);
    assert_eq!(api(&app, &key, "GET", "/users/not-a-number").await.0, 404);
    assert_eq!(api(&app, &key, "POST", "/users/1/explode").await.0, 404);
    assert_eq!(api(&app, &key, "DELETE", "/users/999999").await.0, 404);

    let email = unique_email();
    app.signup(&email, PASSWORD).await;
    let id = user_id(&app, &email).await;
    let (status, user) = api(&app, &key, "GET", &format!("/users/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(user["email"], email.as_str());
    for field in [
        "created_at",
        "confirmed_at",
        "disabled_at",
        "last_login_at",
        "admin",
        "id",
    ] {
        assert!(user.get(field).is_some(), "{field}");
    }
    let (status, confirmed) = api(&app, &key, "POST", &format!("/users/{id}/confirm")).await;
    assert_eq!(status, 200);
    assert!(confirmed["confirmed_at"].is_string());
    let (status, disabled) = api(&app, &key, "POST", &format!("/users/{id}/disable")).await;
    assert_eq!(status, 200);
    assert!(disabled["disabled_at"].is_string());
    let (status, enabled) = api(&app, &key, "POST", &format!("/users/{id}/enable")).await;
    assert_eq!(status, 200);
    assert!(enabled["disabled_at"].is_null());
    assert_eq!(
        api(&app, &key, "POST", &format!("/users/{id}/end-sessions"))
            .await
            .0,
        200
    );
    assert_eq!(
        api(&app, &key, "POST", &format!("/users/{id}/send-reset"))
            .await
            .0,
        200
    );
    assert_eq!(
        api(&app, &key, "DELETE", &format!("/users/{id}")).await.0,
        204
    );
    assert_eq!(api(&app, &key, "GET", &format!("/users/{id}")).await.0, 404);

    // Recorded under the key's name.
    let audit = app
        .cli(&["audit", "list", "--account", "nobody@example.com"])
        .await;
    assert_eq!(audit.code, 1, "an unknown account is named");
    let all = app.cli(&["audit", "list", "--json"]).await;
    let events: Value = serde_json::from_str(&all.stdout).unwrap();
    assert!(events.as_array().unwrap().iter().any(|event| {
        event["action"] == "disabled"
            && event["actor_kind"] == "api_key"
            && event["actor"] == "ci-robot"
    }));

    let revoked = app.cli(&["admin-keys", "revoke", "ci-robot"]).await;
    assert_eq!(revoked.code, 0);
    assert_eq!(api(&app, &key, "GET", "/users").await.0, 401);
    assert_eq!(app.cli(&["admin-keys", "revoke", "ci-robot"]).await.code, 1);
    assert_eq!(
        app.cli(&["admin-keys", "create", "bad name!"]).await.code,
        1
    );
}

#[tokio::test]
async fn logins_are_recorded_with_their_method_and_the_last_login_shown() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    app.new_browser().login(&email, PASSWORD).await;
    let asking = app.new_browser();
    asking.post_form("/login/email", &[("email", &email)]).await;
    let code = code_in(&app.smtp.wait_for(&email, 2).await[1]);
    asking.post_form("/login/code", &[("code", &code)]).await;

    let audit = app
        .cli(&["audit", "list", "--account", &email, "--json"])
        .await;
    let events: Value = serde_json::from_str(&audit.stdout).unwrap();
    let methods: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["action"] == "logged_in")
        .map(|event| event["details"]["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        ["email_code", "password", "confirmation"],
        "newest first"
    );
    let shown = app.cli(&["users", "show", &email]).await.stdout;
    assert!(!shown.contains("last login:   no"), "{shown}");
}

#[tokio::test]
async fn an_audit_row_and_its_change_are_written_together_or_not_at_all() {
    // Webhook events are written after the audit row, in the same transaction: make the
    // database refuse them, and the change fails after its row was written.
    let app = spawn_app_with()
        .set("WEBHOOK_URL", "http://127.0.0.1:9/hooks")
        .set("WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        .start()
        .await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    let backend = app.db.get_database_backend();
    let refuse = match backend {
        DbBackend::Postgres => vec![
            "CREATE FUNCTION refuse_webhooks() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_webhooks BEFORE INSERT ON outbox FOR EACH ROW WHEN (NEW.kind = 'webhook') EXECUTE FUNCTION refuse_webhooks()",
        ],
        _ => vec![
            "CREATE TRIGGER refuse_webhooks BEFORE INSERT ON outbox WHEN NEW.kind = 'webhook' BEGIN SELECT RAISE(ABORT, 'refused'); END",
        ],
    };
    let events_before = app.count("SELECT COUNT(*) FROM audit_events").await;
    for statement in refuse {
        app.db.execute_unprepared(statement).await.unwrap();
    }
    let hash_before = app.user(&email).await.unwrap().password_hash;

    let changed = app
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "another long passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status(), 500);
    assert_eq!(app.user(&email).await.unwrap().password_hash, hash_before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'password_changed'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events").await,
        events_before
    );
}

#[tokio::test]
async fn audit_events_older_than_the_retention_are_deleted() {
    let app = spawn_app_with()
        .set("AUDIT_RETENTION", "1h")
        .set("UNCONFIRMED_ACCOUNT_TTL", "4s")
        .start()
        .await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    assert!(app.count("SELECT COUNT(*) FROM audit_events").await > 0);
    app.clock.advance(Duration::from_secs(2 * 3600));
    wait_until("housekeeping to delete old audit events", || async {
        app.count("SELECT COUNT(*) FROM audit_events").await == 0
    })
    .await;
}
