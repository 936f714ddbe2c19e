//! `RATE_LIMIT_PER_MINUTE`: POSTs per client IP to the auth flows, per instance.

use axum::extract::{FromRef, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::client_ip::{ClientIp, TrustedProxies};
use super::error::AppError;

/// The limiter's state: the app, and how its `429` is written (a page or a problem).
#[derive(Clone)]
pub(crate) struct PostLimit {
    state: AppState,
    answer: fn(AppError) -> Response,
}

impl PostLimit {
    /// For the HTML pages: a `429` page.
    pub(crate) fn pages(state: AppState) -> Self {
        Self {
            state,
            answer: IntoResponse::into_response,
        }
    }

    /// For the JSON API: a `429` problem document.
    pub(crate) fn api(state: AppState) -> Self {
        Self {
            state,
            answer: AppError::into_problem,
        }
    }
}

impl FromRef<PostLimit> for TrustedProxies {
    fn from_ref(limit: &PostLimit) -> Self {
        TrustedProxies::from_ref(&limit.state)
    }
}

pub(super) async fn limit_posts(
    State(limit): State<PostLimit>,
    ClientIp(client): ClientIp,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::POST
        && let Some(limiter) = &limit.state.post_limiter
        && let Err(retry_after) = limiter.hit(&client.to_string())
    {
        return (limit.answer)(AppError::TooManyRequests { retry_after });
    }
    next.run(request).await
}
