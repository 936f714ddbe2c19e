//! The admin API (SPEC §15): `/api/v1/admin/…` with `Authorization: Bearer <key>`, the
//! console's user list and actions for scripts. Everything done with a key is recorded
//! in the audit log under the key's name.

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::{AdminOutcome, Email, Search, UserQuery, UserStatus, UserSummary};
use crate::audit::{self, Actor};
use crate::http::AppState;
use crate::http::api::{ApiJson, Outcome, RequestProblems, accepted};
use crate::http::error::{AppError, FieldErrors, Problem, ProblemJson};
use crate::i18n::Localize;

/// Accounts on a page unless `limit` says otherwise, and the most it may say.
const DEFAULT_LIMIT: u64 = 50;
const MAX_LIMIT: u64 = 200;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(show_user, delete_user))
        .routes(routes!(act_on_user))
        .routes(routes!(create_invitation))
}

/// The name of the admin key the request carries; `401` without a valid one.
pub(crate) struct AdminKey(String);

impl FromRequestParts<AppState> for AdminKey {
    type Rejection = ProblemJson;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ProblemJson> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, key)| key.trim())
            .filter(|key| !key.is_empty() && key.len() <= 200)
            .ok_or(AppError::AdminKeyRequired)?;
        match state
            .admin_keys
            .authenticate(presented)
            .await
            .map_err(AppError::internal)?
        {
            Some(name) => Ok(Self(name)),
            None => Err(AppError::AdminKeyRequired.into()),
        }
    }
}

/// An account as the admin API shows it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct AdminUser {
    #[schema(example = 42)]
    id: i64,
    #[schema(example = "ada@example.com")]
    email: String,
    #[schema(value_type = String, format = DateTime)]
    created_at: chrono::DateTime<chrono::Utc>,
    #[schema(value_type = Option<String>, format = DateTime)]
    confirmed_at: Option<chrono::DateTime<chrono::Utc>>,
    #[schema(value_type = Option<String>, format = DateTime)]
    disabled_at: Option<chrono::DateTime<chrono::Utc>>,
    #[schema(value_type = Option<String>, format = DateTime)]
    last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    admin: bool,
}

impl From<UserSummary> for AdminUser {
    fn from(user: UserSummary) -> Self {
        Self {
            id: user.id,
            email: user.email,
            created_at: user.created_at,
            confirmed_at: user.confirmed_at,
            disabled_at: user.disabled_at,
            last_login_at: user.last_login_at,
            admin: user.admin,
        }
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct UserList {
    users: Vec<AdminUser>,
    /// Pass as `cursor` for the next page; `null` on the last.
    #[schema(example = "1041")]
    next_cursor: Option<String>,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// An address prefix (`ada@`), or `@domain` for every address at a domain.
    q: Option<String>,
    /// `unconfirmed`, `confirmed`, `disabled` or `admin`.
    status: Option<String>,
    /// The `next_cursor` of the page before.
    cursor: Option<String>,
    /// Accounts per page, 1 to 200 (50 unless given).
    limit: Option<String>,
}

/// The problems every admin operation may answer with.
#[derive(utoipa::IntoResponses)]
#[expect(
    dead_code,
    reason = "only documents responses; ProblemJson writes them"
)]
pub(crate) enum AdminProblems {
    /// No `Authorization: Bearer` with a valid admin key.
    #[response(status = 401, content_type = "application/problem+json",
        headers(("WWW-Authenticate" = String, description = "`Bearer`")))]
    NoKey(Problem),
    /// No account has this id.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
}

