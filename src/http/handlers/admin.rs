//! The operators' console (SPEC §15): `/admin` and its pages, for admins whose proof is
//! recent (see [`Admin`]). Every action is a `POST` with CSRF, done as the admin
//! (`audit::Actor::Account`), and answered with a redirect back to the page it came from.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};

use super::no_store;
use crate::accounts::{
    AdminOutcome, DailyFigures, Search, UserDetails, UserQuery, UserStatus, UserSummary,
};
use crate::audit::{self, Action, Actor, AuditFilter};
use crate::db::entities::{audit_events, outbox};
use crate::http::AppState;
use crate::http::auth::{Admin, StaleAdmin};
use crate::http::csrf::CsrfToken;
use crate::http::devices::Origin;
use crate::http::error::AppError;
use crate::http::forms::HtmlForm;
use crate::http::handlers::account::current_password;
use crate::http::pages::{
    AdminAuditPage, AdminDashboardPage, AdminOutboxPage, AdminReauthPage, AdminUserPage,
    AdminUsersPage, AuditRow, Chart, ChartSeries, DayRow, DeliveryRow, SessionRow, StatusOption,
    UserRow,
};
use crate::http::return_to::hidden;
use crate::i18n::{self, Localize};
use crate::outbox::DeliveryStatus;

/// Accounts on a page of the list.
const PAGE_SIZE: u64 = 50;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(dashboard))
        .route("/admin/reauth", get(reauth_form).post(reauth))
        .route("/admin/users", get(users))
        .route("/admin/users/{id}", get(user))
        .route("/admin/users/{id}/{action}", post(act))
        .route("/admin/outbox", get(deliveries))
        .route("/admin/outbox/{id}/retry", post(retry))
        .route("/admin/audit", get(audit_log))
        .route("/admin/invitations", post(invite))
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn maybe(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "—".to_owned(), when)
}

fn status_label(status: UserStatus) -> String {
    i18n::t(match status {
        UserStatus::Unconfirmed => "admin-status-unconfirmed",
        UserStatus::Confirmed => "admin-status-confirmed",
        UserStatus::Disabled => "admin-status-disabled",
        UserStatus::Admin => "admin-status-admin",
    })
}

/// A query string of the non-empty `pairs`.
fn query_of(pairs: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs.iter().filter(|(_, value)| !value.is_empty()) {
        query.append_pair(name, value);
    }
    query.finish()
}

fn notice_text(key: Option<&str>) -> Option<String> {
    let id = match key? {
        "disabled" => "admin-notice-disabled",
        "enabled" => "admin-notice-enabled",
        "confirmed" => "admin-notice-confirmed",
        "sessions-ended" => "admin-notice-sessions-ended",
        "confirmation-resent" => "admin-notice-confirmation-resent",
        "reset-sent" => "admin-notice-reset-sent",
        "deleted" => "admin-notice-deleted",
        "retried" => "admin-notice-retried",
        "invited" => "admin-notice-invited",
        _ => return None,
    };
    Some(i18n::t(id))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
}

/// `GET /admin`: the last 30 days, as a chart and as the table it draws.
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Response, AppError> {
    let figures = state.accounts.daily_figures(30).await?;
    let depth = state.accounts.gauges().await?.outbox_depth;
    let page = AdminDashboardPage {
        chart: chart(&figures),
        days: figures
            .days
            .iter()
            .map(|day| DayRow {
                day: day.day.format("%Y-%m-%d").to_string(),
                signups: day.signups,
                confirmations: day.confirmations,
                failed: day.failed_deliveries,
            })
            .collect(),
        share_confirmed: figures
            .confirmed_within_a_day
            .map(|share| format!("{:.0} %", share * 100.0)),
        outbox_depth: depth,
    };
    Ok(no_store(page.into_response()))
}

