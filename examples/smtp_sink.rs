//! Benchmark SMTP catcher: accepts every message and prints one line per message,
//! `<unix time in ms> <recipient>`, so delivery latency can be measured from the catcher's
//! side. `cargo run --release --example smtp_sink -- 127.0.0.1:2525`

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use mailin_embedded::response::{OK, Response};
use mailin_embedded::{Handler, Server};

#[derive(Clone, Default)]
struct Sink {
    recipients: Vec<String>,
}

impl Handler for Sink {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.recipients = to.to_vec();
        OK
    }

    fn data_end(&mut self) -> Response {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            * 1000.0;
        let mut out = std::io::stdout().lock();
        for recipient in self.recipients.drain(..) {
            let _ = writeln!(out, "{now:.3} {recipient}");
        }
        let _ = out.flush();
        OK
    }
}

fn main() {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:2525".into());
    let mut server = Server::new(Sink::default());
    server.with_name("bench-sink").with_num_threads(64);
    server.with_addr(address).unwrap();
    let _ = server.serve();
}
