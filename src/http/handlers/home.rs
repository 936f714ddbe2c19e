use crate::http::error::AppError;
use crate::http::pages::HomePage;

pub(crate) async fn show() -> HomePage {
    HomePage
}

pub(crate) async fn not_found() -> AppError {
    AppError::NotFound
}

pub(crate) async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
