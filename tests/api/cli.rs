//! The operator's commands, run as the real binary against a database the server seeded.

use doorman::db::entities::outbox;
use sea_orm::EntityTrait;
use sea_orm::sea_query::Expr;

use crate::helpers::{PASSWORD, spawn_app_with, unique_email, unused_port, wait_until};

#[tokio::test]
async fn users_commands_list_show_confirm_and_delete() {
    let app = spawn_app_with().start().await;
    let confirmed = unique_email();
    let pending = unique_email();
    app.confirmed_user(&confirmed).await;
    app.signup_and_get_link(&pending).await;

    let all = app.cli(&["users", "list"]).await;
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert!(all.stdout.contains(&confirmed) && all.stdout.contains(&pending));
    assert!(all.stdout.ends_with("2 account(s)\n"));

    let unconfirmed = app.cli(&["users", "list", "--unconfirmed", "--json"]).await;
    let listed: serde_json::Value = serde_json::from_str(&unconfirmed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["email"], pending.as_str());
    assert!(listed[0]["confirmed_at"].is_null());

    let shown = app.cli(&["users", "show", &confirmed, "--json"]).await;
    let user: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(user["email"], confirmed.as_str());
    assert!(user["confirmed_at"].is_string());

    let confirm = app.cli(&["users", "confirm", &pending]).await;
    assert_eq!(
        (confirm.code, confirm.stdout.trim()),
        (0, format!("confirmed {pending}").as_str())
    );
    assert!(app.user(&pending).await.unwrap().confirmed);
    let again = app.cli(&["users", "confirm", &pending]).await;
    assert!(again.stdout.contains("already confirmed"));
    assert_eq!(
        crate::helpers::location(&app.new_browser().login(&pending, PASSWORD).await),
        "/account"
    );

    let delete = app.cli(&["users", "delete", &pending]).await;
    assert_eq!(delete.code, 0, "{}", delete.stderr);
    assert!(app.user(&pending).await.is_none());
}

#[tokio::test]
async fn users_commands_fail_clearly_for_unknown_or_malformed_addresses() {
    let app = spawn_app_with().start().await;
    for args in [
        vec!["users", "show", "nobody@example.com"],
        vec!["users", "confirm", "nobody@example.com"],
        vec!["users", "delete", "nobody@example.com"],
    ] {
        let run = app.cli(&args).await;
        assert_eq!(run.code, 1, "{args:?}");
        assert_eq!(
            run.stderr.trim(),
            "doorman: no account has the address nobody@example.com"
        );
    }
    let malformed = app.cli(&["users", "show", "not-an-address"]).await;
    assert_eq!(malformed.code, 1);
    assert!(malformed.stderr.contains("is not an email address"));
    let usage = app.cli(&["users", "frobnicate"]).await;
    assert_eq!(usage.code, 2);
}

#[tokio::test]
async fn outbox_commands_list_and_retry_given_up_emails() {
    let down = format!("smtp://127.0.0.1:{}", unused_port());
    let app = spawn_app_with().set("SMTP_URL", &down).start().await;
    let email = unique_email();
    app.signup(&email, PASSWORD).await;
    // Pretend a day has passed so the next failure gives the email up.
    outbox::Entity::update_many()
        .col_expr(
            outbox::Column::CreatedAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::hours(25)),
        )
        .exec(&app.db)
        .await
        .unwrap();
    wait_until("the email to be given up", || async {
        app.count("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL")
            .await
            > 0
    })
    .await;

    let listed = app.cli(&["outbox", "list", "--failed", "--json"]).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let rows: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["status"], "failed");
    assert_eq!(rows[0]["kind"], "confirmation");
    assert_eq!(rows[0]["recipient"], email.as_str());
    assert!(rows[0]["last_error"].as_str().unwrap().contains("SMTP"));
    let table = app.cli(&["outbox", "list"]).await;
    assert!(table.stdout.contains("failed") && table.stdout.contains(&email));

    let unknown = app.cli(&["outbox", "retry", "999999"]).await;
    assert_eq!(unknown.code, 1);
    assert!(
        unknown
            .stderr
            .contains("no failed outbox row has id 999999")
    );

    let id = rows[0]["id"].as_i64().unwrap().to_string();
    let retried = app.cli(&["outbox", "retry", &id]).await;
    assert_eq!(
        (retried.code, retried.stdout.trim()),
        (0, "requeued 1 row(s)")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL")
            .await,
        0
    );
    let none_left = app.cli(&["outbox", "retry", "--all-failed"]).await;
    assert_eq!(none_left.stdout.trim(), "requeued 0 row(s)");
}
