//! The connection limits of SPEC §12, on the real server: a request head must arrive in
//! time, an idle keep-alive connection is closed, and a slowloris cannot buy more time.
//! The deadlines are shortened here (10 s and 60 s for people) so the tests take seconds;
//! what they check is how the server measures them.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use doorman::config::ConnectionLimits;

use crate::helpers::{TestApp, spawn_app_with};

const LIMITS: ConnectionLimits = ConnectionLimits {
    header_read: Duration::from_secs(1),
    idle: Duration::from_secs(3),
    per_client: 64,
};

async fn app_with_short_deadlines() -> TestApp {
    spawn_app_with()
        .configure(|config| config.connection_limits = LIMITS)
        .start()
        .await
}

/// How long until the server closes `stream`, reading whatever it answers first.
fn seconds_until_closed(mut stream: std::net::TcpStream, limit: Duration) -> f64 {
    stream.set_read_timeout(Some(limit)).unwrap();
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return started.elapsed().as_secs_f64(),
            Ok(_) => {}
        }
    }
}

#[tokio::test]
async fn a_request_head_sent_too_slowly_is_dropped_when_its_deadline_passes() {
    let app = app_with_short_deadlines().await;
    let address = app.address.trim_start_matches("http://").to_owned();

    let closed_after = tokio::task::spawn_blocking(move || {
        let mut slow = std::net::TcpStream::connect(&address).unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .unwrap();
        // A slowloris client keeps trickling header bytes; they must not buy more time.
        let trickle = slow.try_clone().unwrap();
        std::thread::spawn(move || {
            let mut trickle = trickle;
            for index in 0..30 {
                std::thread::sleep(LIMITS.header_read / 5);
                if trickle
                    .write_all(format!("X-Slow-{index}: 1\r\n").as_bytes())
                    .is_err()
                {
                    return;
                }
            }
        });
        seconds_until_closed(slow, LIMITS.header_read * 6)
    })
    .await
    .unwrap();

    let deadline = LIMITS.header_read.as_secs_f64();
    assert!(
        (deadline * 0.9..deadline + 1.5).contains(&closed_after),
        "closed after {closed_after:.1} s"
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_stays_usable_then_closes_at_the_idle_deadline() {
    let app = app_with_short_deadlines().await;
    let address = app.address.trim_start_matches("http://").to_owned();

    let closed_after = tokio::task::spawn_blocking(move || {
        let mut connection = std::net::TcpStream::connect(&address).unwrap();
        let mut answer = [0u8; 1024];
        let request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        connection.write_all(request).unwrap();
        assert!(connection.read(&mut answer).unwrap() > 0);
        // Longer than a request head may take, shorter than the idle limit.
        std::thread::sleep(LIMITS.header_read + (LIMITS.idle - LIMITS.header_read) / 2);
        connection.write_all(request).unwrap();
        let read = connection.read(&mut answer).unwrap();
        assert!(
            answer[..read].starts_with(b"HTTP/1.1 200"),
            "still usable after idling longer than a request head may take"
        );
        seconds_until_closed(connection, LIMITS.idle * 4)
    })
    .await
    .unwrap();

    let deadline = LIMITS.idle.as_secs_f64();
    assert!(
        (deadline * 0.95..deadline + 1.5).contains(&closed_after),
        "closed after {closed_after:.1} s idle"
    );
}

/// A connection to `address` from the loopback address `from` (all of 127.0.0.0/8 is this
/// machine, so one test can be several clients).
async fn connect_from(from: [u8; 4], address: &str) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket
        .bind((std::net::Ipv4Addr::from(from), 0).into())
        .unwrap();
    socket.connect(address.parse().unwrap()).await.unwrap()
}

/// True while the server keeps `stream` open: a read waits instead of ending.
async fn still_open(stream: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt;
    let mut byte = [0u8; 1];
    tokio::time::timeout(Duration::from_millis(300), stream.read(&mut byte))
        .await
        .is_err()
}

#[tokio::test]
async fn one_client_cannot_take_every_connection_slot() {
    let app = spawn_app_with()
        .set("MAX_CONNECTIONS", "48")
        .set("MAX_CONNECTIONS_PER_CLIENT", "8")
        .start()
        .await;
    let address = app.address.trim_start_matches("http://").to_owned();

    // Far more than every slot, from one address: past its share, each is closed at once.
    let mut flood = Vec::new();
    for _ in 0..100 {
        flood.push(connect_from([127, 0, 0, 2], &address).await);
    }
    let mut open = 0;
    for stream in &mut flood {
        if still_open(stream).await {
            open += 1;
        }
    }
    assert_eq!(open, 8, "the flooding client holds exactly its share");

    // Another client still gets an answer, at once.
    let started = Instant::now();
    let health = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 3]))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
        .get(format!("http://{address}/healthz"))
        .send()
        .await
        .expect("/healthz answers another client");
    assert_eq!(health.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    drop(flood);
}
