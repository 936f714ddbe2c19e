//! A browser: cookies, CSRF tokens and forms, as the tests' person at the keyboard.

use std::sync::Arc;

use super::{BASE_URL, form_value};

/// A browser: an HTTP client with its own cookie jar that does not follow redirects, so
/// tests see each `303`.
#[derive(Clone)]
pub struct Browser {
    pub address: String,
    pub client: reqwest::Client,
    pub(super) jar: Arc<reqwest::cookie::Jar>,
}

impl Browser {
    pub fn new(address: &str) -> Self {
        Self::with_headers(address, reqwest::header::HeaderMap::new())
    }

    /// A browser whose every request says `Accept-Language: accept_language`.
    pub fn speaking(address: &str, accept_language: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            accept_language.parse().unwrap(),
        );
        Self::with_headers(address, headers)
    }

    /// A browser whose every request arrives through a proxy (`TRUSTED_PROXIES` must hold
    /// 127.0.0.1) that says it comes from `client`.
    pub fn forwarded_for(address: &str, client: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", client.parse().unwrap());
        Self::with_headers(address, headers)
    }

    /// A browser whose every request carries `headers`.
    pub fn with_headers(address: &str, headers: reqwest::header::HeaderMap) -> Self {
        doorman::internals::install_crypto_provider();
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .default_headers(headers)
            .build()
            .unwrap();
        Self {
            address: address.to_owned(),
            client,
            jar,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Turns a link from an email into one that reaches this test server.
    pub fn local(&self, link: &str) -> String {
        let path = link
            .strip_prefix(BASE_URL)
            .expect("links start with BASE_URL");
        self.url(path)
    }

    /// Puts a cookie in this browser's jar, as a sibling host under `COOKIE_DOMAIN` (or a
    /// man in the middle of plain http) could.
    pub fn plant_cookie(&self, name: &str, value: &str) {
        self.jar.add_cookie_str(
            &format!("{name}={value}; Path=/"),
            &self.address.parse().unwrap(),
        );
    }

    /// The value of one of this browser's cookies.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let header = self.jar.cookies(&self.address.parse().unwrap())?;
        header
            .to_str()
            .unwrap()
            .split("; ")
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_link(&self, link: &str) -> reqwest::Response {
        self.client.get(self.local(link)).send().await.unwrap()
    }

    /// The CSRF token this browser's forms carry.
    pub async fn csrf_token(&self) -> String {
        let page = self.get("/login").await.text().await.unwrap();
        form_value(&page, "csrf_token").expect("pages with forms carry a CSRF token")
    }

    /// Posts a form as a browser would: with its cookies and CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token().await;
        let mut body: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        body.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .form(&body)
            .send()
            .await
            .unwrap()
    }

    /// Posts a form to an emailed `link` (whose path takes the POST too), with this
    /// browser's CSRF token.
    pub async fn post_link(&self, link: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token().await;
        let mut body: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        body.extend_from_slice(fields);
        self.client
            .post(self.local(link))
            .form(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn signup(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form("/signup", &[("email", email), ("password", password)])
            .await
    }

    /// Posts the confirmation form for `link` with `fields`.
    pub async fn confirm(&self, link: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = link.rsplit('/').next().unwrap().to_owned();
        let mut body = vec![("token", token.as_str())];
        body.extend_from_slice(fields);
        self.post_form("/confirm", &body).await
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form("/login", &[("email", email), ("password", password)])
            .await
    }
}
