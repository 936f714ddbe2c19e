//! What the integration tests share: the app ([`spawn_app`]), the SMTP server it sends to
//! ([`TestSmtp`]), browsers ([`Browser`]), and waiting for a state ([`wait_until`]) rather
//! than for a time.

mod app;
mod browser;
mod smtp;

use std::time::{Duration, Instant};

pub use app::*;
pub use browser::*;
pub use smtp::*;

/// Links in emails start with this, never with the address the test server listens on:
/// that proves they are built from `BASE_URL` and not from the request. `.localhost` names
/// are loopback (RFC 6761), as development mode requires of `BASE_URL`.
pub const BASE_URL: &str = "http://doorman.localhost";
pub const PASSWORD: &str = "correct horse battery staple";

/// How long a state may take to come about before the test fails.
const PATIENCE: Duration = Duration::from_secs(20);

/// Polls `probe` until it gives a value, and returns it; fails the test, naming `what`,
/// when it has not after [`PATIENCE`].
pub async fn wait_for<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "waited in vain for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls `condition` until it holds; fails the test, naming `what`, when it does not
/// after [`PATIENCE`].
pub async fn wait_until<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    wait_for(what, || {
        let holds = condition();
        async move { holds.await.then_some(()) }
    })
    .await;
}

/// Percent-encodes everything but unreserved characters, for form bodies and queries.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The `value` of the input named `name` in an HTML page, as a browser would submit it
/// (the HTML escapes undone).
pub fn form_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(
        html[start..end]
            .replace("&#38;", "&")
            .replace("&amp;", "&")
            .replace("&#34;", "\"")
            .replace("&#39;", "'")
            .replace("&#60;", "<")
            .replace("&#62;", ">"),
    )
}

pub fn unique_email() -> String {
    format!("user-{}@example.com", random_hex(6))
}
