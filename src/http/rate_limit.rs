//! `RATE_LIMIT_PER_MINUTE`: POSTs per client IP to the auth flows, per instance.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::client_ip::ClientIp;
use super::error::AppError;

/// For the HTML pages: a `429` page.
pub async fn limit_page_posts(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    request: Request,
    next: Next,
) -> Response {
    match over_limit(&state, client, &request) {
        Some(error) => error.into_response(),
        None => next.run(request).await,
    }
}

/// For the JSON API: a `429` problem document.
pub async fn limit_api_posts(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    request: Request,
    next: Next,
) -> Response {
    match over_limit(&state, client, &request) {
        Some(error) => error.into_problem(),
        None => next.run(request).await,
    }
}

fn over_limit(state: &AppState, client: std::net::IpAddr, request: &Request) -> Option<AppError> {
    if request.method() != Method::POST {
        return None;
    }
    let limiter = state.post_limiter.as_ref()?;
    limiter
        .hit(&client.to_string())
        .err()
        .map(|retry_after| AppError::TooManyRequests { retry_after })
}
