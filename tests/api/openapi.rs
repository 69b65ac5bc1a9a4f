//! The generated OpenAPI document: every registered route is in it and nothing else, the
//! committed copy the SDKs are generated from is current, and the document validates.

use crate::support::TestApp;
use actix_web::test as service;
use actix_web::{web, App};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Routes that are not part of the JSON API: the dashboard's page and assets.
const UNDOCUMENTED: [&str; 4] = ["/ui", "/ui/", "/ui/app.js", "/ui/app.css"];

fn document() -> serde_json::Value {
    serde_json::from_str(chime::api::ops::json()).expect("the document is JSON")
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
            .configure(|cfg| chime::api::ops::routes(cfg, true))
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
        // Every path parameter (`{id}`, `{name}`, `{token}`) gets a value that parses as any.
        let uri = pattern
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    id.as_str()
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
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
    assert!(registered.len() >= 64, "{registered:?}");
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
    let generated = chime::api::ops::json();
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
    std::fs::write(&file, chime::api::ops::json()).unwrap();
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

/// Where `value` differs from `schema` (3.1 JSON Schema as the document writes it): a missing
/// required property, a property the schema does not list, a wrong type, a value outside an
/// enum, a malformed uuid or date-time.
fn mismatches(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return mismatches(doc, &doc["components"]["schemas"][name], value, at, out);
    }
    if let Some(options) = schema["oneOf"].as_array() {
        let fits = options.iter().any(|option| {
            let mut errors = Vec::new();
            mismatches(doc, option, value, at, &mut errors);
            errors.is_empty()
        });
        if !fits {
            out.push(format!("{at}: fits no oneOf option: {value}"));
        }
        return;
    }
    if let Some(types) = types_of(schema) {
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let fits = types
            .iter()
            .any(|t| *t == actual || (*t == "number" && actual == "integer"));
        if !fits {
            out.push(format!("{at}: {actual}, documented {types:?}"));
            return;
        }
    }
    if let (Some(allowed), false) = (schema["enum"].as_array(), value.is_null()) {
        if !allowed.contains(value) {
            out.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    if let Some(text) = value.as_str() {
        let ok = match schema["format"].as_str() {
            Some("uuid") => uuid::Uuid::parse_str(text).is_ok(),
            Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            _ => true,
        };
        if !ok {
            out.push(format!("{at}: {text:?} is not a {}", schema["format"]));
        }
    }
    if let Some(items) = value.as_array() {
        for (i, item) in items.iter().enumerate() {
            mismatches(doc, &schema["items"], item, &format!("{at}[{i}]"), out);
        }
    }
    if let Some(object) = value.as_object() {
        let (properties, required, open) = object_schema(doc, schema);
        for name in required {
            if !object.contains_key(&name) {
                out.push(format!("{at}: no {name}"));
            }
        }
        for (name, item) in object {
            match properties.get(name) {
                Some(property) => mismatches(doc, property, item, &format!("{at}.{name}"), out),
                None if !open => out.push(format!("{at}: {name} is not documented")),
                None => {}
            }
        }
    }
}

fn types_of(schema: &Value) -> Option<Vec<&str>> {
    match &schema["type"] {
        Value::String(t) => Some(vec![t.as_str()]),
        Value::Array(ts) => Some(ts.iter().filter_map(Value::as_str).collect()),
        _ => None,
    }
}

/// An object schema's properties and required names, through `allOf` and `$ref`, and whether
/// it takes properties it does not list.
fn object_schema(
    doc: &Value,
    schema: &Value,
) -> (serde_json::Map<String, Value>, Vec<String>, bool) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return object_schema(doc, &doc["components"]["schemas"][name]);
    }
    let mut properties = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut required: Vec<String> = schema["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|n| n.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let described = schema.get("properties").is_some() || schema.get("allOf").is_some();
    let mut open = !described
        || schema
            .get("additionalProperties")
            .is_some_and(|a| a != false);
    for part in schema["allOf"].as_array().into_iter().flatten() {
        let (p, r, o) = object_schema(doc, part);
        properties.extend(p);
        required.extend(r);
        open |= o && part.get("properties").is_some();
    }
    (properties, required, open)
}

/// Calls the API and checks the answer against the document: the status is one the operation
/// lists, and the body fits that response's schema.
struct Checker<'a> {
    app: &'a TestApp,
    doc: Value,
    checked: BTreeSet<String>,
    problems: Vec<String>,
}

