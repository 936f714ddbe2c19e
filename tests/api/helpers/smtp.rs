//! A real SMTP server (mailin-embedded) in the test process, and the emails it received.

use std::net::TcpListener as StdListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use mailin_embedded::response::{OK, Response};
use mailin_embedded::{Handler, Server};

use super::{BASE_URL, wait_for};

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct ReceivedEmail {
    pub envelope_to: Vec<String>,
    pub raw: Vec<u8>,
}

impl ReceivedEmail {
    pub fn parsed(&self) -> mailparse::ParsedMail<'_> {
        mailparse::parse_mail(&self.raw).expect("the server sent a parseable message")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        use mailparse::MailHeaderMap;
        self.parsed().headers.get_first_value(name)
    }

    pub fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    fn part(&self, mime: &str) -> String {
        let parsed = self.parsed();
        parsed
            .subparts
            .iter()
            .find(|part| part.ctype.mimetype == mime)
            .map(|part| part.get_body().expect("decodable body"))
            .unwrap_or_default()
    }

    pub fn text(&self) -> String {
        self.part("text/plain")
    }

    pub fn html(&self) -> String {
        self.part("text/html")
    }

    /// The first link to `{BASE_URL}{path_prefix}` in the plain-text part; the HTML part
    /// must carry the same link.
    pub fn link(&self, path_prefix: &str) -> String {
        let prefix = format!("{BASE_URL}{path_prefix}");
        let text = self.text();
        let start = text
            .find(&prefix)
            .unwrap_or_else(|| panic!("no {prefix} link in:\n{text}"));
        let link: String = text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        assert!(
            self.html().contains(&link),
            "the HTML part has the same link"
        );
        link
    }
}

#[derive(Clone, Default)]
struct Recorder {
    inbox: Arc<Mutex<Vec<ReceivedEmail>>>,
    sessions: Arc<AtomicUsize>,
    envelope_to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Recorder {
    fn helo(&mut self, _ip: std::net::IpAddr, _domain: &str) -> Response {
        self.sessions.fetch_add(1, Ordering::SeqCst);
        OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.envelope_to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.inbox.lock().unwrap().push(ReceivedEmail {
            envelope_to: std::mem::take(&mut self.envelope_to),
            raw: std::mem::take(&mut self.data),
        });
        OK
    }
}

/// A real SMTP server (mailin-embedded) on a loopback port.
pub struct TestSmtp {
    pub port: u16,
    inbox: Arc<Mutex<Vec<ReceivedEmail>>>,
    sessions: Arc<AtomicUsize>,
}

impl TestSmtp {
    pub fn start() -> Self {
        let listener = StdListener::bind("127.0.0.1:0").expect("a free port");
        Self::serve(listener)
    }

    /// Starts on a port that was handed out earlier (to simulate SMTP coming back up).
    pub fn start_on(port: u16) -> Self {
        let listener = StdListener::bind(("127.0.0.1", port)).expect("the reserved port is free");
        Self::serve(listener)
    }

    fn serve(listener: StdListener) -> Self {
        let port = listener.local_addr().unwrap().port();
        let recorder = Recorder::default();
        let inbox = recorder.inbox.clone();
        let sessions = recorder.sessions.clone();
        let mut server = Server::new(recorder);
        // One thread per SMTP session, and lettre keeps pooled sessions open: leave room
        // for every instance's pool.
        server
            .with_name("test-smtp")
            .with_num_threads(64)
            .with_tcp_listener(listener);
        // serve() blocks forever and its error is not Send: run it on its own thread.
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self {
            port,
            inbox,
            sessions,
        }
    }

    /// How many SMTP sessions (EHLO greetings) clients have opened.
    pub fn sessions(&self) -> usize {
        self.sessions.load(Ordering::SeqCst)
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn all(&self) -> Vec<ReceivedEmail> {
        self.inbox.lock().unwrap().clone()
    }

    pub fn to(&self, address: &str) -> Vec<ReceivedEmail> {
        self.all()
            .into_iter()
            .filter(|email| {
                email
                    .envelope_to
                    .iter()
                    .any(|to| to.eq_ignore_ascii_case(address))
            })
            .collect()
    }

    /// Waits until `address` has received `count` emails, and returns them.
    pub async fn wait_for(&self, address: &str, count: usize) -> Vec<ReceivedEmail> {
        wait_for(&format!("{count} emails to {address}"), || async {
            let received = self.to(address);
            (received.len() >= count).then_some(received)
        })
        .await
    }

    /// The single latest email to `address`.
    pub async fn latest(&self, address: &str) -> ReceivedEmail {
        let count = self.to(address).len().max(1);
        self.wait_for(address, count).await.pop().unwrap()
    }
}

/// A loopback port with nothing listening on it: an SMTP server that is down.
pub fn unused_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The six-digit code in a confirmation email: the line of the text part that is one.
pub fn code_in(email: &ReceivedEmail) -> String {
    let text = email.text();
    let code = text
        .lines()
        .map(str::trim)
        .find(|line| line.len() == 6 && line.bytes().all(|byte| byte.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no code in:\n{text}"))
        .to_owned();
    assert!(
        email.html().contains(&code),
        "the HTML part has the same code"
    );
    code
}
