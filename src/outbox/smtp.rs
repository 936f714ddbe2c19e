//! SMTP delivery: lettre speaks the protocol, over connections this module opens and pools.
//!
//! lettre 0.11.23 never sets `TCP_NODELAY` and writes a message and its final `.` in two
//! writes, so with Nagle's algorithm the terminator waits for the server's delayed ACK:
//! about 40 ms per email, the whole of the sign-up-to-inbox latency on a local relay
//! (lettre#1159, fixed upstream but unreleased). lettre's public
//! `AsyncSmtpConnection::connect_with_transport` takes a stream opened by the caller, so
//! the sockets are opened here with `TCP_NODELAY` and wrapped in TLS as `SMTP_URL` says;
//! EHLO, STARTTLS, AUTH and the mail transaction stay lettre's.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_rustls::TlsConnector;

use crate::i18n::Language;
use crate::mail::RenderedEmail;

/// Connecting (TCP, greeting, EHLO, STARTTLS, AUTH) and each message get this long.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection unused for longer is asked `NOOP` before it carries a message: relays close
/// idle sessions, and one found dead costs a retry of the email seconds later.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(5);
/// A connection unused for longer is closed rather than checked (RFC 5321 lets servers
/// drop a client after 5 minutes of silence; most do sooner).
const DROP_AFTER_IDLE: Duration = Duration::from_secs(60);

/// How the connection to the relay is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SmtpSecurity {
    /// `smtp://`: no TLS (a local catcher or relay).
    Plain,
    /// `smtp://…?tls=required` or `?tls=opportunistic`: STARTTLS after EHLO.
    StartTls { required: bool },
    /// `smtps://`: TLS from the first byte.
    Implicit,
}

/// `SMTP_URL`, parsed: the relay, how to secure and authenticate the connection, and the
/// name to greet with. Mirrors lettre's own URL rules, so every URL lettre documents works.
/// Its `Debug` shows no credentials: lettre prints `Credentials` without their fields.
#[derive(Clone, Debug)]
pub struct SmtpEndpoint {
    host: String,
    port: u16,
    security: SmtpSecurity,
    credentials: Option<Credentials>,
    hello_name: ClientId,
}

