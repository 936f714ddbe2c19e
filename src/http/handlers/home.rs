use crate::http::error::AppError;
use crate::http::pages::HomePage;
use axum::Router;
use axum::routing::get;

use crate::http::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/", get(show))
}

pub(crate) async fn show() -> HomePage {
    HomePage
}

pub(crate) async fn not_found() -> AppError {
    AppError::NotFound
}

pub(crate) async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