impl Checker<'_> {
    /// `op` is `METHOD /template[?query]`; `{id}` or `{name}` in the template is replaced with `id`.
    async fn call(&mut self, op: &str, id: &str, body: Option<Value>, expected: u16) -> Value {
        let (method, target) = op.split_once(' ').unwrap();
        let template = target.split('?').next().unwrap();
        let path = target.replace("{id}", id).replace("{name}", id);
        let (status, answer) = self
            .app
            .request(
                method.parse().unwrap(),
                &path,
                &self.app.admin_key,
                body.as_ref(),
            )
            .await;
        assert_eq!(status, expected, "{method} {path}: {answer}");
        let operation = &self.doc["paths"][template][method.to_ascii_lowercase()];
        assert!(operation.is_object(), "{op} is not documented");
        let mut response = &operation["responses"][status.to_string()];
        if let Some(name) = response["$ref"].as_str() {
            let name = name.trim_start_matches("#/components/responses/");
            response = &self.doc["components"]["responses"][name];
        }
        assert!(response.is_object(), "{op}: {status} is not documented");
        let schema = &response["content"]["application/json"]["schema"];
        let key = format!("{method} {template} {status}");
        if schema.is_object() {
            let mut found = Vec::new();
            mismatches(&self.doc, schema, &answer, "body", &mut found);
            self.problems
                .extend(found.into_iter().map(|f| format!("{key}: {f}")));
        } else {
            assert!(
                answer.is_null() || answer == "",
                "{key}: an undocumented body"
            );
        }
        self.checked.insert(key);
        answer
    }
}

fn example(doc: &Value, schema: &str) -> Option<Value> {
    let example = doc["components"]["schemas"][schema]["example"].clone();
    assert!(example.is_object(), "{schema} has no example");
    Some(example)
}

fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("an id").to_string()
}