/// `GET /admin/users`: accounts newest first, by cursor.
#[utoipa::path(
    get,
    path = "/admin/users",
    tag = "admin",
    params(ListParams),
    security(("admin_key" = [])),
    responses(
        AdminProblems,
        (status = 200, description = "A page of accounts.", body = UserList),
        (status = 422, description = "A `status`, `cursor` or `limit` that is not one.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn list_users(
    State(state): State<AppState>,
    _key: AdminKey,
    Query(params): Query<ListParams>,
) -> Result<Response, ProblemJson> {
    let mut errors = FieldErrors::new();
    let status = match params.status.as_deref().filter(|status| !status.is_empty()) {
        None => None,
        Some(text) => {
            let status = UserStatus::parse(text);
            if status.is_none() {
                errors.insert(
                    "status",
                    "one of unconfirmed, confirmed, disabled, admin".into(),
                );
            }
            status
        }
    };
    let before = match params.cursor.as_deref().filter(|cursor| !cursor.is_empty()) {
        None => None,
        Some(cursor) => match cursor.parse::<i64>() {
            Ok(before) => Some(before),
            Err(_) => {
                errors.insert("cursor", "the next_cursor of a page before".into());
                None
            }
        },
    };
    let limit = match params.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => match text.parse::<u64>() {
            Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
            _ => {
                errors.insert("limit", format!("a number from 1 to {MAX_LIMIT}"));
                DEFAULT_LIMIT
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let page = state
        .accounts
        .search_users(&UserQuery {
            search: Search::parse(params.q.as_deref().unwrap_or_default()),
            status,
            before,
            limit,
        })
        .await?;
    Ok(Json(UserList {
        users: page.users.into_iter().map(AdminUser::from).collect(),
        next_cursor: page.next_cursor.map(|cursor| cursor.to_string()),
    })
    .into_response())
}

fn user_id(raw: &str) -> Result<i64, ProblemJson> {
    raw.parse().map_err(|_| AppError::NotFound.into())
}

/// `GET /admin/users/{id}`.
#[utoipa::path(
    get,
    path = "/admin/users/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The account's id.")),
    security(("admin_key" = [])),
    responses(
        AdminProblems,
        (status = 200, description = "The account.", body = AdminUser),
    ),
)]
pub(crate) async fn show_user(
    State(state): State<AppState>,
    _key: AdminKey,
    Path(id): Path<String>,
) -> Result<Response, ProblemJson> {
    let details = state
        .accounts
        .user_details(user_id(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(AdminUser::from(details.user)).into_response())
}

/// `DELETE /admin/users/{id}`: the account, its sessions and its unsent emails.
#[utoipa::path(
    delete,
    path = "/admin/users/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The account's id.")),
    security(("admin_key" = [])),
    responses(
        AdminProblems,
        (status = 204, description = "Deleted."),
    ),
)]
pub(crate) async fn delete_user(
    State(state): State<AppState>,
    AdminKey(name): AdminKey,
    Path(id): Path<String>,
) -> Result<Response, ProblemJson> {
    let id = user_id(&id)?;
    let deleted =
        audit::acting_as(Actor::ApiKey(name), state.accounts.delete_for_operator(id)).await?;
    if !deleted {
        return Err(AppError::NotFound.into());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /admin/users/{id}/{action}`: `disable`, `enable`, `confirm`, `end-sessions`,
/// `resend-confirmation` or `send-reset`; the account after it.
#[utoipa::path(
    post,
    path = "/admin/users/{id}/{action}",
    tag = "admin",
    params(
        ("id" = i64, Path, description = "The account's id."),
        ("action" = String, Path, description = "What to do.",
            example = "disable"),
    ),
    security(("admin_key" = [])),
    responses(
        AdminProblems,
        (status = 200, description = "Done; the account after it.", body = AdminUser),
    ),
)]
pub(crate) async fn act_on_user(
    State(state): State<AppState>,
    AdminKey(name): AdminKey,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response, ProblemJson> {
    let id = user_id(&id)?;
    let accounts = &state.accounts;
    let work = async {
        Ok::<_, AppError>(match action.as_str() {
            "disable" => accounts.disable(id).await?,
            "enable" => accounts.enable(id).await?,
            "confirm" => accounts.confirm_for_operator(id).await?,
            "end-sessions" => accounts.end_sessions(id).await?,
            "resend-confirmation" => accounts.resend_confirmation_to(id).await?,
            "send-reset" => accounts.send_reset_to(id).await?,
            _ => AdminOutcome::NoSuchUser,
        })
    };
    match audit::acting_as(Actor::ApiKey(name), work).await? {
        AdminOutcome::Done(user) => Ok(Json(AdminUser::from(user)).into_response()),
        AdminOutcome::NoSuchUser => Err(AppError::NotFound.into()),
    }
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct InvitationRequest {
    #[serde(default)]
    #[schema(required = true, max_length = 254, example = "ada@example.com")]
    email: String,
    /// Where the new account goes once the invitation is accepted; the `return_to` rules
    /// apply.
    #[serde(default)]
    #[schema(example = "https://app.example.com/welcome")]
    return_to: Option<String>,
}

/// `POST /admin/invitations`: emails the address an invitation to create its account
/// (SPEC §16). An address that has an account by the time it is sent gets nothing.
#[utoipa::path(
    post,
    path = "/admin/invitations",
    tag = "admin",
    request_body = InvitationRequest,
    security(("admin_key" = [])),
    responses(
        RequestProblems,
        (status = 202, description = "The invitation is queued.", body = crate::http::api::StatusBody,
            example = json!({"status": "accepted"})),
        (status = 401, description = "No `Authorization: Bearer` with a valid admin key.", body = Problem, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "`SIGNUP=closed`: no invitations.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`email` is not an address, or `return_to` is not allowed.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn create_invitation(
    State(state): State<AppState>,
    AdminKey(name): AdminKey,
    ApiJson(request): ApiJson<InvitationRequest>,
) -> Result<Response, ProblemJson> {
    let mut errors = FieldErrors::new();
    let email = Email::parse(&request.email)
        .map_err(|reason| errors.insert("email", reason.localize()))
        .ok();
    let return_to = match request.return_to.as_deref().filter(|to| !to.is_empty()) {
        None => None,
        Some(raw) => {
            let accepted = state.return_policy.accept(raw);
            if accepted.is_none() {
                errors.insert(
                    "return_to",
                    "a path here, BASE_URL's origin or an ALLOWED_RETURN_HOSTS host".into(),
                );
            }
            accepted
        }
    };
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors).into());
    };
    let invite = state
        .accounts
        .invite(&email, return_to.as_ref().map(|to| to.as_str()));
    audit::acting_as(Actor::ApiKey(name), invite)
        .await
        .map_err(AppError::from)?;
    Ok(accepted(Outcome::Accepted))
}
