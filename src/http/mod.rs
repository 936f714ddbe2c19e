//! Everything web-facing: routes, handlers, pages, CSRF, headers and the one error type.

mod api;
mod auth;
mod client_ip;
mod csrf;
mod devices;
mod error;
pub(crate) mod forms;
mod handlers;
pub(crate) mod language;
mod link_pages;
mod links;
mod nav;
mod pages;
mod rate_limit;
mod return_to;
mod usable_link;
mod verified_sessions;

pub(crate) use language::LanguageOptions;
use std::sync::Arc;
use std::time::Duration;
use utoipa_axum::router::UtoipaMethodRouterExt;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use client_ip::ClientIp;
pub(crate) use client_ip::TrustedProxies;
pub(crate) use csrf::CsrfConfig;
pub(crate) use devices::DeviceCookies;
pub(crate) use links::Links;
pub(crate) use return_to::ReturnPolicy;

use crate::accounts::Accounts;
use crate::limits::{Limit, Limits};
use crate::metrics::Metrics;
use crate::sessions::DatabaseSessionStore;

/// Request bodies above this are refused with `413`: no form needs more.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024;

/// 16 KiB arrive within this on any connection a person uses.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

const STYLESHEET: &str = include_str!("../../static/style.css");

const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What handlers share. Cloned for every extractor and middleware of every request, so it
/// is one `Arc`: a clone is a reference count, not a deep copy of the services.
#[derive(Clone)]
pub(crate) struct AppState(Arc<AppServices>);

impl AppState {
    pub(crate) fn new(services: AppServices) -> Self {
        Self(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppServices;

    fn deref(&self) -> &AppServices {
        &self.0
    }
}

/// The services behind [`AppState`]: the web layer talks to the accounts domain, never to
/// the database or the outbox directly.
pub(crate) struct AppServices {
    pub accounts: Accounts,
    pub sessions: DatabaseSessionStore,
    pub metrics: Arc<Metrics>,
    pub limits: Limits,
    pub devices: DeviceCookies,
    pub return_policy: ReturnPolicy,
    /// URLs from `BASE_URL`, for redirects to the login page.
    pub links: Links,
    /// `None` when `RATE_LIMIT_PER_MINUTE` is 0.
    pub post_limit: Option<Limit>,
    pub trusted_proxies: TrustedProxies,
    /// Forward auth's short memory of logged-in sessions.
    pub verified_sessions: verified_sessions::VerifiedSessions,
    /// The OpenID Connect provider.
    pub oidc: Arc<crate::oidc::Oidc>,
    /// The admin API's keys.
    pub admin_keys: crate::admin_keys::AdminKeys,
    /// The time logins are stamped with (tests move it).
    pub clock: crate::clock::Clock,
    /// `BRAND_DIR`'s files, served under `/brand/`.
    pub brand: Arc<crate::brand::Brand>,
}

impl FromRef<AppState> for TrustedProxies {
    fn from_ref(state: &AppState) -> Self {
        state.trusted_proxies.clone()
    }
}

/// Settings that shape the router itself rather than a handler.
#[derive(Clone)]
pub(crate) struct RouterOptions {
    pub development: bool,
    pub https: bool,
    pub csrf: CsrfConfig,
    /// `COOKIE_DOMAIN`: the session cookie's domain, for forward auth on sibling hosts.
    pub cookie_domain: Option<String>,
    pub language: LanguageOptions,
}

/// The whole application as a `Router`: pure, so tests can serve it on port 0.
pub(crate) fn router(state: AppState, options: RouterOptions) -> Router {
    // Over https the name carries the prefix browsers enforce: `__Host-` for a host-only
    // cookie, `__Secure-` once `COOKIE_DOMAIN` shares it with sibling hosts.
    let cookie_name = match (options.https, &options.cookie_domain) {
        (false, _) => "doorman_session",
        (true, None) => "__Host-doorman_session",
        (true, Some(_)) => "__Secure-doorman_session",
    };
    let mut sessions = SessionManagerLayer::new(state.sessions.clone())
        .with_name(cookie_name)
        .with_http_only(true)
        // Lax, not Strict: a person arriving from a link in their mail client must still
        // be recognised.
        .with_same_site(SameSite::Lax)
        .with_secure(options.https)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(14)));
    if let Some(domain) = &options.cookie_domain {
        sessions = sessions.with_domain(domain.clone());
    }

