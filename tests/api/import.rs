//! Accounts arriving from another system with their password hashes, and leaving again
//! (SPEC §16), through `doorman users import|export`.

use serde_json::Value;

use crate::helpers::{PASSWORD, TestApp, location, random_hex, spawn_app, unique_email};

const ARGON2ID_NOW: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

/// The accounts of `tests/fixtures/imported-accounts.jsonl`, each hash made by the
/// library of the system it stands for (`make_imported_hashes.py`), with its password.
fn fixture() -> Vec<(String, String, String)> {
    include_str!("../fixtures/imported-accounts.jsonl")
        .lines()
        .map(|line| {
            let account: Value = serde_json::from_str(line).unwrap();
            let field = |name: &str| account[name].as_str().unwrap().to_owned();
            (field("email"), field("password"), field("made_by"))
        })
        .collect()
}

/// The fixture as `users import` reads it: without the test's own keys.
fn fixture_for_import() -> String {
    include_str!("../fixtures/imported-accounts.jsonl")
        .lines()
        .map(|line| {
            let mut account: Value = serde_json::from_str(line).unwrap();
            let fields = account.as_object_mut().unwrap();
            fields.remove("password");
            fields.remove("made_by");
            account.to_string() + "\n"
        })
        .collect()
}

async fn stored_hash(app: &TestApp, email: &str) -> String {
    app.user(email).await.expect("imported").password_hash
}

#[tokio::test]
async fn hashes_made_by_django_bcrypt_argon2_cffi_and_passlib_log_in_and_become_argon2id() {
    let app = spawn_app().await;
    let run = app
        .cli_with_input(&["users", "import", "-"], &fixture_for_import())
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let accounts = fixture();
    assert!(
        run.stdout
            .contains(&format!("{} imported, 0 skipped", accounts.len())),
        "{run:?}"
    );

    for (index, (email, password, made_by)) in accounts.iter().enumerate() {
        let imported = stored_hash(&app, email).await;
        assert!(
            !imported.starts_with(ARGON2ID_NOW),
            "{made_by}: kept as it came"
        );

        // A few, to stay under the failed-login limit of one client.
        if index % 4 == 0 {
            let wrong = app
                .new_browser()
                .login(email, "not the imported password")
                .await;
            assert_eq!(wrong.status(), 401, "{made_by}: a wrong password");
        }

        let browser = app.new_browser();
        let login = browser.login(email, password).await;
        assert_eq!(login.status(), 303, "{made_by}: the original password");
        assert_eq!(location(&login), "/account", "{made_by}");
        assert!(
            stored_hash(&app, email).await.starts_with(ARGON2ID_NOW),
            "{made_by}: replaced by Doorman's argon2id at the first login"
        );
        let again = app.new_browser().login(email, password).await;
        assert_eq!(again.status(), 303, "{made_by}: and the new hash holds");
    }
    // No email and no event for people who already had their accounts; an audit row each.
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'imported' AND actor_kind = 'cli' \
             AND user_id IS NOT NULL"
        )
        .await,
        accounts.len() as i64
    );
}

