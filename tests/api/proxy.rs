//! A real reverse proxy in front of an application, with Doorman as its forward auth
//! (SPEC §10): nginx from Debian's packages, `auth_request` to `/auth/verify`.

use std::process::{Child, Command, Stdio};

use axum::http::HeaderMap;

use crate::helpers::{
    Browser, PASSWORD, TestApp, location, spawn_app_with, unique_email, unused_port, wait_until,
};

/// The application behind the proxy: it answers with who the proxy says is logged in.
async fn start_upstream() -> u16 {
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

struct Nginx {
    child: Child,
    port: u16,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_nginx(doorman: &TestApp, upstream: u16) -> Nginx {
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
    Nginx {
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
