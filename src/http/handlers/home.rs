use crate::http::error::AppError;
use crate::http::pages::HomePage;

pub async fn show() -> HomePage {
    HomePage
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