    let mut pages = Router::new()
        .merge(handlers::home::routes())
        .merge(handlers::signup::routes())
        .merge(handlers::invitation::routes())
        .merge(handlers::confirmation::routes())
        .merge(handlers::login::routes())
        .merge(handlers::email_sign_in::routes())
        .merge(handlers::admin::routes())
        .merge(handlers::password_reset::routes())
        .merge(handlers::email_change::routes())
        .merge(handlers::account::routes())
        .merge(handlers::oidc::routes());
    if options.development {
        pages = pages.merge(handlers::dev_mailbox::routes());
    }
    // The 404 page is a page too: inside the page layers, so its header knows the login.
    let pages = pages.fallback(handlers::home::not_found);
    let pages = pages
        // Inside the CSRF layer: link pages carry a resend form and need the token.
        .layer(axum::middleware::from_fn(link_pages::render))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            nav::remember,
        ))
        // Sessions load lazily: a page that never reads its session, or a visitor without
        // a session cookie, costs no database work.
        .layer(sessions.clone())
        .layer(axum::middleware::from_fn_with_state(
            options.csrf.clone(),
            csrf::protect,
        ))
        // Outermost of the page layers: a flood is turned away before any other work.
        .layer(axum::middleware::from_fn_with_state(
            rate_limit::PostLimit::pages(state.clone()),
            rate_limit::limit_posts,
        ));

    // Forward auth reads the session cookie and nothing else: no CSRF cookie, no page
    // layers, no language, no headers for a browser (it answers a proxy). Every request of
    // the protected application pays it, so it carries only what it needs.
    let forward_auth = handlers::hand_off::routes()
        .layer(sessions.clone())
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            count_request,
        ))
        .with_state(state.clone())
        .layer(TraceLayer::new_for_http().make_span_with(request_span));
    let (api, mut document) = api::routes()
        .routes(utoipa_axum::routes!(handlers::hand_off::session).layer(sessions.clone()))
        .split_for_parts();
    // The admin API answers only a valid key, whose use is audited: a script working
    // through many accounts is not held to the per-IP limit of the sign-up forms.
    let (admin_api, admin_document) = handlers::admin_api::routes().split_for_parts();
    document.merge(admin_document);
    let api = api
        .layer(axum::Extension(api::ApiDocument::new(
            document,
            state.accounts.rules().password_min_length,
        )))
        .layer(axum::middleware::from_fn_with_state(
            rate_limit::PostLimit::api(state.clone()),
            rate_limit::limit_posts,
        ))
        .merge(admin_api)
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed);

    // The pages, their error pages, the API's field messages and the emails a request
    // causes all speak the request's language. Forward auth, health checks and the
    // stylesheet say nothing in any language: every request of a protected application
    // pays forward auth, so it skips the work of choosing one.
    let localized = Router::new()
        .merge(pages)
        .nest("/api/v1", api)
        .method_not_allowed_fallback(handlers::home::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            options.language.clone(),
            language::choose,
        ));
    // Relying parties call these from their servers, or from a browser app of another
    // origin: JSON, no cookies, no credentials in CORS.
    let cors = tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]);
    let oidc_protocol = handlers::oidc::protocol_routes().layer(cors.clone());
    // Userinfo reads one header and answers JSON: like forward auth, it skips the layers
    // of pages and forms (it reads no body), and an application may call it per request.
    let userinfo = handlers::oidc::userinfo_routes()
        .layer(cors)
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            count_request,
        ))
        .with_state(state.clone())
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(TraceLayer::new_for_http().make_span_with(request_span));
    let mut app = Router::new()
        .merge(localized)
        .merge(oidc_protocol)
        // Inside every layer that may answer on its own: what reaches a handler is
        // audited as its client.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            in_audit_context,
        ))
        .merge(handlers::health::routes())
        .route("/static/style.css", get(stylesheet))
        .route("/brand/{file}", get(brand_file))
        .method_not_allowed_fallback(handlers::home::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            count_request,
        ))
        .with_state(state)
        // Every body is read through a limited reader (the CSRF check, `HtmlForm`, `ApiJson`),
        // each of which answers `413` in its own format: a page or a problem document.
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // A body no form needs more than a moment to send: a slow one must not hold its
        // connection for the whole request timeout.
        .layer(RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(header::REFERRER_POLICY, "same-origin"))
        .layer(axum::middleware::map_response(private_when_setting_cookies))
        .layer(TraceLayer::new_for_http().make_span_with(request_span));
    if options.https {
        app = app.layer(security_header(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ));
    }
    if options.development {
        app = app.layer(axum::middleware::from_fn(loopback_host_only));
    }
    Router::new().merge(forward_auth).merge(userinfo).merge(app)
}