/// The three series as SVG polylines in a 600 × 200 box (no script: the browser draws
/// it); the table beside it carries the same numbers for screen readers.
fn chart(figures: &DailyFigures) -> Chart {
    const WIDTH: f64 = 600.0;
    const HEIGHT: f64 = 200.0;
    let highest = figures
        .days
        .iter()
        .flat_map(|day| [day.signups, day.confirmations, day.failed_deliveries])
        .max()
        .unwrap_or(0)
        .max(1);
    let step = WIDTH / (figures.days.len().max(2) - 1) as f64;
    let line = |value: fn(&crate::accounts::DayFigures) -> u64| {
        figures
            .days
            .iter()
            .enumerate()
            .map(|(index, day)| {
                let x = index as f64 * step;
                let y = HEIGHT - value(day) as f64 / highest as f64 * HEIGHT;
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    Chart {
        highest,
        first_day: figures
            .days
            .first()
            .map(|day| day.day.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        last_day: figures
            .days
            .last()
            .map(|day| day.day.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        series: vec![
            ChartSeries {
                label: i18n::t("admin-signups"),
                color: "#2563eb",
                points: line(|day| day.signups),
            },
            ChartSeries {
                label: i18n::t("admin-confirmations"),
                color: "#16a34a",
                points: line(|day| day.confirmations),
            },
            ChartSeries {
                label: i18n::t("admin-failed-deliveries"),
                color: "#dc2626",
                points: line(|day| day.failed_deliveries),
            },
        ],
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct UsersQuery {
    q: String,
    status: String,
    cursor: String,
    notice: Option<String>,
}

/// `GET /admin/users?q=&status=&cursor=`: newest first, 50 to a page.
pub(crate) async fn users(
    State(state): State<AppState>,
    _admin: Admin,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<UsersQuery>,
) -> Result<Response, AppError> {
    let status = UserStatus::parse(&query.status);
    let page = state
        .accounts
        .search_users(&UserQuery {
            search: Search::parse(&query.q),
            status,
            before: query.cursor.parse().ok(),
            limit: PAGE_SIZE,
        })
        .await?;
    let next_href = page.next_cursor.map(|cursor| {
        let cursor = cursor.to_string();
        format!(
            "/admin/users?{}",
            query_of(&[
                ("q", &query.q),
                ("status", &query.status),
                ("cursor", &cursor)
            ])
        )
    });
    let statuses = UserStatus::ALL
        .into_iter()
        .map(|option| StatusOption {
            value: option.name(),
            label: status_label(option),
            selected: status == Some(option),
        })
        .collect();
    let page = AdminUsersPage {
        csrf_token,
        q: query.q.clone(),
        statuses,
        any_status: status.is_none(),
        users: page.users.iter().map(user_row).collect(),
        next_href,
        notice: notice_text(query.notice.as_deref()),
    };
    Ok(no_store(page.into_response()))
}

fn user_row(user: &UserSummary) -> UserRow {
    UserRow {
        id: user.id,
        email: user.email.clone(),
        status: status_label(UserStatus::of(user)),
        admin: user.admin,
        created: when(user.created_at),
        last_login: maybe(user.last_login_at),
    }
}

/// `GET /admin/users/{id}`.
pub(crate) async fn user(
    State(state): State<AppState>,
    _admin: Admin,
    CsrfToken(csrf_token): CsrfToken,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let details = match id.parse() {
        Ok(id) => state.accounts.user_details(id).await?,
        Err(_) => None,
    };
    let details = details.ok_or(AppError::NotFound)?;
    Ok(no_store(
        user_page(
            details,
            csrf_token,
            notice_text(query.notice.as_deref()),
            None,
        )
        .into_response(),
    ))
}

fn user_page(
    details: UserDetails,
    csrf_token: String,
    notice: Option<String>,
    delete_error: Option<String>,
) -> AdminUserPage {
    let user = &details.user;
    AdminUserPage {
        csrf_token,
        id: user.id,
        email: user.email.clone(),
        status: status_label(UserStatus::of(user)),
        admin: user.admin,
        disabled: user.disabled_at.is_some(),
        confirmed: user.confirmed_at.is_some(),
        created: when(user.created_at),
        confirmed_at: maybe(user.confirmed_at),
        last_login: maybe(user.last_login_at),
        language: details.locale.clone().unwrap_or_else(|| "—".to_owned()),
        has_password: details.has_password,
        sessions: details
            .sessions
            .iter()
            .map(|session| SessionRow {
                started: maybe(session.started_at),
                last_seen: maybe(session.last_seen_at),
                client_ip: session.client_ip.clone().unwrap_or_default(),
                browser: session.user_agent.clone().unwrap_or_default(),
            })
            .collect(),
        emails: details.emails.iter().map(delivery_row).collect(),
        events: details.events.iter().map(audit_row).collect(),
        notice,
        delete_error,
    }
}

fn delivery_row(row: &outbox::Model) -> DeliveryRow {
    let status = DeliveryStatus::of(row);
    DeliveryRow {
        id: row.id,
        created: when(row.created_at),
        kind: row.event.clone().unwrap_or_else(|| row.kind.label()),
        recipient: row.recipient.clone(),
        status: status.localize(),
        retryable: matches!(status, DeliveryStatus::GivenUp { .. }),
        attempts: row.attempts,
    }
}

fn audit_row(event: &audit_events::Model) -> AuditRow {
    let actor = match event.actor_kind.as_str() {
        "account" => i18n::t1("admin-actor-account", "id", event.actor.as_str()),
        "api_key" => i18n::t1("admin-actor-key", "name", event.actor.as_str()),
        "cli" => i18n::t("admin-actor-cli"),
        _ => i18n::t("admin-actor-system"),
    };
    AuditRow {
        at: when(event.created_at),
        action: event.action.clone(),
        actor,
        actor_href: (event.actor_kind == "account")
            .then(|| format!("/admin/users/{}", event.actor)),
        account: event.user_email.clone().unwrap_or_default(),
        account_href: event.user_id.map(|id| format!("/admin/users/{id}")),
        client_ip: event.client_ip.clone().unwrap_or_default(),
        details: event.details.clone().unwrap_or_default(),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct ActionForm {
    /// For a deletion: the account's address, typed again.
    confirm_email: String,
}

/// `POST /admin/users/{id}/{action}`: one of the account actions, as this admin.
pub(crate) async fn act(
    State(state): State<AppState>,
    admin: Admin,
    CsrfToken(csrf_token): CsrfToken,
    Path((id, action)): Path<(String, String)>,
    HtmlForm(form): HtmlForm<ActionForm>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let accounts = &state.accounts;
    let as_admin = Actor::Account(admin.account.id);
    let page = format!("/admin/users/{id}");
    let (outcome, notice) = match action.as_str() {
        "delete" => {
            return audit::acting_as(as_admin, delete(&state, id, form, csrf_token)).await;
        }
        "disable" => (
            audit::acting_as(as_admin, accounts.disable(id)).await?,
            "disabled",
        ),
        "enable" => (
            audit::acting_as(as_admin, accounts.enable(id)).await?,
            "enabled",
        ),
        "confirm" => (
            audit::acting_as(as_admin, accounts.confirm_for_operator(id)).await?,
            "confirmed",
        ),
        "end-sessions" => (
            audit::acting_as(as_admin, accounts.end_sessions(id)).await?,
            "sessions-ended",
        ),
        "resend-confirmation" => (
            audit::acting_as(as_admin, accounts.resend_confirmation_to(id)).await?,
            "confirmation-resent",
        ),
        "send-reset" => (
            audit::acting_as(as_admin, accounts.send_reset_to(id)).await?,
            "reset-sent",
        ),
        _ => return Err(AppError::NotFound),
    };
    match outcome {
        AdminOutcome::Done(_) => {
            Ok(Redirect::to(&format!("{page}?notice={notice}")).into_response())
        }
        AdminOutcome::NoSuchUser => Err(AppError::NotFound),
    }
}

/// Deletion asks for the address typed again: a wrong one shows the page with the error.
async fn delete(
    state: &AppState,
    id: i64,
    form: ActionForm,
    csrf_token: String,
) -> Result<Response, AppError> {
    let details = state
        .accounts
        .user_details(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !form
        .confirm_email
        .trim()
        .eq_ignore_ascii_case(&details.user.email)
    {
        let page = user_page(
            details,
            csrf_token,
            None,
            Some(i18n::t("admin-delete-mismatch")),
        );
        return Ok(no_store(
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
        ));
    }
    state.accounts.delete_for_operator(id).await?;
    Ok(Redirect::to("/admin/users?notice=deleted").into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct CursorQuery {
    cursor: String,
    notice: Option<String>,
}

/// `GET /admin/outbox`: emails and events waiting or given up, newest first.
pub(crate) async fn deliveries(
    State(state): State<AppState>,
    _admin: Admin,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<CursorQuery>,
) -> Result<Response, AppError> {
    let mut rows = state
        .accounts
        .unsent_deliveries(query.cursor.parse().ok(), PAGE_SIZE + 1)
        .await?;
    let next_href = (rows.len() as u64 > PAGE_SIZE).then(|| {
        rows.truncate(PAGE_SIZE as usize);
        let cursor = rows.last().map_or(0, |row| row.id).to_string();
        format!("/admin/outbox?{}", query_of(&[("cursor", &cursor)]))
    });
    let page = AdminOutboxPage {
        csrf_token,
        rows: rows.iter().map(delivery_row).collect(),
        next_href,
        notice: notice_text(query.notice.as_deref()),
    };
    Ok(no_store(page.into_response()))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct InviteForm {
    email: String,
}

/// `POST /admin/invitations`: emails an invitation (SPEC §16).
pub(crate) async fn invite(
    State(state): State<AppState>,
    admin: Admin,
    HtmlForm(form): HtmlForm<InviteForm>,
) -> Result<Response, AppError> {
    let email = crate::accounts::Email::parse(&form.email)
        .map_err(|reason| AppError::Invalid([("email", reason.localize())].into()))?;
    audit::acting_as(
        Actor::Account(admin.account.id),
        state.accounts.invite(&email, None),
    )
    .await?;
    Ok(Redirect::to("/admin/users?notice=invited").into_response())
}

/// `POST /admin/outbox/{id}/retry`.
pub(crate) async fn retry(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let retried = audit::acting_as(
        Actor::Account(admin.account.id),
        state.accounts.retry_delivery(id),
    )
    .await?;
    if !retried {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/admin/outbox?notice=retried").into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct AuditQuery {
    /// An account's address.
    account: String,
    /// An account's id, an API key's name, `cli` or `system`.
    actor: String,
    action: String,
    cursor: String,
}

/// `GET /admin/audit`: the audit log, filtered by account, actor and action.
pub(crate) async fn audit_log(
    State(state): State<AppState>,
    _admin: Admin,
    Query(query): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let account = match crate::accounts::Email::parse(&query.account) {
        Ok(email) => state
            .accounts
            .user_by_email(&email)
            .await?
            .map(|user| user.id),
        Err(_) => None,
    };
    let unknown_account = !query.account.trim().is_empty() && account.is_none();
    let mut events = if unknown_account {
        Vec::new()
    } else {
        state
            .accounts
            .audit_events(&AuditFilter {
                user_id: account,
                actor: Some(query.actor.trim().to_owned()).filter(|actor| !actor.is_empty()),
                action: Some(query.action.clone()).filter(|action| !action.is_empty()),
                before: query.cursor.parse().ok(),
                limit: PAGE_SIZE + 1,
            })
            .await?
    };
    let next_href = (events.len() as u64 > PAGE_SIZE).then(|| {
        events.truncate(PAGE_SIZE as usize);
        let cursor = events.last().map_or(0, |event| event.id).to_string();
        format!(
            "/admin/audit?{}",
            query_of(&[
                ("account", &query.account),
                ("actor", &query.actor),
                ("action", &query.action),
                ("cursor", &cursor),
            ])
        )
    });
    let page = AdminAuditPage {
        account: query.account.clone(),
        actor: query.actor.clone(),
        actions: Action::ALL
            .into_iter()
            .map(|action| (action.name(), action.name() == query.action))
            .collect(),
        any_action: query.action.is_empty(),
        events: events.iter().map(audit_row).collect(),
        next_href,
    };
    Ok(no_store(page.into_response()))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct ReauthForm {
    current_password: String,
    return_to: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct ReturnQuery {
    return_to: String,
}

/// Only console pages are gone back to after the re-check.
fn console_path(raw: &str) -> String {
    let inside = raw == "/admin" || raw.starts_with("/admin/") || raw.starts_with("/admin?");
    if inside && !raw.starts_with("/admin/reauth") {
        raw.to_owned()
    } else {
        "/admin".to_owned()
    }
}

/// `GET /admin/reauth`: the console asks for the password again.
pub(crate) async fn reauth_form(
    admin: StaleAdmin,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<ReturnQuery>,
) -> Response {
    let return_to = console_path(&query.return_to);
    no_store(
        AdminReauthPage {
            csrf_token,
            sign_in_href: crate::http::return_to::carried("/login", &return_to),
            return_to,
            has_password: admin.account.has_password,
            error: None,
        }
        .into_response(),
    )
}

/// `POST /admin/reauth`: the password again; a check that counts as a login attempt.
pub(crate) async fn reauth(
    State(state): State<AppState>,
    admin: StaleAdmin,
    Origin(origin): Origin,
    CsrfToken(csrf_token): CsrfToken,
    HtmlForm(form): HtmlForm<ReauthForm>,
) -> Result<Response, AppError> {
    let return_to = console_path(&form.return_to);
    let proved = state
        .accounts
        .reauthenticate(
            admin.account.id,
            &current_password(&form.current_password, origin, None),
        )
        .await?;
    if proved {
        admin
            .session
            .reauthenticated(state.clock.unix_now())
            .await?;
        return Ok(Redirect::to(&return_to).into_response());
    }
    let page = AdminReauthPage {
        csrf_token,
        sign_in_href: crate::http::return_to::carried("/login", &return_to),
        return_to: hidden(state.return_policy.accept(&return_to).as_ref()),
        has_password: admin.account.has_password,
        error: Some(i18n::t("account-wrong-password")),
    };
    Ok(no_store(
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
    ))
}