/// The bodies the service sends fit the schemas the document gives for them, and the requests
/// the document gives as examples are accepted.
#[tokio::test]
async fn every_response_fits_its_schema() {
    let mut app = TestApp::spawn().await;
    app.leaves_work("no worker runs: the answers are under test, not the events they queue");
    let doc = document();
    let mut c = Checker {
        app: &app,
        doc: doc.clone(),
        checked: BTreeSet::new(),
        problems: Vec::new(),
    };
    let soon = |days: i64| (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339();

    c.call("GET /healthz", "", None, 200).await;
    c.call("GET /readyz", "", None, 200).await;

    // Notifications.
    let create = json!({
        "channel": "email", "recipient": "ada@example.com", "subject": "Hi",
        "body": "Hi {{name}}", "data": {"name": "Ada"}, "target_date": soon(10),
        "lead_time": "P3D", "group_key": "g-1", "idempotency_key": "k-1",
    });
    let n = c
        .call("POST /api/v1/notifications", "", Some(create.clone()), 201)
        .await;
    c.call("POST /api/v1/notifications", "", Some(create), 200)
        .await;
    let id = id_of(&n);
    let patch = json!({"subject": "Hello"});
    c.call("GET /api/v1/notifications/{id}", &id, None, 200)
        .await;
    c.call("PATCH /api/v1/notifications/{id}", &id, Some(patch), 200)
        .await;
    c.call("GET /api/v1/notifications/{id}/attempts", &id, None, 200)
        .await;
    c.call("GET /api/v1/notifications/{id}/timeline", &id, None, 200)
        .await;
    c.call("GET /api/v1/notifications?limit=1", "", None, 200)
        .await;
    c.call("POST /api/v1/notifications/{id}/cancel", &id, None, 200)
        .await;
    c.call("POST /api/v1/notifications/{id}/replay", &id, None, 409)
        .await;
    let unknown = uuid::Uuid::new_v4().to_string();
    c.call("GET /api/v1/notifications/{id}", &unknown, None, 404)
        .await;
    let bad = json!({"channel": "email"});
    c.call("POST /api/v1/notifications", "", Some(bad), 422)
        .await;
    let item = json!({"channel": "sms", "recipient": "+14155550123", "body": "x",
        "send_at": soon(1), "group_key": "g-2"});
    let batch = json!({"items": [item.clone(), item]});
    c.call("POST /api/v1/notifications/batch", "", Some(batch), 201)
        .await;
    let group = example(&doc, "GroupCancel");
    c.call("POST /api/v1/notifications/cancel", "", group, 200)
        .await;
    let bulk = json!({"group_key": "g-2", "dry_run": true});
    c.call(
        "POST /api/v1/notifications/cancel-matching",
        "",
        Some(bulk),
        200,
    )
    .await;
    let dry_run = json!({"dry_run": true});
    c.call("POST /api/v1/dead-letters/replay", "", Some(dry_run), 200)
        .await;
    c.call("GET /api/v1/dead-letters", "", None, 200).await;
    let preview = example(&doc, "CronPreviewRequest");
    c.call("POST /api/v1/cron/preview", "", preview, 200).await;

    // A recurring series.
    let cron = json!({"channel": "sms", "recipient": "+14155550123", "body": "x",
        "cron": "0 9 * * *"});
    let first = c
        .call("POST /api/v1/notifications", "", Some(cron), 201)
        .await;
    let series = first["series_id"]
        .as_str()
        .expect("a series id")
        .to_string();
    c.call("GET /api/v1/series", "", None, 200).await;
    c.call("GET /api/v1/series/{id}", &series, None, 200).await;
    c.call("POST /api/v1/series/{id}/cancel", &series, None, 200)
        .await;

    // Rules and events.
    let rule = c
        .call("POST /api/v1/rules", "", example(&doc, "RuleInput"), 201)
        .await;
    let rule = id_of(&rule);
    c.call("GET /api/v1/rules", "", None, 200).await;
    c.call("GET /api/v1/rules/{id}", &rule, None, 200).await;
    c.call(
        "PUT /api/v1/rules/{id}",
        &rule,
        example(&doc, "RuleInput"),
        200,
    )
    .await;
    let mut event = example(&doc, "EventCreate").unwrap();
    event["payload"]["target_date"] = json!(soon(20));
    let event = id_of(&c.call("POST /api/v1/events", "", Some(event), 202).await);
    c.call("GET /api/v1/events/{id}", &event, None, 200).await;
    c.call("GET /api/v1/events", "", None, 200).await;
    c.call("POST /api/v1/events/{id}/cancel", &event, None, 200)
        .await;
    let events = json!({"items": [{"type": "card.expiring",
        "payload": {"email": "a@example.com", "target_date": soon(20)}}]});
    c.call("POST /api/v1/events/batch", "", Some(events), 202)
        .await;
    c.call("DELETE /api/v1/rules/{id}", &rule, None, 204).await;

    // Keys, users, the tenant, stats.
    let key = c
        .call(
            "POST /api/v1/api-keys",
            "",
            example(&doc, "ApiKeyCreate"),
            201,
        )
        .await;
    c.call("GET /api/v1/api-keys", "", None, 200).await;
    c.call("DELETE /api/v1/api-keys/{id}", &id_of(&key), None, 200)
        .await;
    let user = json!({"email": "grace@example.com", "password": "correct horse battery"});
    let user = id_of(&c.call("POST /api/v1/users", "", Some(user), 201).await);
    c.call("GET /api/v1/users", "", None, 200).await;
    c.call("GET /api/v1/users/{id}", &user, None, 200).await;
    c.call(
        "PATCH /api/v1/users/{id}",
        &user,
        example(&doc, "UserPatch"),
        200,
    )
    .await;
    c.call("DELETE /api/v1/users/{id}", &user, None, 204).await;
    c.call("GET /api/v1/tenant", "", None, 200).await;
    c.call("POST /api/v1/tenant/webhook-secret/rotate", "", None, 200)
        .await;
    let rotation = json!({"grace_period": "PT1H"});
    c.call(
        "POST /api/v1/tenant/webhook-secret/rotate",
        "",
        Some(rotation),
        200,
    )
    .await;
    c.call("GET /api/v1/stats", "", None, 200).await;
    c.call("GET /api/v1/me", "", None, 200).await;

    // Stored templates.
    let template = json!({"name": "card-expiring", "subject": "Hi {{name}}",
        "body": "Your card expires", "html": "<p>{{name}}</p>", "digest": "{{items|length}} cards"});
    c.call("POST /api/v1/templates", "", Some(template), 201)
        .await;
    let name = "card-expiring";
    let version = json!({"body": "Your card expires soon"});
    c.call("PUT /api/v1/templates/{name}", name, Some(version), 200)
        .await;
    c.call("GET /api/v1/templates", "", None, 200).await;
    c.call("GET /api/v1/templates/{name}?version=1", name, None, 200)
        .await;
    c.call("GET /api/v1/templates/{name}/versions", name, None, 200)
        .await;
    let sample = json!({"data": {"name": "Ada", "items": [{"body": "a"}]}, "version": 1});
    c.call(
        "POST /api/v1/templates/{name}/preview",
        name,
        Some(sample),
        200,
    )
    .await;
    let templated = json!({"channel": "email", "recipient": "ada@example.com",
        "template": name, "template_version": 1, "data": {"name": "Ada"}, "send_at": soon(2)});
    let templated = c
        .call("POST /api/v1/notifications", "", Some(templated), 201)
        .await;
    c.call("DELETE /api/v1/templates/{name}", name, None, 409)
        .await;
    c.call(
        "POST /api/v1/notifications/{id}/cancel",
        &id_of(&templated),
        None,
        200,
    )
    .await;
    c.call("DELETE /api/v1/templates/{name}", name, None, 204)
        .await;

    // Recipients.
    let recipient = json!({"id": "cust-1", "name": "Ada", "email": "ada@example.com",
        "timezone": "Europe/Berlin", "locale": "pt-BR", "preferred_channel": "email",
        "preferences": example(&c.doc, "Preferences"),
        "quiet_hours": {"start": "21:00", "end": "08:00"}});
    c.call("POST /api/v1/recipients", "", Some(recipient), 201)
        .await;
    c.call("GET /api/v1/recipients?limit=1", "", None, 200)
        .await;
    c.call("GET /api/v1/recipients/{id}", "cust-1", None, 200)
        .await;
    let replace = json!({"phone": "+14155550123"});
    c.call("PUT /api/v1/recipients/{id}", "cust-2", Some(replace), 201)
        .await;
    let change = json!({"email": "ada@example.org", "quiet_hours": null});
    c.call("PATCH /api/v1/recipients/{id}", "cust-1", Some(change), 200)
        .await;
    let recipients = json!({"items": [{"id": "cust-2", "email": "b@example.com"}]});
    c.call("POST /api/v1/recipients/batch", "", Some(recipients), 200)
        .await;
    let defaults = json!({"preferences": {"marketing": {"sms": false}},
        "quiet_hours": {"start": "22:00", "end": "07:00"}});
    c.call("PUT /api/v1/recipient-defaults", "", Some(defaults), 200)
        .await;
    c.call("GET /api/v1/recipient-defaults", "", None, 200)
        .await;
    let addressed = json!({"recipient_id": "cust-1", "category": "billing",
        "channels": ["sms", "email"], "urgent": true, "body": "Hi", "send_at": soon(3)});
    let addressed = c
        .call("POST /api/v1/notifications", "", Some(addressed), 201)
        .await;
    assert_eq!(addressed["recipient_id"], "cust-1", "{addressed}");
    c.call(
        "GET /api/v1/notifications?recipient_id=cust-1",
        "",
        None,
        200,
    )
    .await;
    c.call("DELETE /api/v1/recipients/{id}", "cust-2", None, 204)
        .await;

    assert!(c.problems.is_empty(), "{}", c.problems.join("\n"));
    assert!(c.checked.len() >= 61, "{:?}", c.checked);
}
