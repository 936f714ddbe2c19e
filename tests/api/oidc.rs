//! Doorman as an OpenID Connect provider (SPEC §13), driven as a relying party drives it:
//! the happy paths, and every error path as a table. (A certified relying-party library,
//! panva's openid-client, drives it too: `oidc_client.rs`.)

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::{
    BASE_URL, Browser, PASSWORD, TestApp, code_in, form_value, location, spawn_app, unique_email,
};

/// A relying party registered with `doorman clients add`.
pub struct Rp {
    pub client_id: String,
    pub secret: Option<String>,
    pub redirect_uri: String,
}

const REDIRECT_URI: &str = "https://app.example.com/callback";
const AFTER_LOGOUT: &str = "https://app.example.com/logged-out";

/// Registers a client; `flags` as for `doorman clients add` (`--public`, `--first-party`).
pub async fn register(app: &TestApp, flags: &[&str]) -> Rp {
    let mut args = vec![
        "clients",
        "add",
        "--name",
        "Reports",
        "--redirect-uri",
        REDIRECT_URI,
        "--post-logout-redirect-uri",
        AFTER_LOGOUT,
        "--json",
    ];
    args.extend_from_slice(flags);
    let run = app.cli(&args).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let registered: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    Rp {
        client_id: registered["client_id"].as_str().unwrap().to_owned(),
        secret: registered["client_secret"].as_str().map(str::to_owned),
        redirect_uri: REDIRECT_URI.to_owned(),
    }
}

