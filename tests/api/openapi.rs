//! The generated OpenAPI document: every registered route is in it and nothing else, the
//! committed copy the SDKs are generated from is current, and the document validates.

use actix_web::test as service;
use actix_web::{web, App};
use std::collections::BTreeSet;
use std::path::Path;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Routes that are not part of the JSON API: the dashboard's page and assets.
const UNDOCUMENTED: [&str; 4] = ["/ui", "/ui/", "/ui/app.js", "/ui/app.css"];

fn document() -> serde_json::Value {
    serde_json::from_str(chime::api::openapi::json()).expect("the document is JSON")
}

/// Resource patterns in actix's resource map, read from its pretty `Debug` form (the map has no
/// other public walk): a node with `nodes: Some(…)` is a scope whose pattern prefixes its
/// children's, one with `nodes: None` a resource.
fn registered_patterns(map: &actix_web::dev::ResourceMap) -> Vec<String> {
    let text = format!("{map:#?}");
    let mut scopes: Vec<(usize, String)> = Vec::new();
    let mut leaves = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let indent = line.len() - line.trim_start().len();
        let line = line.trim();
        if line == "patterns: Single(" {
            // The tuple's one field is on a line of its own.
            let quoted = lines
                .next()
                .unwrap_or_default()
                .trim()
                .trim_end_matches(',');
            let pattern: String =
                serde_json::from_str(quoted).unwrap_or_else(|e| panic!("pattern {quoted}: {e}"));
            pending = Some((indent, pattern));
        } else if line.starts_with("nodes: ") {
            let (depth, pattern) = pending
                .take()
                .unwrap_or_else(|| panic!("nodes before a pattern in\n{text}"));
            scopes.retain(|(d, _)| *d < depth);
            if line == "nodes: None," {
                let prefix: String = scopes.iter().map(|(_, p)| p.as_str()).collect();
                leaves.push(format!("{prefix}{pattern}"));
            } else {
                scopes.push((depth, pattern));
            }
        }
    }
    leaves
}

#[actix_web::test]
async fn every_registered_route_is_documented_and_nothing_else() {
    let app = service::init_service(
        App::new()
            .configure(|cfg| chime::ops::routes(cfg, true))
            .configure(chime::api::configure)
            .default_service(web::to(chime::api::not_found)),
    )
    .await;
    let probe = service::call_service(
        &app,
        service::TestRequest::get().uri("/healthz").to_request(),
    )
    .await;
    let patterns = registered_patterns(probe.request().resource_map());
    assert!(
        patterns.iter().any(|p| p == "/api/v1/notifications/{id}") && patterns.len() > 30,
        "the resource map was not read: {patterns:?}"
    );

    let id = uuid::Uuid::new_v4().to_string();
    let mut registered = BTreeSet::new();
    for pattern in patterns
        .iter()
        .filter(|p| !UNDOCUMENTED.contains(&p.as_str()))
    {
        let uri = pattern.replace("{id}", &id);
        assert!(
            !uri.contains('{'),
            "a path parameter other than id: {pattern}"
        );
        for method in METHODS {
            let req = service::TestRequest::default()
                .method(method.parse().unwrap())
                .uri(&uri)
                .to_request();
            // No state is configured: a served method fails in its extractors, any other is a 405.
            let status = service::call_service(&app, req).await.status();
            assert_ne!(status, 404, "{method} {uri}");
            if status != 405 {
                registered.insert(format!("{method} {pattern}"));
            }
        }
    }

    let doc = document();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert(format!("{} {path}", method.to_ascii_uppercase()));
        }
    }
    let missing: Vec<_> = registered.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&registered).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "registered but not documented: {missing:?}; documented but not registered: {extra:?}"
    );
    assert!(registered.len() >= 45, "{registered:?}");
}

#[test]
fn every_operation_has_an_id_a_tag_and_the_shared_error_responses() {
    let doc = document();
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(
                ids.insert(id.to_string()),
                "{method} {path}: operationId {id:?}"
            );
            assert!(op["tags"][0].is_string(), "{method} {path}: no tag");
            assert!(op["summary"].is_string(), "{method} {path}: no summary");
            let responses = op["responses"].as_object().unwrap();
            assert_eq!(
                responses["default"]["$ref"], "#/components/responses/InternalError",
                "{method} {path}"
            );
            let open = op["security"].as_array().is_some_and(|s| s.is_empty());
            if path.starts_with("/api/v1/") && !open {
                assert_eq!(
                    responses["401"]["$ref"], "#/components/responses/Unauthorized",
                    "{method} {path}"
                );
            }
            for (status, response) in responses {
                let reference = response["$ref"].as_str();
                assert!(
                    reference.is_some() || response["description"].is_string(),
                    "{method} {path} {status}"
                );
                if let Some(name) =
                    reference.and_then(|r| r.strip_prefix("#/components/responses/"))
                {
                    assert!(
                        doc["components"]["responses"][name].is_object(),
                        "{method} {path} {status}: no response {name}"
                    );
                }
            }
        }
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    assert_eq!(doc["security"][0]["bearerAuth"], serde_json::json!([]));
}

/// `src/api/openapi.json` is what the SDKs are generated from (`sdk/generate`); it must be the
/// document the service serves. `CHIME_UPDATE_OPENAPI=1` rewrites it.
#[test]
fn the_committed_document_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api/openapi.json");
    let generated = chime::api::openapi::json();
    if std::env::var_os("CHIME_UPDATE_OPENAPI").is_some_and(|v| v == "1") {
        std::fs::write(&path, generated).expect("writes src/api/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "src/api/openapi.json is stale: run `CHIME_UPDATE_OPENAPI=1 cargo test --test api \
         openapi::` and `bash sdk/generate`, and commit the result"
    );
}

/// openapi-spec-validator (PyPI, pinned in scripts/ci-tools) accepts the served document.
#[test]
fn the_document_validates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tools = std::process::Command::new("bash")
        .arg(root.join("scripts/ci-tools"))
        .output()
        .expect("runs scripts/ci-tools");
    assert!(
        tools.status.success(),
        "scripts/ci-tools: {}",
        String::from_utf8_lossy(&tools.stderr)
    );
    let bin = String::from_utf8(tools.stdout).unwrap();
    let file = std::env::temp_dir().join(format!("chime-openapi-{}.json", std::process::id()));
    std::fs::write(&file, chime::api::openapi::json()).unwrap();
    let out = std::process::Command::new(Path::new(bin.trim()).join("openapi-spec-validator"))
        .arg(&file)
        .output()
        .expect("runs openapi-spec-validator");
    let _ = std::fs::remove_file(&file);
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{report}");
    assert!(report.contains("OK"), "{report}");
}
