use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::client_ip::ClientIp;
use super::error::AppError;

/// `RATE_LIMIT_PER_MINUTE`: POSTs per client IP to the auth flows, per instance.
pub async fn limit_posts(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::POST
        && let Some(limiter) = &state.post_limiter
        && let Err(retry_after) = limiter.hit(&client.to_string())
    {
        let error = AppError::TooManyRequests { retry_after };
        return if super::is_api_path(request.uri().path()) {
            error.into_problem()
        } else {
            error.into_response()
        };
    }
    next.run(request).await
}
