//! Real reverse proxies in front of an application, with Doorman as their forward auth
//! (SPEC §10): nginx (`auth_request`) and Caddy (`forward_auth`), from Debian's packages.

use std::process::{Child, Command, Stdio};

use axum::http::HeaderMap;

use crate::helpers::{
    Browser, PASSWORD, TestApp, location, spawn_app_with, unique_email, unused_port, wait_until,
};

/// The application behind the proxy: it answers with who the proxy says is logged in.
pub async fn start_upstream() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().fallback(|headers: HeaderMap| async move {
        let email = headers
            .get("remote-email")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("nobody");
        format!("upstream sees {email}")
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

/// A proxy process, stopped when dropped.
pub struct Proxy {
    pub child: Child,
    pub port: u16,
    pub _dir: TempDir,
}

pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_nginx(doorman: &TestApp, upstream: u16) -> Proxy {
    let port = unused_port();
    let doorman = doorman.address.trim_start_matches("http://");
    let dir = std::env::temp_dir().join(format!("doorman-nginx-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.display();
    let config = format!(
        r#"
worker_processes 1;
daemon off;
pid {path}/nginx.pid;
error_log {path}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {path}/body;
  proxy_temp_path {path}/proxy;
  fastcgi_temp_path {path}/fastcgi;
  uwsgi_temp_path {path}/uwsgi;
  scgi_temp_path {path}/scgi;
  server {{
    listen 127.0.0.1:{port};
    # The application: only for people Doorman has confirmed and logged in.
    location /app/ {{
      auth_request /_doorman/verify;
      auth_request_set $doorman_user $upstream_http_remote_user;
      auth_request_set $doorman_email $upstream_http_remote_email;
      error_page 401 = @log_in;
      proxy_set_header Remote-User $doorman_user;
      proxy_set_header Remote-Email $doorman_email;
      proxy_pass http://127.0.0.1:{upstream};
    }}
    location = /_doorman/verify {{
      internal;
      proxy_pass http://{doorman}/auth/verify;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Uri $request_uri;
    }}
    location @log_in {{
      return 302 /login?return_to=$request_uri;
    }}
    # Doorman's own pages.
    location / {{
      proxy_pass http://{doorman};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"#
    );
    let config_path = dir.join("nginx.conf");
    std::fs::write(&config_path, config).unwrap();
    let child = Command::new("nginx")
        .args([
            "-p",
            &path.to_string(),
            "-c",
            &config_path.display().to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx is installed (.ci/run installs it)");
    wait_until("nginx to start", || async {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    })
    .await;
    Proxy {
        child,
        port,
        _dir: TempDir(dir),
    }
}

/// Caddy on `port`, with `forward_auth` to Doorman for `/app/*` and Doorman's own pages
/// for the rest.
async fn start_caddy(port: u16, doorman: &TestApp, upstream: u16) -> Proxy {
    let doorman = doorman.address.trim_start_matches("http://");
    let dir = std::env::temp_dir().join(format!("doorman-caddy-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let config = format!(
        r#"{{
	admin off
	auto_https off
}}

http://127.0.0.1:{port} {{
	# The application: only for people Doorman has confirmed and logged in.
	handle /app/* {{
		forward_auth {doorman} {{
			uri /auth/verify?redirect=1
			copy_headers Remote-User Remote-Email
		}}
		reverse_proxy 127.0.0.1:{upstream}
	}}
	# Doorman's own pages.
	handle {{
		reverse_proxy {doorman}
	}}
}}
"#
    );
    let config_path = dir.join("Caddyfile");
    std::fs::write(&config_path, config).unwrap();
    let child = Command::new("caddy")
        .args([
            "run",
            "--config",
            &config_path.display().to_string(),
            "--adapter",
            "caddyfile",
        ])
        // Caddy keeps its state under the home and XDG folders: this test's own.
        .env("HOME", &dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("caddy is installed (.ci/run installs it)");
    wait_until("caddy to start", || async {
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
#[ignore = "needs nginx: .ci/run installs it and runs --ignored"]
async fn nginx_auth_request_lets_only_confirmed_logged_in_people_through() {
    let app = spawn_app_with()
        .set("TRUSTED_PROXIES", "127.0.0.1/32")
        .start()
        .await;
    let upstream = start_upstream().await;
    let nginx = start_nginx(&app, upstream).await;
    let browser = Browser::new(&format!("http://127.0.0.1:{}", nginx.port));

    let anonymous = browser.get("/app/reports").await;
    assert_eq!(anonymous.status(), 302);
    // nginx makes the redirect absolute, on its own address.
    assert_eq!(
        location(&anonymous),
        browser.url("/login?return_to=/app/reports")
    );

    // Sign up, confirm and log in, all through the proxy.
    let email = unique_email();
    assert_eq!(
        location(&browser.signup(&email, PASSWORD).await),
        "/signup/check-email"
    );
    let link = app.smtp.wait_for(&email, 1).await[0].link("/confirm/");
    assert_eq!(location(&browser.confirm(&link, &[]).await), "/account");
    browser.post_form("/logout", &[]).await;
    assert_eq!(browser.get("/app/reports").await.status(), 302);
    let login_page = browser
        .get("/login?return_to=/app/reports")
        .await
        .text()
        .await
        .unwrap();
    let return_to = crate::helpers::form_value(&login_page, "return_to").unwrap();
    let logged_in = browser
        .post_form(
            "/login",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("return_to", &return_to),
            ],
        )
        .await;
    assert_eq!(location(&logged_in), "/app/reports");

    let through = browser.get("/app/reports").await;
    assert_eq!(through.status(), 200);
    assert_eq!(
        through.text().await.unwrap(),
        format!("upstream sees {email}")
    );
}

#[tokio::test]
#[ignore = "needs caddy (apt-get install caddy); .ci/run installs it and runs these"]
async fn caddy_forward_auth_sends_strangers_to_log_in_and_lets_people_through() {
    // People reach Doorman through Caddy, so BASE_URL is Caddy's address.
    let port = unused_port();
    let base = format!("http://127.0.0.1:{port}");
    let app = spawn_app_with()
        .set("BASE_URL", &base)
        .set("TRUSTED_PROXIES", "127.0.0.1/32")
        .start()
        .await;
    let upstream = start_upstream().await;
    let caddy = start_caddy(port, &app, upstream).await;
    let browser = Browser::new(&format!("http://127.0.0.1:{}", caddy.port));

    // Doorman answers Caddy's check with the login page and where the person was going,
    // rebuilt from the X-Forwarded-* headers of a trusted proxy.
    let anonymous = browser.get("/app/reports?year=2026").await;
    assert_eq!(anonymous.status(), 302);
    let original = format!("{base}/app/reports?year=2026");
    let expected = format!(
        "{base}/login?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("return_to", &original)
            .finish()
    );
    assert_eq!(location(&anonymous), expected);

    let email = unique_email();
    assert_eq!(
        location(&browser.signup(&email, PASSWORD).await),
        "/signup/check-email"
    );
    // The link starts with BASE_URL, Caddy's address.
    let text = app.smtp.wait_for(&email, 1).await[0].text();
    let prefix = format!("{base}/confirm/");
    let start = text
        .find(&prefix)
        .expect("a confirmation link on Caddy's address");
    let token: String = text[start + prefix.len()..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert_eq!(
        location(&browser.post_form("/confirm", &[("token", &token)]).await),
        "/account"
    );
    browser.post_form("/logout", &[]).await;
    let logged_in = browser
        .post_form(
            "/login",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("return_to", &original),
            ],
        )
        .await;
    assert_eq!(location(&logged_in), original);

    let through = browser.get("/app/reports?year=2026").await;
    assert_eq!(through.status(), 200);
    assert_eq!(
        through.text().await.unwrap(),
        format!("upstream sees {email}")
    );
}
