//! The four OpenAPI documents: served at `<prefix>/openapi.json`, valid OpenAPI 3.1, and
//! naming exactly the routes of the dialect's route table (no drift either way); the Swagger
//! UI page at `<prefix>/docs` is served from the binary (no CDN).
//!
//! `fixtures/openapi-3.1-schema.json` is the official OpenAPI 3.1 schema
//! (`https://spec.openapis.org/oas/3.1/schema/2022-10-07`, as shipped in the
//! `openapi-spec-validator` 0.9.0 package).

mod answers;

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{Backend, TestApp};

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

/// `(METHOD, path)` of every operation in a document.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("path item") {
            if METHODS.contains(&method.as_str()) {
                out.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    out
}

fn routed<A>(table: &[ops::domain::access::routes::RouteRule<A>]) -> BTreeSet<(String, String)> {
    table
        .iter()
        .map(|r| (r.method.to_ascii_uppercase(), r.path.to_owned()))
        .collect()
}

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("fixtures/openapi-3.1-schema.json")).unwrap();
    jsonschema::draft202012::new(&schema).expect("the OpenAPI 3.1 schema compiles")
}

async fn fetch(app: &TestApp, prefix: &str) -> Value {
    let resp = app.get(&format!("{prefix}/openapi.json")).send().await;
    resp.assert_status(200);
    assert_eq!(
        resp.header("content-type").as_deref(),
        Some("application/json")
    );
    resp.json.clone()
}

fn dialects() -> Vec<(&'static str, BTreeSet<(String, String)>)> {
    use ops::dialects::{account, admin_v1, hanzi, ops_v1};
    vec![
        ("/api/v1", routed(ops_v1::ROUTES)),
        ("/admin/v1", routed(admin_v1::ROUTES)),
        ("/hanzi", routed(hanzi::ROUTES)),
        ("/account", routed(account::ROUTES)),
    ]
}

#[test]
fn every_route_is_documented_once_and_nothing_else() {
    use ops::dialects::{account, admin_v1, hanzi, ops_v1};
    for (name, dialect) in [
        ("ops_v1", ops_v1::openapi::dialect()),
        ("admin_v1", admin_v1::openapi::dialect()),
        ("hanzi", hanzi::openapi::dialect(false)),
        ("account", account::openapi::dialect()),
    ] {
        let problems = dialect.drift();
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_document_names_exactly_the_routed_operations() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for (prefix, routes) in dialects() {
        let doc = fetch(&app, prefix).await;
        let docs = documented(&doc);
        let missing: Vec<_> = routes.difference(&docs).collect();
        let extra: Vec<_> = docs.difference(&routes).collect();
        assert!(
            missing.is_empty(),
            "{prefix}: routed but not documented: {missing:?}"
        );
        assert!(
            extra.is_empty(),
            "{prefix}: documented but not routed: {extra:?}"
        );
        assert_eq!(doc["servers"][0]["url"], prefix);
        // Nothing is left as the builder's placeholder for a route without an `Op`.
        assert!(
            !doc.to_string().contains("undocumented route"),
            "{prefix} has an undocumented route"
        );
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_document_is_valid_openapi_3_1() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let validator = validator();
    // The validator is not vacuous: a response that is not an object is refused.
    let broken = serde_json::json!({
        "openapi": "3.1.0", "info": { "title": "t", "version": "1" },
        "paths": { "/x": { "get": { "responses": { "200": 5 } } } },
    });
    assert!(!validator.is_valid(&broken));
    for (prefix, _) in dialects() {
        let doc = fetch(&app, prefix).await;
        assert_eq!(doc["openapi"], "3.1.0");
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{prefix}: {errors:#?}");
        // Every operation has answers, and every one that needs a caller names a scheme
        // the document defines.
        let schemes = doc["components"]["securitySchemes"]
            .as_object()
            .expect("security schemes");
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                assert!(
                    operation["responses"]
                        .as_object()
                        .is_some_and(|r| !r.is_empty()),
                    "{prefix} {method} {path} has no responses"
                );
                for alternative in operation["security"].as_array().into_iter().flatten() {
                    for name in alternative.as_object().unwrap().keys() {
                        assert!(
                            schemes.contains_key(name),
                            "{prefix} {method} {path}: {name}"
                        );
                    }
                }
            }
        }
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_follows_its_configured_prefix() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.dialects.ops_v1.prefix = "/ops".to_owned();
    })
    .await;
    let doc = fetch(&app, "/ops").await;
    assert_eq!(doc["servers"][0]["url"], "/ops");
    app.get("/api/v1/openapi.json")
        .send()
        .await
        .assert_status(404);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docs_page_is_served_offline_from_the_binary() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for (prefix, _) in dialects() {
        let page = app.get(&format!("{prefix}/docs")).send().await;
        page.assert_status(200);
        let html = page.text();
        assert!(
            html.contains(&format!("<base href=\"{prefix}/docs/\">")),
            "{html}"
        );
        assert!(html.contains("swagger-ui"), "{html}");
        // No asset from another host: the page works without a network.
        assert!(!html.contains("src=\"http"), "{html}");
        assert!(!html.contains("href=\"http"), "{html}");
        let init = app
            .get(&format!("{prefix}/docs/swagger-initializer.js"))
            .send()
            .await;
        init.assert_status(200);
        assert!(
            init.text().contains(&format!("{prefix}/openapi.json")),
            "{}",
            init.text()
        );
        for asset in ["swagger-ui.css", "swagger-ui-bundle.js"] {
            let resp = app.get(&format!("{prefix}/docs/{asset}")).send().await;
            resp.assert_status(200);
            assert!(resp.bytes.len() > 1000, "{prefix}/docs/{asset}");
        }
        app.get(&format!("{prefix}/docs/nope.js"))
            .send()
            .await
            .assert_status(404);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_errors_use_the_dialects_envelopes() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let ops = fetch(&app, "/api/v1").await;
    let profile = &ops["paths"]["/users/profile"]["get"];
    assert_eq!(
        profile["responses"]["401"]["content"]["application/json"]["example"]["code"],
        "-3"
    );
    assert_eq!(profile["security"][0]["bearer"], serde_json::json!([]));
    let admin = fetch(&app, "/admin/v1").await;
    let users = &admin["paths"]["/users"]["post"]["responses"];
    assert!(users["201"].is_object(), "{users}");
    assert_eq!(
        users["403"]["content"]["application/json"]["example"]["code"],
        10003
    );
    let hanzi = fetch(&app, "/hanzi").await;
    // hanzi answers errors at 200: the 200 schema admits the success and `{err, msg}`.
    let login = &hanzi["paths"]["/login"]["post"]["responses"]["200"];
    assert!(
        login["content"]["application/json"]["schema"]["anyOf"].is_array(),
        "{login}"
    );
    let account = fetch(&app, "/account").await;
    let delete = &account["paths"]["/user/{pk}"]["delete"]["responses"]["200"];
    assert_eq!(
        delete["content"]["application/json"]["schema"]["properties"]["code"]["const"],
        204
    );
    app.stop().await;
}
