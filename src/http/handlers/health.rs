//! Liveness, readiness and, on the admin listener only, `/metrics`.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use crate::http::AppState;
use crate::http::error::AppError;
use axum::Router;
use axum::routing::get;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(live))
        .route("/readyz", get(ready))
}

/// `200 ok` while the process runs.
pub(crate) async fn live() -> &'static str {
    "ok"
}

/// `200` when the database answers, else `503`.
pub(crate) async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.accounts.database_ready().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

/// Prometheus text: requests, sign-ups, confirmations, emails, outbox depth, hash queue.
/// Served only on `ADMIN_BIND_ADDR`: its counters move differently for known and unknown
/// addresses, so on the public listener it would tell strangers who has an account.
pub(crate) async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, AppError> {
    let gauges = state.accounts.gauges().await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&gauges),
    ))
}
