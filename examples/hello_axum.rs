//! Benchmark ceiling: the barest axum server, on the same runtime settings as Doorman.
//! `cargo run --release --example hello_axum -- 127.0.0.1:4000`

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4000".into());
    let app = Router::new().route("/", get(|| async { "Hello, world!" }));
    let listener = tokio::net::TcpListener::bind(&address).await.unwrap();
    axum::serve(listener, app).await.unwrap();
}

/// The same allocator as the `doorman` binary, so the ceiling is measured like for like.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
