//! SPEC §4, §15: `GET /api/v1/openapi.json`, generated from the handlers, covers every
//! route.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::spawn_app;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

#[tokio::test]
async fn the_openapi_document_matches_the_routes_the_api_answers() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let served = client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "application/json");
    let document: Value = served.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");

    let operations: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|key| METHODS.contains(&key.as_str()))
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let spec: BTreeSet<(String, String)> = [
        ("post", "/api/v1/registrations"),
        ("post", "/api/v1/confirmations"),
        ("post", "/api/v1/confirmations/resend"),
        ("get", "/api/v1/session"),
        ("get", "/api/v1/openapi.json"),
        ("get", "/api/v1/admin/users"),
        ("get", "/api/v1/admin/users/{id}"),
        ("delete", "/api/v1/admin/users/{id}"),
        ("post", "/api/v1/admin/users/{id}/{action}"),
        ("post", "/api/v1/admin/invitations"),
    ]
    .into_iter()
    .map(|(method, path)| (method.to_owned(), path.to_owned()))
    .collect();
    assert_eq!(
        operations, spec,
        "the document lists SPEC §4's and §15's routes"
    );
    // The admin operations name their key, a bearer token.
    assert_eq!(
        document["components"]["securitySchemes"]["admin_key"]["scheme"],
        "bearer"
    );
    assert_eq!(
        document["paths"]["/api/v1/admin/users"]["get"]["security"][0]["admin_key"],
        serde_json::json!([])
    );

    for (method, path) in &operations {
        // Every documented operation is routed, and answers with a documented status
        // and content type.
        let response = client
            .request(method.to_uppercase().parse().unwrap(), app.url(path))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16().to_string();
        let documented = &document["paths"][path][method]["responses"][&status];
        assert!(
            documented.is_object(),
            "{method} {path} answered {status}, undocumented"
        );
        let content_type = response.headers()["content-type"].to_str().unwrap();
        assert!(
            documented["content"][content_type].is_object(),
            "{method} {path} {status} came as {content_type}"
        );
        // Every other method on the path is refused, and says which it allows.
        for other in METHODS
            .iter()
            .filter(|other| !document["paths"][path][**other].is_object())
        {
            let refused = client
                .request(other.to_uppercase().parse().unwrap(), app.url(path))
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), 405, "{other} {path}");
            let allow = refused.headers()["allow"].to_str().unwrap().to_lowercase();
            assert!(
                allow.contains(method.as_str()),
                "{other} {path}: Allow: {allow}"
            );
        }
        // Every error is documented as a problem document.
        for (status, response) in document["paths"][path][method]["responses"]
            .as_object()
            .unwrap()
        {
            if !status.starts_with('2') {
                assert_eq!(
                    response["content"]["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
            }
        }
    }
    // A path the API does not have is a problem document, not a route the document misses.
    let missing = client.get(app.url("/api/v1/users")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn the_document_states_the_configured_password_rules() {
    let app = crate::helpers::spawn_app_with()
        .set("PASSWORD_MIN_LENGTH", "20")
        .start()
        .await;
    let document: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let password =
        &document["components"]["schemas"]["RegistrationRequest"]["properties"]["password"];
    assert_eq!(password["minLength"], 20);
    assert_eq!(password["maxLength"], 128);
}
