use axum::extract::State;
use axum::http::StatusCode;

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
