use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::http::AppState;
use crate::http::csrf::CsrfToken;
use crate::http::error::AppError;
use crate::http::pages::AccountPage;
use crate::sessions::USER_ID_KEY;

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    CsrfToken(csrf_token): CsrfToken,
) -> Result<Response, AppError> {
    let user_id = session
        .get::<i64>(USER_ID_KEY)
        .await
        .map_err(AppError::internal)?;
    let account = match user_id {
        Some(user_id) => state.accounts.find_account(user_id).await?,
        None => None,
    };
    let Some(account) = account else {
        return Ok(Redirect::to("/login").into_response());
    };
    let mut response = AccountPage {
        csrf_token,
        email: account.email,
        member_since: account.created_at.format("%-d %B %Y").to_string(),
    }
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