/// A PKCE verifier and its S256 challenge.
pub fn pkce() -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(doorman::internals::random_bytes::<32>());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// The query of an authorization request for `rp`, with `extra` parameters.
pub fn authorization_query(rp: &Rp, challenge: &str, extra: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("client_id", &rp.client_id)
        .append_pair("redirect_uri", &rp.redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid email")
        .append_pair("state", "state-123")
        .append_pair("nonce", "nonce-456")
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256");
    for (name, value) in extra {
        query.append_pair(name, value);
    }
    query.finish()
}

/// `GET /oauth2/authorize` with parameters in `query`, replacing any `extra` given twice.
async fn authorize(browser: &Browser, query: &str) -> reqwest::Response {
    browser.get(&format!("/oauth2/authorize?{query}")).await
}

/// The query parameters of a redirect back to the client.
pub fn redirect_params(response: &reqwest::Response) -> std::collections::HashMap<String, String> {
    let target = location(response);
    assert!(
        target.starts_with(REDIRECT_URI),
        "expected a redirect to the client, got {} {target} from {}",
        response.status(),
        response.url()
    );
    url::Url::parse(&target)
        .unwrap()
        .query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// Posts to the token endpoint as `rp`: `client_secret_basic` for a confidential client,
/// `none` for a public one.
pub async fn token_request(app: &TestApp, rp: &Rp, form: &[(&str, &str)]) -> (u16, Value) {
    let mut request = app.client.post(app.url("/oauth2/token"));
    let mut body: Vec<(&str, &str)> = form.to_vec();
    match &rp.secret {
        Some(secret) => request = request.basic_auth(&rp.client_id, Some(secret)),
        None => body.push(("client_id", &rp.client_id)),
    }
    let response = request.form(&body).send().await.unwrap();
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()["cache-control"],
        "no-store",
        "token responses are never stored"
    );
    (status, response.json().await.unwrap_or(Value::Null))
}

pub async fn exchange(app: &TestApp, rp: &Rp, code: &str, verifier: &str) -> (u16, Value) {
    token_request(
        app,
        rp,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &rp.redirect_uri),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// The claims of a JWS, after checking its RS256 signature against the JWKS.
pub async fn verified_claims(app: &TestApp, jws: &str) -> (Value, Value) {
    let parts: Vec<&str> = jws.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let jwks: Value = app.get("/oauth2/jwks").await.json().await.unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kid"] == header["kid"])
        .expect("the token's kid is published");
    let decode = |field: &str| {
        URL_SAFE_NO_PAD
            .decode(key[field].as_str().unwrap())
            .unwrap()
    };
    let public = ring::signature::RsaPublicKeyComponents {
        n: decode("n"),
        e: decode("e"),
    };
    public
        .verify(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            format!("{}.{}", parts[0], parts[1]).as_bytes(),
            &URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
        )
        .expect("signed RS256 with a published key");
    (header, claims)
}

/// A confirmed account, logged in in `app.browser`.
async fn logged_in(app: &TestApp) -> String {
    let email = unique_email();
    app.confirmed_user(&email).await;
    email
}

/// Runs the whole code flow for a logged-in browser and returns the token response.
pub async fn code_flow(app: &TestApp, browser: &Browser, rp: &Rp, extra: &[(&str, &str)]) -> Value {
    let (verifier, challenge) = pkce();
    let response = authorize(browser, &authorization_query(rp, &challenge, extra)).await;
    let params = redirect_params(&response);
    let (status, tokens) = exchange(app, rp, &params["code"], &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

async fn userinfo(app: &TestApp, access_token: &str) -> reqwest::Response {
    app.client
        .get(app.url("/oauth2/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn discovery_names_every_endpoint_and_what_is_supported() {
    let app = spawn_app().await;
    let discovery: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], BASE_URL);
    for endpoint in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "revocation_endpoint",
        "end_session_endpoint",
    ] {
        assert!(
            discovery[endpoint].as_str().unwrap().starts_with(BASE_URL),
            "{endpoint}"
        );
    }
    assert_eq!(
        discovery["response_types_supported"],
        serde_json::json!(["code"])
    );
    assert_eq!(
        discovery["grant_types_supported"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(
        discovery["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        discovery["authorization_response_iss_parameter_supported"],
        true
    );
    assert!(
        discovery["prompt_values_supported"]
            .as_array()
            .unwrap()
            .contains(&"create".into())
    );
    assert!(
        discovery["id_token_signing_alg_values_supported"]
            .as_array()
            .unwrap()
            .contains(&"RS256".into())
    );

    let jwks: Value = app.get("/oauth2/jwks").await.json().await.unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(
        (&key["kty"], &key["use"], &key["alg"]),
        (&"RSA".into(), &"sig".into(), &"RS256".into())
    );
    assert!(
        key.get("d").is_none() && key.get("p").is_none(),
        "public keys only"
    );
    let modulus = URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap();
    assert_eq!(modulus.len() * 8, 2048, "RSA 2048 (SECURITY.md says why)");
}

#[tokio::test]
async fn the_code_flow_gives_a_public_client_signed_tokens_and_userinfo() {
    let app = spawn_app().await;
    let email = logged_in(&app).await;
    let rp = register(&app, &["--public", "--first-party"]).await;

    let (verifier, challenge) = pkce();
    let response = authorize(&app.browser, &authorization_query(&rp, &challenge, &[])).await;
    assert_eq!(response.status(), 303);
    let params = redirect_params(&response);
    assert_eq!(params["state"], "state-123");
    assert_eq!(params["iss"], BASE_URL);
    let (status, tokens) = exchange(&app, &rp, &params["code"], &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 600);
    assert!(
        tokens.get("refresh_token").is_none(),
        "no offline_access asked"
    );

    let user_id = app.user(&email).await.unwrap().id.to_string();
    let (header, id_token) = verified_claims(&app, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(header["alg"], "RS256");
    assert_eq!(id_token["iss"], BASE_URL);
    assert_eq!(id_token["sub"], user_id.as_str());
    assert_eq!(id_token["aud"], rp.client_id.as_str());
    assert_eq!(id_token["nonce"], "nonce-456");
    assert_eq!(id_token["email"], email.as_str());
    assert_eq!(id_token["email_verified"], true);
    let access_token = tokens["access_token"].as_str().unwrap();
    let at_hash = URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16]);
    assert_eq!(id_token["at_hash"], at_hash.as_str());
    assert!(id_token["exp"].as_i64().unwrap() - id_token["iat"].as_i64().unwrap() <= 3600);
    assert!(id_token["auth_time"].as_i64().unwrap() <= id_token["iat"].as_i64().unwrap());

    let (header, access) = verified_claims(&app, access_token).await;
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(access["client_id"], rp.client_id.as_str());
    assert_eq!(access["scope"], "email openid");
    assert_eq!(
        access["exp"].as_i64().unwrap() - access["iat"].as_i64().unwrap(),
        600
    );
    assert!(access["jti"].is_string());

    let info = userinfo(&app, access_token).await;
    assert_eq!(info.status(), 200);
    let info: Value = info.json().await.unwrap();
    assert_eq!(info["sub"], user_id.as_str());
    assert_eq!(info["email"], email.as_str());
    assert_eq!(info["email_verified"], true);

    // RFC 6750: the scheme's name is case-insensitive; by POST too.
    let lowercase = app
        .client
        .post(app.url("/oauth2/userinfo"))
        .header("authorization", format!("bearer {access_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(lowercase.status(), 200);
    assert_eq!(lowercase.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn a_confidential_client_authenticates_by_basic_or_post_and_nothing_else() {
    let app = spawn_app().await;
    logged_in(&app).await;
    let rp = register(&app, &["--first-party"]).await;
    let secret = rp.secret.clone().unwrap();
    code_flow(&app, &app.browser, &rp, &[]).await;

    // client_secret_post
    let (verifier, challenge) = pkce();
    let params =
        redirect_params(&authorize(&app.browser, &authorization_query(&rp, &challenge, &[])).await);
    let response = app
        .client
        .post(app.url("/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", params["code"].as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", verifier.as_str()),
            ("client_id", rp.client_id.as_str()),
            ("client_secret", secret.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    for (what, rp) in [
        (
            "a wrong secret",
            Rp {
                secret: Some("sec_wrong".into()),
                ..Rp {
                    client_id: rp.client_id.clone(),
                    secret: None,
                    redirect_uri: REDIRECT_URI.into(),
                }
            },
        ),
        (
            "no secret at all",
            Rp {
                client_id: rp.client_id.clone(),
                secret: None,
                redirect_uri: REDIRECT_URI.into(),
            },
        ),
        (
            "an unknown client",
            Rp {
                client_id: "nobody".into(),
                secret: Some(secret.clone()),
                redirect_uri: REDIRECT_URI.into(),
            },
        ),
    ] {
        let (status, body) = token_request(
            &app,
            &rp,
            &[
                ("grant_type", "authorization_code"),
                ("code", "x"),
                ("redirect_uri", REDIRECT_URI),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client")),
            "{what}"
        );
    }
}

#[tokio::test]
async fn an_unknown_client_or_redirect_uri_is_answered_at_doorman_never_redirected() {
    let app = spawn_app().await;
    logged_in(&app).await;
    let rp = register(&app, &["--public"]).await;
    let (_, challenge) = pkce();
    for (what, rp) in [
        (
            "unknown client",
            Rp {
                client_id: "nobody".into(),
                secret: None,
                redirect_uri: REDIRECT_URI.into(),
            },
        ),
        (
            "another redirect URI",
            Rp {
                client_id: rp.client_id.clone(),
                secret: None,
                redirect_uri: "https://evil.example/callback".into(),
            },
        ),
        (
            "a prefix of the registered one",
            Rp {
                client_id: rp.client_id.clone(),
                secret: None,
                redirect_uri: "https://app.example.com/callback/more".into(),
            },
        ),
        (
            "no redirect URI",
            Rp {
                client_id: rp.client_id.clone(),
                secret: None,
                redirect_uri: String::new(),
            },
        ),
    ] {
        let response = authorize(&app.browser, &authorization_query(&rp, &challenge, &[])).await;
        assert_eq!(response.status(), 400, "{what}");
        assert_eq!(location(&response), "", "{what}: never redirected");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("This sign-in request cannot be used"),
            "{what}"
        );
    }
}

#[tokio::test]
async fn other_problems_go_back_to_the_client_with_their_error_state_and_iss() {
    let app = spawn_app().await;
    let rp = register(&app, &["--public"]).await;
    let (_, challenge) = pkce();
    let base = |extra: &[(&str, &str)]| authorization_query(&rp, &challenge, extra);
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "not the code flow",
            base(&[]).replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
        (
            "no openid scope",
            base(&[]).replace("scope=openid+email", "scope=email"),
            "invalid_scope",
        ),
        (
            "plain PKCE",
            base(&[]).replace("code_challenge_method=S256", "code_challenge_method=plain"),
            "invalid_request",
        ),
        (
            "a public client without PKCE",
            authorization_query(&rp, &challenge, &[])
                .split("&code_challenge")
                .next()
                .unwrap()
                .to_owned(),
            "invalid_request",
        ),
        (
            "prompt none and login",
            base(&[("prompt", "none login")]),
            "invalid_request",
        ),
        (
            "a max_age that is no number",
            base(&[("max_age", "soon")]),
            "invalid_request",
        ),
        (
            "prompt=none without a session",
            base(&[("prompt", "none")]),
            "login_required",
        ),
    ];
    for (what, query, error) in cases {
        let response = authorize(&app.browser, &query).await;
        assert_eq!(response.status(), 303, "{what}");
        let params = redirect_params(&response);
        assert_eq!(params["error"], error, "{what}");
        assert_eq!(params["state"], "state-123", "{what}");
        assert_eq!(params["iss"], BASE_URL, "{what}");
        assert!(!params.contains_key("code"), "{what}");
    }
}

#[tokio::test]
async fn without_a_session_the_request_waits_for_a_login_and_resumes() {
    let app = spawn_app().await;
    let email = unique_email();
    app.confirmed_user(&email).await;
    app.post_form("/logout", &[]).await;
    let rp = register(&app, &["--public", "--first-party"]).await;
    let (verifier, challenge) = pkce();
    let query = authorization_query(
        &rp,
        &challenge,
        &[("login_hint", &email), ("ui_locales", "de-CH fr")],
    );

    let response = authorize(&app.browser, &query).await;
    assert_eq!(response.status(), 303);
    let to_login = location(&response);
    assert!(
        to_login.starts_with("/login?return_to=%2Foauth2%2Fauthorize"),
        "{to_login}"
    );
    assert!(
        to_login.contains("lang=de"),
        "ui_locales picks the language: {to_login}"
    );
    let page = app.get(&to_login).await.text().await.unwrap();
    assert!(
        page.contains(&format!("value=\"{email}\"")),
        "login_hint prefills"
    );
    let return_to = form_value(&page, "return_to").unwrap();

    let logged_in = app
        .post_form(
            "/login",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("return_to", &return_to),
            ],
        )
        .await;
    let resumed = location(&logged_in);
    assert!(resumed.starts_with("/oauth2/authorize?"), "{resumed}");
    let params = redirect_params(&app.get(&resumed).await);
    let (status, _) = exchange(&app, &rp, &params["code"], &verifier).await;
    assert_eq!(status, 200);

    // prompt=create sends someone without a session to sign up instead.
    let stranger = app.new_browser();
    let create = authorize(
        &stranger,
        &authorization_query(&rp, &challenge, &[("prompt", "create")]),
    )
    .await;
    assert!(
        location(&create).starts_with("/signup?return_to="),
        "{}",
        location(&create)
    );
}

#[tokio::test]
async fn prompt_login_and_max_age_ask_for_the_password_again() {
    let app = spawn_app().await;
    logged_in(&app).await;
    let rp = register(&app, &["--public", "--first-party"]).await;
    let (_, challenge) = pkce();
    let login = authorize(
        &app.browser,
        &authorization_query(&rp, &challenge, &[("prompt", "login")]),
    )
    .await;
    let to_login = location(&login);
    assert!(to_login.starts_with("/login?return_to="), "{to_login}");
    assert!(
        !to_login.contains("prompt%3Dlogin"),
        "the login it asked for is done once it resumes"
    );

    let fresh = authorize(
        &app.browser,
        &authorization_query(&rp, &challenge, &[("max_age", "600")]),
    )
    .await;
    assert!(location(&fresh).starts_with(REDIRECT_URI));
    app.clock.advance(std::time::Duration::from_secs(601));
    let stale = authorize(
        &app.browser,
        &authorization_query(&rp, &challenge, &[("max_age", "600")]),
    )
    .await;
    assert!(
        location(&stale).starts_with("/login?return_to="),
        "{}",
        location(&stale)
    );
}

#[tokio::test]
async fn an_unconfirmed_account_never_gets_a_code() {
    let app = spawn_app().await;
    let rp = register(&app, &["--public", "--first-party"]).await;
    app.signup(&unique_email(), PASSWORD).await;
    let (_, challenge) = pkce();
    let response = authorize(&app.browser, &authorization_query(&rp, &challenge, &[])).await;
    assert!(
        location(&response).starts_with("/login?"),
        "{}",
        location(&response)
    );
    let none = authorize(
        &app.browser,
        &authorization_query(&rp, &challenge, &[("prompt", "none")]),
    )
    .await;
    assert_eq!(redirect_params(&none)["error"], "login_required");
}

#[tokio::test]
async fn a_code_works_once_within_a_minute_and_its_reuse_revokes_its_tokens() {
    let app = spawn_app().await;
    logged_in(&app).await;
    let rp = register(&app, &["--public", "--first-party"]).await;
    let (verifier, challenge) = pkce();
    let query = authorization_query(&rp, &challenge, &[("scope", "openid offline_access")])
        .replace("scope=openid+email&", "");
    let params = redirect_params(&authorize(&app.browser, &query).await);
    let (status, tokens) = exchange(&app, &rp, &params["code"], &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("offline_access gives a refresh token")
        .to_owned();

    let (status, again) = exchange(&app, &rp, &params["code"], &verifier).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, refreshed) = token_request(
        &app,
        &rp,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(
        (status, refreshed["error"].as_str()),
        (400, Some("invalid_grant")),
        "revoked with the code"
    );
    assert_eq!(
        userinfo(&app, tokens["access_token"].as_str().unwrap())
            .await
            .status(),
        401
    );

    // A minute later a code is worth nothing; a wrong verifier or redirect_uri neither.
    for (what, advance, verifier_used, redirect) in [
        ("expired", 61, verifier.as_str(), REDIRECT_URI),
        (
            "wrong verifier",
            0,
            "a-wrong-verifier-a-wrong-verifier-a-wrong-verif",
            REDIRECT_URI,
        ),
        (
            "other redirect_uri",
            0,
            verifier.as_str(),
            "https://app.example.com/other",
        ),
    ] {
        let params = redirect_params(
            &authorize(&app.browser, &authorization_query(&rp, &challenge, &[])).await,
        );
        app.clock.advance(std::time::Duration::from_secs(advance));
        let (status, body) = token_request(
            &app,
            &rp,
            &[
                ("grant_type", "authorization_code"),
                ("code", &params["code"]),
                ("redirect_uri", redirect),
                ("code_verifier", verifier_used),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{what}"
        );
    }
}

pub async fn offline_tokens(app: &TestApp, browser: &Browser, rp: &Rp) -> Value {
    let (verifier, challenge) = pkce();
    let query = authorization_query(rp, &challenge, &[])
        .replace("scope=openid+email", "scope=openid+email+offline_access");
    let params = redirect_params(&authorize(browser, &query).await);
    let (status, tokens) = exchange(app, rp, &params["code"], &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

async fn refresh(app: &TestApp, rp: &Rp, token: &str) -> (u16, Value) {
    token_request(
        app,
        rp,
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
    )
    .await
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_chain() {
    let app = spawn_app().await;
    logged_in(&app).await;
    let rp = register(&app, &["--first-party"]).await;
    let tokens = offline_tokens(&app, &app.browser, &rp).await;
    let first = tokens["refresh_token"].as_str().unwrap();

    let (status, second) = refresh(&app, &rp, first).await;
    assert_eq!(status, 200, "{second}");
    let second_token = second["refresh_token"].as_str().unwrap();
    assert_ne!(second_token, first);
    let (status, third) = refresh(&app, &rp, second_token).await;
    assert_eq!(status, 200);

    // The first one again: someone stole it; the whole chain ends.
    let (status, reused) = refresh(&app, &rp, first).await;
    assert_eq!(
        (status, reused["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = refresh(&app, &rp, third["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 400, "the newest one of the chain is revoked too");
}

#[tokio::test]
async fn a_password_change_ends_refresh_tokens() {
    let app = spawn_app().await;
    logged_in(&app).await;
    let rp = register(&app, &["--first-party"]).await;
    let tokens = offline_tokens(&app, &app.browser, &rp).await;
    let changed = app
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(location(&changed), "/account?notice=password-changed");
    let (status, body) = refresh(&app, &rp, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn refresh_tokens_unused_for_their_lifetime_end() {
    let app = crate::helpers::spawn_app_with()
        .set("OIDC_REFRESH_TOKEN_TTL", "1h")
        .start()
        .await;
    logged_in(&app).await;
    let rp = register(&app, &["--first-party"]).await;
    let tokens = offline_tokens(&app, &app.browser, &rp).await;
    app.clock.advance(std::time::Duration::from_secs(3601));
    let (status, _) = refresh(&app, &rp, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn another_client_is_asked_for_consent_once_and_deny_means_access_denied() {
    let app = spawn_app().await;
    logged_in(&app).await;
    let rp = register(&app, &[]).await;
    let (verifier, challenge) = pkce();
    let query = authorization_query(&rp, &challenge, &[]);

    let none = authorize(
        &app.browser,
        &authorization_query(&rp, &challenge, &[("prompt", "none")]),
    )
    .await;
    assert_eq!(redirect_params(&none)["error"], "consent_required");

    let page = authorize(&app.browser, &query).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Sign in to Reports with your account?"));
    assert!(html.contains("your email address"));
    let consent_fields = |decision: &'static str| {
        let mut fields: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        fields.push(("decision".into(), decision.into()));
        fields
    };
    let app = &app;
    let post = |fields: Vec<(String, String)>| async move {
        let borrowed: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        app.post_form("/oauth2/consent", &borrowed).await
    };
    let denied = post(consent_fields("deny")).await;
    assert_eq!(redirect_params(&denied)["error"], "access_denied");

    let allowed = post(consent_fields("allow")).await;
    let params = redirect_params(&allowed);
    assert_eq!(exchange(app, &rp, &params["code"], &verifier).await.0, 200);

    // Remembered: no page the next time, unless prompt=consent.
    let again = authorize(&app.browser, &query).await;
    assert!(redirect_params(&again).contains_key("code"));
    let asked = authorize(
        &app.browser,
        &authorization_query(&rp, &challenge, &[("prompt", "consent")]),
    )
    .await;
    assert_eq!(asked.status(), 200);

    // The account page lists the app; removing it ends its access.
    let account = app.get("/account").await.text().await.unwrap();
    assert!(account.contains("Apps with access") && account.contains("Reports"));
    let removed = app
        .post_form("/account/apps/remove", &[("client_id", &rp.client_id)])
        .await;
    assert_eq!(location(&removed), "/account?notice=app-removed");
    let page = authorize(&app.browser, &query).await;
    assert_eq!(page.status(), 200, "asked again after removing");
}

#[tokio::test]
async fn userinfo_refuses_bad_revoked_and_deleted_accounts_tokens() {
    let app = spawn_app().await;
    let email = logged_in(&app).await;
    let rp = register(&app, &["--first-party"]).await;
    let tokens = offline_tokens(&app, &app.browser, &rp).await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(userinfo(&app, access).await.status(), 200);

    // The same claims under `alg: none`, and HS256 keyed with the public modulus (the
    // algorithm-confusion attack); an ID token, which is not an access token.
    let claims = access.split('.').nth(1).unwrap();
    let unsigned = format!(
        "{}.{claims}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#)
    );
    let jwks: Value = app.get("/oauth2/jwks").await.json().await.unwrap();
    let modulus = jwks["keys"][0]["n"].as_str().unwrap().to_owned();
    let confused_input = format!(
        "{}.{claims}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"at+jwt"}"#)
    );
    let mut mac = <hmac::Hmac<Sha256> as hmac::Mac>::new_from_slice(modulus.as_bytes()).unwrap();
    hmac::Mac::update(&mut mac, confused_input.as_bytes());
    let mac = hmac::Mac::finalize(mac).into_bytes();
    let confused = format!("{confused_input}.{}", URL_SAFE_NO_PAD.encode(mac));
    for bad in [
        "",
        "not-a-token",
        &format!("{access}x"),
        &access.replace('.', "x"),
        &unsigned,
        &confused,
        tokens["id_token"].as_str().unwrap(),
    ] {
        let response = userinfo(&app, bad).await;
        assert_eq!(response.status(), 401, "{bad:?}");
        assert!(
            response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
    }

    let revoked = app
        .client
        .post(app.url("/oauth2/revoke"))
        .basic_auth(&rp.client_id, rp.secret.as_deref())
        .form(&[("token", tokens["refresh_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let refused = userinfo(&app, access).await;
    assert_eq!(refused.status(), 401);
    assert!(
        refused.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    let (status, _) = refresh(&app, &rp, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 400, "the chain is revoked");
    let garbage = app
        .client
        .post(app.url("/oauth2/revoke"))
        .basic_auth(&rp.client_id, rp.secret.as_deref())
        .form(&[("token", "whatever")])
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 200, "any token, for a valid client");

    let tokens = offline_tokens(&app, &app.browser, &rp).await;
    app.post_form("/account/delete", &[("current_password", PASSWORD)])
        .await;
    assert!(app.user(&email).await.is_none());
    crate::helpers::wait_until("userinfo to refuse a deleted account", || async {
        userinfo(&app, tokens["access_token"].as_str().unwrap())
            .await
            .status()
            == 401
    })
    .await;
}

#[tokio::test]
async fn logout_with_a_hint_ends_the_session_and_goes_back_with_state() {
    let app = spawn_app().await;
    logged_in(&app).await;
    let rp = register(&app, &["--first-party"]).await;
    let tokens = code_flow(&app, &app.browser, &rp, &[]).await;
    let hint = tokens["id_token"].as_str().unwrap();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("id_token_hint", hint)
        .append_pair("post_logout_redirect_uri", AFTER_LOGOUT)
        .append_pair("state", "bye")
        .finish();
    let response = app.get(&format!("/oauth2/logout?{query}")).await;
    assert_eq!(location(&response), format!("{AFTER_LOGOUT}?state=bye"));
    assert_eq!(location(&app.get("/account").await), "/login");

    // Without a hint the person is asked; an unregistered URI is not followed.
    let email = logged_in(&app).await;
    let _ = email;
    let asked = app
        .get(&format!(
            "/oauth2/logout?client_id={}&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F",
            rp.client_id
        ))
        .await;
    assert_eq!(asked.status(), 200);
    assert!(asked.text().await.unwrap().contains("Log out?"));
    assert_eq!(
        app.get("/account").await.status(),
        200,
        "still logged in until confirmed"
    );
    let confirmed = app
        .post_form(
            "/oauth2/logout/confirm",
            &[
                ("client_id", rp.client_id.as_str()),
                ("post_logout_redirect_uri", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    assert!(
        confirmed
            .text()
            .await
            .unwrap()
            .contains("You are logged out")
    );
    assert_eq!(location(&app.get("/account").await), "/login");
}

#[tokio::test]
async fn failed_client_authentication_is_throttled() {
    let app = spawn_app().await;
    let rp = register(&app, &[]).await;
    let wrong = Rp {
        client_id: rp.client_id.clone(),
        secret: Some("sec_wrong".into()),
        redirect_uri: REDIRECT_URI.into(),
    };
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(
            token_request(
                &app,
                &wrong,
                &[("grant_type", "refresh_token"), ("refresh_token", "x")],
            )
            .await
            .0,
        );
    }
    assert_eq!(&statuses[..10], &[401; 10], "{statuses:?}");
    assert_eq!(statuses[10], 429, "{statuses:?}");

    // A stranger failing with the client's id does not lock the client out: its own
    // secret is still taken (and answered for the bad refresh token, not the client).
    let (status, body) = token_request(
        &app,
        &rp,
        &[("grant_type", "refresh_token"), ("refresh_token", "x")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant", "{body}");
}

#[tokio::test]
async fn an_app_sends_a_new_person_who_signs_up_and_confirms_on_another_device() {
    let app = spawn_app().await;
    let rp = register(&app, &["--public", "--first-party"]).await;
    let (verifier, challenge) = pkce();
    let laptop = app.new_browser();
    let email = unique_email();

    let to_signup = location(
        &authorize(
            &laptop,
            &authorization_query(&rp, &challenge, &[("prompt", "create")]),
        )
        .await,
    );
    let page = laptop.get(&to_signup).await.text().await.unwrap();
    let return_to = form_value(&page, "return_to").unwrap();
    let signed_up = laptop
        .post_form(
            "/signup",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("return_to", &return_to),
            ],
        )
        .await;
    assert_eq!(location(&signed_up), "/signup/check-email");

    // The link, opened on the phone, with the password.
    let received = app.smtp.wait_for(&email, 1).await;
    let link = received[0].link("/confirm/");
    let phone = app.new_browser();
    let form = phone.get_link(&link).await.text().await.unwrap();
    let token = form_value(&form, "token").unwrap();
    let carried = form_value(&form, "return_to").unwrap();
    let confirmed = phone
        .post_form(
            "/confirm",
            &[
                ("token", &token),
                ("password", PASSWORD),
                ("return_to", &carried),
            ],
        )
        .await;
    let resumed = location(&confirmed);
    assert!(resumed.starts_with("/oauth2/authorize?"), "{resumed}");
    let params = redirect_params(&phone.get(&resumed).await);
    let (status, tokens) = exchange(&app, &rp, &params["code"], &verifier).await;
    assert_eq!(status, 200, "{tokens}");

    // The same through the six-digit code in the first browser.
    let other = unique_email();
    let laptop = app.new_browser();
    let (verifier, challenge) = pkce();
    let to_signup = location(
        &authorize(
            &laptop,
            &authorization_query(&rp, &challenge, &[("prompt", "create")]),
        )
        .await,
    );
    let page = laptop.get(&to_signup).await.text().await.unwrap();
    let return_to = form_value(&page, "return_to").unwrap();
    laptop
        .post_form(
            "/signup",
            &[
                ("email", &other),
                ("password", PASSWORD),
                ("return_to", &return_to),
            ],
        )
        .await;
    let code = code_in(&app.smtp.wait_for(&other, 1).await[0]);
    let confirmed = laptop.post_form("/confirm/code", &[("code", &code)]).await;
    let resumed = location(&confirmed);
    assert!(resumed.starts_with("/oauth2/authorize?"), "{resumed}");
    let params = redirect_params(&laptop.get(&resumed).await);
    assert_eq!(exchange(&app, &rp, &params["code"], &verifier).await.0, 200);
}

#[tokio::test]
async fn operators_manage_clients_and_rotate_keys_from_the_command_line() {
    let app = spawn_app().await;
    logged_in(&app).await;
    let rp = register(&app, &["--first-party"]).await;
    let listed = app.cli(&["clients", "list"]).await;
    assert!(listed.stdout.contains(&rp.client_id) && listed.stdout.contains("Reports"));
    assert!(
        !listed.stdout.contains(rp.secret.as_deref().unwrap()),
        "the secret is never shown again"
    );

    let bad = app
        .cli(&[
            "clients",
            "add",
            "--name",
            "X",
            "--redirect-uri",
            "http://app.example.com/cb",
        ])
        .await;
    assert_ne!(bad.code, 0);
    assert_eq!(bad.stderr.lines().count(), 1, "{}", bad.stderr);

    let rotated = app.cli(&["clients", "rotate-secret", &rp.client_id]).await;
    assert_eq!(rotated.code, 0, "{}", rotated.stderr);
    let new_secret = rotated
        .stdout
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("client_secret:")
        .trim()
        .to_owned();
    let (status, _) = token_request(
        &app,
        &rp,
        &[("grant_type", "refresh_token"), ("refresh_token", "x")],
    )
    .await;
    assert_eq!(status, 401, "the old secret no longer works");
    let renewed = Rp {
        secret: Some(new_secret),
        client_id: rp.client_id.clone(),
        redirect_uri: REDIRECT_URI.into(),
    };
    let tokens = code_flow(&app, &app.browser, &renewed, &[]).await;
    let (before, _) = verified_claims(&app, tokens["id_token"].as_str().unwrap()).await;

    let keys = app.cli(&["keys", "rotate"]).await;
    assert_eq!(keys.code, 0, "{}", keys.stderr);
    crate::helpers::wait_until("the new key to sign", || async {
        let tokens = code_flow(&app, &app.browser, &renewed, &[]).await;
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(
                    tokens["id_token"]
                        .as_str()
                        .unwrap()
                        .split('.')
                        .next()
                        .unwrap(),
                )
                .unwrap(),
        )
        .unwrap();
        header["kid"] != before["kid"]
    })
    .await;
    // Tokens the old key signed still verify: it stays published.
    verified_claims(&app, tokens["id_token"].as_str().unwrap()).await;

    let removed = app.cli(&["clients", "remove", &rp.client_id]).await;
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    let gone = app.cli(&["clients", "remove", &rp.client_id]).await;
    assert_ne!(gone.code, 0);
}