/// A response that sets a cookie is that visitor's alone: no shared cache may keep it (it
/// would hand one visitor's CSRF or session cookie to the next), nor the browser's
/// back-forward history.
async fn private_when_setting_cookies(mut response: Response) -> Response {
    if response.headers().contains_key(header::SET_COOKIE) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    response
}

/// Development mode shows every email at `/dev/mailbox`: a page that would answer a
/// request for another name could be read by any site that points that name at 127.0.0.1
/// (DNS rebinding). Only a loopback `Host` is answered.
async fn loopback_host_only(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| request.uri().host());
    if host.is_some_and(crate::config::is_loopback_host) {
        next.run(request).await
    } else {
        error::AppError::MisdirectedRequest.into_response()
    }
}

/// The admin listener's router (`ADMIN_BIND_ADDR`): `/metrics` and nothing else.
pub(crate) fn admin_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(handlers::health::metrics))
        .fallback(handlers::home::not_found)
        .with_state(state)
}

/// The value of the cookie `name` in a request's `Cookie` header lines, if it sent one.
fn request_cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(tower_sessions::cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Logs the route pattern, never the path: `/confirm/{token}` must not put tokens in logs.
fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    tracing::info_span!("request", method = %request.method(), route)
}

/// Runs the request in its audit context: the person acting on their own account, from
/// the client address the limits see, in the browser it names.
async fn in_audit_context(ClientIp(client): ClientIp, request: Request, next: Next) -> Response {
    let user_agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let context = crate::audit::Context::request(client, user_agent.as_deref());
    crate::audit::scope(context, next.run(request)).await
}

/// Counts each request under its route pattern, after routing (so the pattern is known).
async fn count_request(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    // MatchedPath holds an Arc<str>: keeping it costs no allocation.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    metrics.request(
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        response.status().as_u16(),
    );
    response
}

/// `BRAND_DIR`'s `style.css` and logo; `404` for anything else, or without `BRAND_DIR`.
async fn brand_file(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    match state.brand.file(&file) {
        Some((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            bytes.to_vec(),
        )
            .into_response(),
        None => error::AppError::NotFound.into_response(),
    }
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every path given to `.route(…)` in `src/http`, and every JSON operation's path
    /// under `/api/v1`.
    fn routes_in(dir: &Path, routes: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                routes_in(&path, routes);
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for (marker, prefix) in [(".route(", ""), ("path = \"", "/api/v1")] {
                for (at, _) in source.match_indices(marker) {
                    let rest = source[at + marker.len()..].trim_start();
                    let rest = rest.strip_prefix('"').unwrap_or(rest);
                    let Some(path) = rest.split('"').next().filter(|path| path.starts_with('/'))
                    else {
                        continue;
                    };
                    routes.push(format!("{prefix}{path}"));
                }
            }
        }
    }

    #[test]
    fn every_route_is_in_the_flow_table() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
        let start = doc
            .find("## Where each flow lives")
            .expect("ARCHITECTURE.md has the table");
        let table = &doc[start..];
        let table = &table[..table[3..].find("\n## ").map_or(table.len(), |end| end + 3)];
        let mut routes = Vec::new();
        routes_in(&root.join("src/http"), &mut routes);
        assert!(routes.len() > 25, "the scan found the routes: {routes:?}");
        // A route is listed as "`METHOD /path`": the path after a space, before a backtick.
        let missing: Vec<&String> = routes
            .iter()
            .filter(|route| {
                !table.contains(&format!(" {route}`")) && !table.contains(&format!(" {route},"))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "routes missing from ARCHITECTURE.md's flow table: {missing:?}"
        );
    }
}