impl SmtpEndpoint {
    /// # Errors
    /// A sentence saying what is wrong with the URL.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = url::Url::parse(raw).map_err(|error| format!("not a URL ({error})"))?;
        let tls = url
            .query_pairs()
            .find(|(key, _)| key == "tls")
            .map(|(_, value)| value.into_owned());
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (SmtpSecurity::Plain, 25),
            ("smtp", Some("required")) => (SmtpSecurity::StartTls { required: true }, 587),
            ("smtp", Some("opportunistic")) => (SmtpSecurity::StartTls { required: false }, 587),
            ("smtps", None) => (SmtpSecurity::Implicit, 465),
            ("smtp" | "smtps", Some(other)) => {
                return Err(format!(
                    "tls must be `required` or `opportunistic`, not `{other}`"
                ));
            }
            (scheme, _) => {
                return Err(format!(
                    "must start with smtp:// or smtps://, not {scheme}://"
                ));
            }
        };
        let host = url
            .host_str()
            .filter(|host| !host.is_empty())
            .ok_or("has no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let decode = |part: &str| {
            percent_encoding::percent_decode_str(part)
                .decode_utf8()
                .map(|text| text.into_owned())
                .map_err(|_| "has credentials that are not UTF-8 once decoded".to_owned())
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None if !url.username().is_empty() => {
                return Err("names a user but no password".to_owned());
            }
            None => None,
        };
        // A password sent before TLS is a password given to everyone on the path; only a
        // relay on this machine (a catcher, a local MTA) may take one in the clear.
        let encrypted = matches!(
            security,
            SmtpSecurity::Implicit | SmtpSecurity::StartTls { required: true }
        );
        if credentials.is_some() && !encrypted && !crate::config::is_loopback_host(&host) {
            return Err(
                "sends its password only over TLS: use smtps:// or ?tls=required (a relay on \
                 this machine, such as localhost, may take it without)"
                    .to_owned(),
            );
        }
        let hello_name = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        Ok(Self {
            host,
            port: url.port().unwrap_or(default_port),
            security,
            credentials,
            hello_name,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum MailerError {
    #[error("invalid recipient address")]
    Recipient,
    #[error("could not build the message")]
    Build(#[from] lettre::error::Error),
    #[error("could not connect to the SMTP server")]
    Connect(#[source] io::Error),
    #[error("SMTP delivery failed")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the SMTP server did not answer within {} s", SMTP_TIMEOUT.as_secs())]
    Timeout,
}

/// Sends rendered emails over a pool of at most `max_connections` SMTP connections.
#[derive(Clone)]
pub(crate) struct SmtpMailer {
    endpoint: Arc<SmtpEndpoint>,
    from: Mailbox,
    /// Only for `smtps://`: STARTTLS goes through lettre's own TLS set-up.
    implicit_tls: Option<TlsConnector>,
    idle: Arc<Mutex<Vec<IdleConnection>>>,
    /// One permit per connection open or being opened, so a burst of emails waits for a
    /// connection instead of opening as many as it has messages.
    open: Arc<Semaphore>,
}

struct IdleConnection {
    connection: AsyncSmtpConnection,
    since: Instant,
}

/// A connection out of the pool, with the permit that counts it.
struct Lease {
    connection: AsyncSmtpConnection,
    permit: OwnedSemaphorePermit,
}

impl SmtpMailer {
    pub(crate) fn new(endpoint: SmtpEndpoint, from: Mailbox, max_connections: usize) -> Self {
        let implicit_tls = (endpoint.security == SmtpSecurity::Implicit).then(|| {
            let roots = RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let config = ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .expect("ring supports rustls' default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
            TlsConnector::from(Arc::new(config))
        });
        Self {
            endpoint: Arc::new(endpoint),
            from,
            implicit_tls,
            idle: Arc::default(),
            open: Arc::new(Semaphore::new(max_connections.max(1))),
        }
    }

    /// Sends `email` as `multipart/alternative` with `Date`, `Message-ID` and
    /// `Content-Language`.
    ///
    /// # Errors
    /// The message could not be built, no connection could be had, or the server refused it.
    pub(crate) async fn send(&self, email: &RenderedEmail) -> Result<(), MailerError> {
        let to: Mailbox = email
            .recipient
            .parse()
            .map_err(|_| MailerError::Recipient)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .date_now()
            .message_id(None)
            .header(ContentLanguage(email.language))
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))?;
        let mut lease = self.lease().await?;
        let sent = tokio::time::timeout(
            SMTP_TIMEOUT,
            lease
                .connection
                .send(message.envelope(), &message.formatted()),
        )
        .await;
        match sent {
            Ok(Ok(_)) => {
                self.give_back(lease);
                Ok(())
            }
            // lettre marks the connection broken on any error; it is dropped with the lease.
            Ok(Err(error)) => Err(MailerError::Smtp(error)),
            Err(_) => Err(MailerError::Timeout),
        }
    }

    async fn lease(&self) -> Result<Lease, MailerError> {
        let permit = Arc::clone(&self.open)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        while let Some(idle) = self.take_idle() {
            let idle_for = idle.since.elapsed();
            if idle_for > DROP_AFTER_IDLE {
                continue;
            }
            let mut connection = idle.connection;
            if idle_for > CHECK_AFTER_IDLE
                && !tokio::time::timeout(SMTP_TIMEOUT, connection.test_connected())
                    .await
                    .unwrap_or(false)
            {
                continue;
            }
            return Ok(Lease { connection, permit });
        }
        let connection = tokio::time::timeout(SMTP_TIMEOUT, self.connect())
            .await
            .map_err(|_| MailerError::Timeout)??;
        Ok(Lease { connection, permit })
    }

    /// Closes the connections idle too long to be worth checking, so a quiet Doorman holds
    /// no sockets a relay has long given up on.
    pub(crate) fn close_stale(&self) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|idle| idle.since.elapsed() <= DROP_AFTER_IDLE);
    }

    fn take_idle(&self) -> Option<IdleConnection> {
        // Newest first: the connection most likely to still be open.
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    fn give_back(&self, lease: Lease) {
        if lease.connection.has_broken() {
            return;
        }
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(IdleConnection {
                connection: lease.connection,
                since: Instant::now(),
            });
        drop(lease.permit);
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, MailerError> {
        let endpoint = &*self.endpoint;
        let tcp = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
            .await
            .map_err(MailerError::Connect)?;
        tcp.set_nodelay(true).map_err(MailerError::Connect)?;
        let stream: Box<dyn AsyncTokioStream> = match &self.implicit_tls {
            Some(connector) => {
                let name = ServerName::try_from(endpoint.host.clone()).map_err(|error| {
                    MailerError::Connect(io::Error::new(io::ErrorKind::InvalidInput, error))
                })?;
                let tls = connector
                    .connect(name, tcp)
                    .await
                    .map_err(MailerError::Connect)?;
                Box::new(ImplicitTls(tls))
            }
            None => Box::new(tcp),
        };
        let mut connection =
            AsyncSmtpConnection::connect_with_transport(stream, &endpoint.hello_name).await?;
        if let SmtpSecurity::StartTls { required } = endpoint.security
            && (required || connection.can_starttls())
        {
            let parameters = TlsParameters::new(endpoint.host.clone())?;
            connection
                .starttls(parameters, &endpoint.hello_name)
                .await?;
        }
        if let Some(credentials) = &endpoint.credentials {
            connection
                .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await?;
        }
        Ok(connection)
    }
}

/// `Content-Language` (RFC 3282): which language the email is written in.
#[derive(Debug, Clone)]
struct ContentLanguage(Language);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(raw: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Language::from_tag(raw)
            .map(Self)
            .ok_or_else(|| format!("not a shipped language: {raw}").into())
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.tag().to_owned())
    }
}

/// A TLS stream lettre can carry: its trait wants the peer address as well.
#[derive(Debug)]
struct ImplicitTls(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for ImplicitTls {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for ImplicitTls {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for ImplicitTls {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_read_as_lettre_documents_them() {
        let cases = [
            (
                "smtp://localhost:1025",
                "localhost",
                1025,
                SmtpSecurity::Plain,
            ),
            (
                "smtp://relay.example",
                "relay.example",
                25,
                SmtpSecurity::Plain,
            ),
            (
                "smtp://relay.example?tls=required",
                "relay.example",
                587,
                SmtpSecurity::StartTls { required: true },
            ),
            (
                "smtp://relay.example:2525?tls=opportunistic",
                "relay.example",
                2525,
                SmtpSecurity::StartTls { required: false },
            ),
            (
                "smtps://relay.example",
                "relay.example",
                465,
                SmtpSecurity::Implicit,
            ),
            ("smtp://[::1]:1025", "::1", 1025, SmtpSecurity::Plain),
        ];
        for (raw, host, port, security) in cases {
            let endpoint = SmtpEndpoint::parse(raw).unwrap();
            assert_eq!(
                (endpoint.host.as_str(), endpoint.port, endpoint.security),
                (host, port, security),
                "{raw}"
            );
            assert!(endpoint.credentials.is_none(), "{raw}");
        }
    }

    #[test]
    fn credentials_are_percent_decoded_and_kept_out_of_debug() {
        let endpoint = SmtpEndpoint::parse(
            "smtps://mailer%40example.com:p%2Fss@relay.example/doorman.example",
        )
        .unwrap();
        assert_eq!(
            endpoint.credentials,
            Some(Credentials::new(
                "mailer@example.com".to_owned(),
                "p/ss".to_owned()
            ))
        );
        assert_eq!(
            endpoint.hello_name,
            ClientId::Domain("doorman.example".to_owned())
        );
        assert!(!format!("{endpoint:?}").contains("p/ss"));
        for local in [
            "smtp://user:secret@localhost:1025",
            "smtp://user:secret@127.0.0.1:1025",
            "smtp://user:secret@relay.example?tls=required",
        ] {
            assert!(SmtpEndpoint::parse(local).is_ok(), "{local}");
        }
    }

    #[test]
    fn unusable_smtp_urls_say_why() {
        for (raw, says) in [
            ("localhost:1025", "smtp://"),
            ("http://relay.example", "smtp://"),
            ("smtp://relay.example?tls=maybe", "tls must be"),
            ("smtps://relay.example?tls=required", "tls must be"),
            ("smtp://user@relay.example", "no password"),
            ("smtp://user:secret@relay.example", "only over TLS"),
            (
                "smtp://user:secret@relay.example?tls=opportunistic",
                "only over TLS",
            ),
            ("not a url", "not a URL"),
        ] {
            let problem = SmtpEndpoint::parse(raw).unwrap_err();
            assert!(problem.contains(says), "{raw}: {problem}");
        }
    }
}
