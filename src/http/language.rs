//! Which language a response speaks (SPEC §11): a `?lang=` the footer's links add, then the
//! `doorman_lang` cookie such a link set, then `Accept-Language`, then `DEFAULT_LOCALE`.
//! Choosing writes a cookie and nothing else: no account record changes.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::cookie::{Cookie, SameSite, time};

use std::sync::Arc;

use crate::brand::Brand;
use crate::i18n::{self, Language, Messages};

const COOKIE: &str = "doorman_lang";
const QUERY: &str = "lang";
/// A choice is remembered for a year, like the peers do.
const COOKIE_MAX_AGE_DAYS: i64 = 365;

#[derive(Clone)]
pub(crate) struct LanguageOptions {
    /// This instance's messages (`APP_NAME`, `MESSAGES_DIR`).
    pub messages: Arc<Messages>,
    /// This instance's look (`BRAND_DIR`).
    pub brand: Arc<Brand>,
    pub default: Language,
    pub https: bool,
    /// `BASE_URL`'s origin: a `Referer` from it may be where a footer link leads back to.
    pub origin: String,
}

/// The language the request asked for, for handlers that record it (sign-up).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RequestLanguage(pub Language);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestLanguage {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        _parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(i18n::current()))
    }
}

tokio::task_local! {
    /// Where the footer's language links lead: this page, without its `lang`.
    static SWITCH_BASE: String;
}

/// Middleware around every route: decides the language, runs the request in it, and says
/// on a page which it was in `Content-Language`. (The API's problem documents are English
/// whatever was asked, so they claim no language.)
pub(crate) async fn choose(
    State(options): State<LanguageOptions>,
    request: Request,
    next: Next,
) -> Response {
    let picked = request.uri().query().and_then(picked_in_query);
    let language = picked
        .or_else(|| from_cookie(request.headers()))
        .or_else(|| {
            request
                .headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok())
                .and_then(Language::negotiate)
        })
        .unwrap_or(options.default);
    let switch_base = switch_base(&request, &options.origin);
    let mut response = i18n::speaking(
        options.messages.clone(),
        crate::brand::wearing(
            options.brand.clone(),
            i18n::scope(language, SWITCH_BASE.scope(switch_base, next.run(request))),
        ),
    )
    .await;
    let headers = response.headers_mut();
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if is_page {
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(language.tag()),
        );
        headers.append(
            header::VARY,
            HeaderValue::from_static("Accept-Language, Cookie"),
        );
    }
    if let Some(language) = picked {
        let cookie = Cookie::build((COOKIE, language.tag()))
            .path("/")
            .max_age(time::Duration::days(COOKIE_MAX_AGE_DAYS))
            .same_site(SameSite::Lax)
            .secure(options.https);
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

fn picked_in_query(query: &str) -> Option<Language> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == QUERY)
        .and_then(|(_, value)| Language::from_tag(&value))
}

fn from_cookie(headers: &HeaderMap) -> Option<Language> {
    super::request_cookie(headers, COOKIE).and_then(|value| Language::from_tag(&value))
}

/// The address the footer's links point at, `lang` still to be added. A page fetched with
/// GET is its own address; a page answering a form post is the page the form was on when
/// the browser says so (same origin only), else the start page.
fn switch_base(request: &Request, origin: &str) -> String {
    let without_lang = |path: &str, query: Option<&str>| {
        let kept: Vec<(String, String)> = query
            .map(|query| {
                url::form_urlencoded::parse(query.as_bytes())
                    .filter(|(name, _)| name != QUERY)
                    .map(|(name, value)| (name.into_owned(), value.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(kept);
        let query = query.finish();
        // One leading slash, whatever the request's path began with: `//evil.example/x`
        // or `/\evil.example` would be another site to a browser.
        let path = format!("/{}", path.trim_start_matches(['/', '\\']));
        if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        }
    };
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return without_lang(request.uri().path(), request.uri().query());
    }
    request
        .headers()
        .get(header::REFERER)
        .and_then(|value| value.to_str().ok())
        .and_then(|referer| url::Url::parse(referer).ok())
        .filter(|referer| referer.origin().ascii_serialization() == origin)
        .map_or_else(
            || "/".to_owned(),
            |referer| without_lang(referer.path(), referer.query()),
        )
}

/// One of the footer's links.
pub(crate) struct LanguageLink {
    pub language: Language,
    pub href: String,
    pub current: bool,
}

/// The footer's links, one per shipped language, for the page being rendered.
pub(crate) fn links() -> Vec<LanguageLink> {
    let base = SWITCH_BASE
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "/".to_owned());
    let separator = if base.contains('?') { '&' } else { '?' };
    let current = i18n::current();
    Language::ALL
        .into_iter()
        .map(|language| LanguageLink {
            language,
            href: format!("{base}{separator}{QUERY}={}", language.tag()),
            current: language == current,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, uri: &str, referer: Option<&str>) -> Request {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(referer) = referer {
            builder = builder.header(header::REFERER, referer);
        }
        builder.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn language_links_lead_back_to_the_page_without_its_old_choice() {
        let origin = "http://127.0.0.1:3000";
        let cases = [
            (Method::GET, "/signup", None, "/signup"),
            (
                Method::GET,
                "/signup?return_to=https%3A%2F%2Fapp.example%2F&lang=fr",
                None,
                "/signup?return_to=https%3A%2F%2Fapp.example%2F",
            ),
            (
                Method::POST,
                "/signup",
                Some("http://127.0.0.1:3000/signup?lang=de"),
                "/signup",
            ),
            (
                Method::POST,
                "/confirm",
                Some("https://evil.example/phish"),
                "/",
            ),
            (Method::POST, "/confirm", None, "/"),
            (
                Method::GET,
                "//evil.example/phish",
                None,
                "/evil.example/phish",
            ),
            (
                Method::GET,
                "/\\evil.example/phish",
                None,
                "/evil.example/phish",
            ),
            (
                Method::POST,
                "/confirm",
                Some("http://127.0.0.1:3000//evil.example/x"),
                "/evil.example/x",
            ),
        ];
        for (method, uri, referer, expected) in cases {
            assert_eq!(
                switch_base(&request(method, uri, referer), origin),
                expected,
                "{uri}"
            );
        }
    }

    #[test]
    fn the_cookie_and_the_query_name_a_shipped_language_or_nothing() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("doorman_session=abc; doorman_lang=fr"),
        );
        assert_eq!(from_cookie(&headers), Some(Language::French));
        headers.insert(header::COOKIE, HeaderValue::from_static("doorman_lang=xx"));
        assert_eq!(from_cookie(&headers), None);
        assert_eq!(picked_in_query("a=1&lang=de"), Some(Language::German));
        assert_eq!(picked_in_query("lang=%3Cscript%3E"), None);
    }
}
