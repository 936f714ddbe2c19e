//! `RATE_LIMIT_PER_MINUTE`: POSTs per client IP (IPv6 per /64) to the auth flows, counted
//! in the database, so several instances together allow what one allows.

use axum::extract::{FromRef, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::client_ip::{ClientIp, TrustedProxies};
use super::error::AppError;
use crate::limits::client_subject;

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
        && let Some(post_limit) = &limit.state.post_limit
    {
        match limit
            .state
            .limits
            .take(post_limit, &client_subject(client))
            .await
        {
            Ok(Ok(())) => {}
            Ok(Err(exceeded)) => {
                return (limit.answer)(AppError::TooManyRequests {
                    retry_after: exceeded.retry_after,
                });
            }
            Err(error) => return (limit.answer)(AppError::internal(error)),
        }
    }
    next.run(request).await
}