#[tokio::test]
async fn bad_lines_are_reported_by_number_existing_addresses_skipped_and_the_rest_go_in() {
    let app = spawn_app().await;
    let existing = unique_email();
    app.confirmed_user(&existing).await;
    let existing_hash = stored_hash(&app, &existing).await;
    let fresh = unique_email();
    let file = [
        format!(r#"{{"email": "{fresh}", "confirmed": true, "locale": "de"}}"#),
        "{not json".to_owned(),
        r#"{"email": "not an address"}"#.to_owned(),
        r#"{"email": "md5@imported.example", "password_hash": "md5$abc$def"}"#.to_owned(),
        format!(
            r#"{{"email": "{}", "password_hash": "$2b$12$3tV6uKzacjLTVVMmveUp6.fFDd5v50Ero5U5jwbmtZL2LZ8u4I61y"}}"#,
            existing.to_uppercase()
        ),
        String::new(),
        r#"{"email": "late@imported.example", "created_at": "last week"}"#.to_owned(),
        format!(r#"{{"email": "{fresh}"}}"#),
        r#"{"email": "typo@imported.example", "confirmd": true}"#.to_owned(),
    ]
    .join("\n");
    let users_before = app.count("SELECT COUNT(*) FROM users").await;

    let run = app.cli_with_input(&["users", "import", "-"], &file).await;

    assert_eq!(run.code, 1, "a refused line fails the run: {run:?}");
    assert!(run.stdout.contains("1 imported, 2 skipped"), "{run:?}");
    for expected in [
        "line 2: not a JSON object",
        "line 3: `email`",
        "line 4: `password_hash` is in no format",
        &format!("line 5: {} already has an account", existing.to_uppercase()),
        "line 7: `created_at`",
        &format!("line 8: {fresh} already has an account"),
        "line 9: not a JSON object",
    ] {
        assert!(
            run.stderr.contains(expected),
            "{expected:?} in {}",
            run.stderr
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users").await,
        users_before + 1
    );
    assert_eq!(
        stored_hash(&app, &existing).await,
        existing_hash,
        "never overwritten"
    );
    let imported = app.user(&fresh).await.unwrap();
    assert!(imported.confirmed && imported.password_hash.is_empty());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox").await,
        1,
        "only the sign-up's email"
    );
}

#[tokio::test]
async fn a_dry_run_reports_what_would_happen_and_writes_nothing() {
    let app = spawn_app().await;
    let existing = unique_email();
    app.confirmed_user(&existing).await;
    let file = format!(
        "{}\n{{\"email\": \"{existing}\"}}\n{{\"email\": \"bad\"}}\n",
        fixture_for_import()
    );
    let users_before = app.count("SELECT COUNT(*) FROM users").await;

    let run = app
        .cli_with_input(&["users", "import", "--dry-run", "-"], &file)
        .await;

    assert_eq!(run.code, 1, "{run:?}");
    let accounts = fixture().len();
    assert!(
        run.stdout.contains(&format!(
            "{accounts} imported, 1 skipped (the address has an account), 1 refused (dry run: nothing was written)"
        )),
        "{run:?}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users_before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'imported'")
            .await,
        0
    );
}

#[tokio::test]
async fn an_export_imports_elsewhere_with_every_password_and_state() {
    let source = spawn_app().await;
    let confirmed = unique_email();
    source.confirmed_user(&confirmed).await;
    let unconfirmed = unique_email();
    source.signup(&unconfirmed, PASSWORD).await;
    source
        .cli_with_input(&["users", "import", "-"], &fixture_for_import())
        .await;
    let path = std::env::temp_dir().join(format!("doorman-export-{}.jsonl", random_hex(8)));

    let export = source
        .cli(&["users", "export", path.to_str().unwrap()])
        .await;
    assert_eq!(export.code, 0, "{export:?}");
    let exported = std::fs::read_to_string(&path).unwrap();
    let total = 2 + fixture().len();
    assert_eq!(exported.lines().count(), total);
    assert!(
        export
            .stderr
            .contains(&format!("{total} account(s) exported"))
    );
    let first: Value = serde_json::from_str(exported.lines().next().unwrap()).unwrap();
    assert_eq!(first["email"], confirmed.as_str());
    assert_eq!(first["confirmed"], true);
    assert!(
        first["password_hash"]
            .as_str()
            .unwrap()
            .starts_with(ARGON2ID_NOW)
    );

    let target = spawn_app().await;
    let import = target
        .cli(&["users", "import", path.to_str().unwrap()])
        .await;
    assert_eq!(import.code, 0, "{import:?}");
    assert!(
        import.stdout.contains(&format!("{total} imported")),
        "{import:?}"
    );
    assert_eq!(
        target
            .new_browser()
            .login(&confirmed, PASSWORD)
            .await
            .status(),
        303
    );
    assert!(!target.user(&unconfirmed).await.unwrap().confirmed);
    let (email, password, _) = &fixture()[0];
    assert_eq!(
        target.new_browser().login(email, password).await.status(),
        303
    );
    std::fs::remove_file(path).unwrap();
}

#[tokio::test]
async fn progress_goes_to_stderr_as_the_lines_are_read() {
    let app = spawn_app().await;
    let file: String = (0..10_001)
        .map(|i| format!("{{\"email\": \"progress-{i}@imported.example\"}}\n"))
        .collect();

    let run = app.cli_with_input(&["users", "import", "-"], &file).await;

    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("10000 lines read: 10000 imported, 0 skipped"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("10001 imported"), "{}", run.stdout);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email LIKE 'progress-%'")
            .await,
        10_001
    );
}
