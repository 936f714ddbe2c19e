//! A widely deployed relying party against Doorman's OpenID Connect provider (SPEC §13):
//! Apache's `mod_auth_openidc`, from Debian's packages, protecting an application with
//! discovery, the code flow with PKCE, client_secret_basic at the token endpoint, the ID
//! token checked against the JWKS, and the person's address handed to the application.

use std::process::{Command, Stdio};

use crate::helpers::{PASSWORD, location, spawn_app_with, unique_email, unused_port, wait_until};
use crate::proxy::{Proxy, TempDir, start_upstream};

/// Apache on `port`: `/app/` only for people Doorman signed in, proxied to `upstream`
/// with the `email` claim as `Remote-Email`.
async fn start_apache(
    port: u16,
    issuer: &str,
    client_id: &str,
    secret: &str,
    upstream: u16,
) -> Proxy {
    let dir = std::env::temp_dir().join(format!("doorman-apache-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.display();
    let modules = "/usr/lib/apache2/modules";
    let config = format!(
        r#"
ServerRoot {path}
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {path}/apache.pid
DefaultRuntimeDir {path}
ErrorLog {path}/error.log
LogLevel warn auth_openidc:info
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authn_core_module {modules}/mod_authn_core.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule authz_user_module {modules}/mod_authz_user.so
LoadModule proxy_module {modules}/mod_proxy.so
LoadModule proxy_http_module {modules}/mod_proxy_http.so
LoadModule auth_openidc_module {modules}/mod_auth_openidc.so
User www-data
Group www-data

OIDCProviderMetadataURL {issuer}/.well-known/openid-configuration
OIDCClientID {client_id}
OIDCClientSecret {secret}
OIDCRedirectURI http://127.0.0.1:{port}/app/callback
OIDCCryptoPassphrase doorman-test-passphrase-not-secret
OIDCScope "openid email"
OIDCPKCEMethod S256
OIDCRemoteUserClaim email
OIDCPassClaimsAs headers
OIDCClaimPrefix Remote-

<Location /app/>
  AuthType openid-connect
  Require valid-user
  ProxyPass http://127.0.0.1:{upstream}/app/
</Location>
"#
    );
    let config_path = dir.join("apache.conf");
    std::fs::write(&config_path, config).unwrap();
    let child = Command::new("/usr/sbin/apache2")
        .args([
            "-d",
            &path.to_string(),
            "-f",
            &config_path.display().to_string(),
            "-DFOREGROUND",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("apache2 is installed (.ci/run installs it with libapache2-mod-auth-openidc)");
    wait_until("apache to start", || async {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    })
    .await;
    Proxy {
        child,
        port,
        _dir: TempDir(dir),
    }
}

#[tokio::test]
#[ignore = "needs apache2 and libapache2-mod-auth-openidc: .ci/run installs them and runs --ignored"]
async fn apache_mod_auth_openidc_signs_a_confirmed_person_in_and_out() {
    let doorman_port = unused_port();
    let issuer = format!("http://127.0.0.1:{doorman_port}");
    let app = spawn_app_with()
        .set("BIND_ADDR", &format!("127.0.0.1:{doorman_port}"))
        .set("BASE_URL", &issuer)
        .start()
        .await;
    let apache_port = unused_port();
    let callback = format!("http://127.0.0.1:{apache_port}/app/callback");
    let added = app
        .cli(&[
            "clients",
            "add",
            "--name",
            "Reports",
            "--redirect-uri",
            &callback,
            "--post-logout-redirect-uri",
            &format!("http://127.0.0.1:{apache_port}/logged-out"),
            "--first-party",
            "--json",
        ])
        .await;
    assert_eq!(added.code, 0, "{}", added.stderr);
    let client: serde_json::Value = serde_json::from_str(added.stdout.trim()).unwrap();
    let upstream = start_upstream().await;
    let apache = start_apache(
        apache_port,
        &issuer,
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap(),
        upstream,
    )
    .await;
    let apache_url = |path: &str| format!("http://127.0.0.1:{}{path}", apache.port);

    let email = unique_email();
    app.signup(&email, PASSWORD).await;
    assert_eq!(app.cli(&["users", "confirm", &email]).await.code, 0);
    assert_eq!(location(&app.login(&email, PASSWORD).await), "/account");
    // The browser that logged in to Doorman: its cookies are the host's, whatever the port.
    let browser = app.browser.client.clone();

    let to_doorman = browser
        .get(apache_url("/app/reports"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        to_doorman.status(),
        302,
        "Apache sends strangers to the provider"
    );
    let authorize = location(&to_doorman);
    assert!(
        authorize.starts_with(&format!("{issuer}/oauth2/authorize?")),
        "{authorize}"
    );
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );

    let back = browser.get(&authorize).send().await.unwrap();
    assert_eq!(back.status(), 303);
    let callback_with_code = location(&back);
    assert!(
        callback_with_code.starts_with(&format!("{callback}?")),
        "{callback_with_code}"
    );

    // Apache exchanges the code, checks the ID token and starts its own session.
    let signed_in = browser.get(&callback_with_code).send().await.unwrap();
    assert_eq!(
        signed_in.status(),
        302,
        "{}",
        std::fs::read_to_string(apache._dir.0.join("error.log")).unwrap_or_default()
    );
    assert_eq!(location(&signed_in), apache_url("/app/reports"));
    let page = browser
        .get(apache_url("/app/reports"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.text().await.unwrap(), format!("upstream sees {email}"));
    let log = std::fs::read_to_string(apache._dir.0.join("error.log")).unwrap_or_default();
    assert!(
        !log.contains(":error]"),
        "mod_auth_openidc complained:\n{log}"
    );

    // Logging out of the application logs out of Doorman too (RP-initiated logout).
    let logged_out = apache_url("/logged-out");
    let logout_url = reqwest::Url::parse_with_params(
        &apache_url("/app/callback"),
        &[("logout", logged_out.as_str())],
    )
    .unwrap();
    let leave = browser.get(logout_url).send().await.unwrap();
    assert_eq!(leave.status(), 302);
    let end_session = location(&leave);
    assert!(
        end_session.starts_with(&format!("{issuer}/oauth2/logout?"))
            && end_session.contains("id_token_hint="),
        "{end_session}"
    );
    let ended = browser.get(&end_session).send().await.unwrap();
    assert_eq!(ended.status(), 303);
    assert_eq!(location(&ended), logged_out);
    assert_eq!(location(&app.get("/account").await), "/login");

    // Another browser, without a Doorman session, is sent to log in first.
    let stranger = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let to_doorman = stranger
        .get(apache_url("/app/reports"))
        .send()
        .await
        .unwrap();
    let to_login = stranger.get(location(&to_doorman)).send().await.unwrap();
    assert_eq!(to_login.status(), 303);
    assert!(location(&to_login).starts_with("/login?return_to="));
}
