use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use crate::http::error::AppError;
use crate::metrics::Gauges;

use crate::http::AppState;

/// `200 ok` while the process runs.
pub async fn live() -> &'static str {
    "ok"
}

/// `200` when the database answers, else `503`.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// Prometheus text: requests, sign-ups, confirmations, emails, outbox depth, hash queue.
pub async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, AppError> {
    let (outbox_depth, oldest) = state.outbox.depth().await.map_err(AppError::internal)?;
    let gauges = Gauges {
        outbox_depth,
        outbox_oldest_seconds: oldest.map_or(0.0, |age| age.as_secs_f64()),
        hash_queue_depth: state.accounts.hash_queue_depth(),
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&gauges),
    ))
}
