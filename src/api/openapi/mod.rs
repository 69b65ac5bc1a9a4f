//! The OpenAPI document, generated with `utoipa` from the code that serves the routes.
//!
//! - Each handler carries a `#[utoipa::path(...)]` attribute: method, path, operation id, tag,
//!   parameters, body and responses. Each resource module lists its handlers in its own
//!   `Api` struct (`#[openapi(paths(...))]`, right under its `routes`); `api::ops` merges the
//!   modules' `Api`s into [`root`] in the order of its `MODULES`, adds the operations endpoints
//!   (`/healthz`, …) and serves the whole at `/openapi.json`. This module imports no handler
//!   module, so the handlers can use its types without an import cycle.
//! - Request and response bodies are the types in [`schemas`], query strings the types in
//!   [`params`]; the error responses every operation shares (`$ref` to
//!   `#/components/responses/…`) are in [`responses`]. The handlers still build their JSON
//!   with `serde_json`; tests/api/openapi.rs checks every answer against these schemas.
//!
//! **Adding an endpoint**: register the route in the module's `routes`, put a
//! `#[utoipa::path(...)]` on its handler (copy a neighbour's), and add the handler's name to the
//! module's `Api` — one line. A new module also adds its `Api` to `MODULES` in `api/ops.rs`. Then run
//! `CHIME_UPDATE_OPENAPI=1 cargo test --test api openapi::` to rewrite `src/api/openapi.json`
//! (the copy the SDKs are generated from) and `bash sdk/generate`. Tests fail while a
//! registered route is missing from the document, while the committed copy is stale, while an
//! answer does not fit its schema, and while the document does not validate
//! (tests/api/openapi.rs).

pub mod params;
pub mod responses;
pub mod schemas;

use utoipa::openapi::schema::{AdditionalProperties, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, RefOr, Schema};
use utoipa::{Modify, OpenApi};

/// The document's own parts: info, tags, security and the shared components.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Chime",
        description = "Delayed notifications: e-mail, SMS and signed webhooks, delivered on time and once.\n\nEvery `/api/v1` route needs `Authorization: Bearer <token>`, where the token is an API key (`chk_…`) or a JWT from `POST /api/v1/auth/login`. Tenants isolate everything: another tenant's id is a `404`. Times are RFC 3339 (UTC `Z` in responses). Errors always have the shape `{\"error\": {\"code\", \"message\", \"field\"}}`. Another method on a known route is a `405` with `Allow` listing the methods it takes (`#/components/responses/MethodNotAllowed`). Every response carries `X-Request-Id`, the id its request is logged with.",
        license(name = "Apache-2.0", url = "https://www.apache.org/licenses/LICENSE-2.0"),
    ),
    servers((url = "/")),
    security(("bearerAuth" = [])),
    tags(
        (name = "notifications", description = "Create, list, change, cancel and replay notifications."),
        (name = "events", description = "Ingest events that rules turn into notifications."),
        (name = "rules", description = "Per-event-type rules (admin)."),
        (name = "series", description = "Recurring series created with `cron`."),
        (name = "time", description = "Time helpers."),
        (name = "auth", description = "API keys, users and login."),
        (name = "tenant", description = "Tenant settings (admin)."),
        (name = "operations", description = "Health, readiness and metrics; no authentication."),
        (name = "templates", description = "Named, versioned message templates."),
        (name = "channels", description = "Provider callbacks, authenticated by the provider's signature."),
        (name = "recipients", description = "Recipients by the caller's own id, with preferences and quiet hours; one-click unsubscribe."),
    ),
    components(schemas(
        schemas::Error,
        schemas::Notification,
        schemas::NotificationCreate,
        schemas::DigestInput,
        schemas::NotificationDigest,
        schemas::NotificationBatch,
        schemas::NotificationBatchResult,
        schemas::NotificationPatch,
        schemas::NotificationPage,
        schemas::GroupCancel,
        schemas::CancelCount,
        schemas::EventCancelled,
        schemas::DeliveryAttempt,
        schemas::DeliveryAttemptList,
        schemas::CronPreviewRequest,
        schemas::CronPreview,
        schemas::EventCreate,
        schemas::EventBatch,
        schemas::EventBatchResult,
        schemas::Event,
        schemas::EventPage,
        schemas::RuleInput,
        schemas::Rule,
        schemas::RuleList,
        schemas::Series,
        schemas::ApiKeyCreate,
        schemas::ApiKeyCreated,
        schemas::UserCreate,
        schemas::User,
        schemas::UserPatch,
        schemas::LoginRequest,
        schemas::LoginResponse,
        schemas::RegisterRequest,
        schemas::Registered,
        schemas::Tenant,
        schemas::Health,
        schemas::Readiness,
        schemas::NotReady,
        schemas::ApiKey,
        schemas::Stats,
        schemas::BulkRequest,
        schemas::WebhookSecretRotation,
        schemas::TemplateInput,
        schemas::TemplateVersionInput,
        schemas::Template,
        schemas::TemplateList,
        schemas::TemplatePreviewRequest,
        schemas::TemplatePreview,
        schemas::SmsStatusReport,
        schemas::Preferences,
        schemas::QuietHours,
        schemas::RecipientInput,
        schemas::RecipientCreate,
        schemas::Recipient,
        schemas::RecipientPage,
        schemas::RecipientBatch,
        schemas::RecipientBatchResult,
        schemas::RecipientDefaults,
        schemas::Unsubscribed,
    )),
    modifiers(&Shared),
)]
struct Root;

/// The security scheme and the shared error responses.
struct Shared;

impl Modify for Shared {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "An API key (`chk_…`) or a JWT from `POST /api/v1/auth/login`.",
            ))
            .build();
        components.add_security_scheme("bearerAuth", SecurityScheme::Http(bearer));
        for (name, response) in responses::all() {
            components.responses.insert(name.to_string(), response);
        }
        // A patch must change something. Set here: utoipa 5's `#[schema(min_properties)]`
        // writes `maxProperties`.
        if let Some(RefOr::T(Schema::Object(patch))) =
            components.schemas.get_mut("NotificationPatch")
        {
            patch.min_properties = Some(1);
        }
        // A status callback carries more form parameters than the two read; all are signed.
        if let Some(RefOr::T(Schema::Object(report))) =
            components.schemas.get_mut("SmsStatusReport")
        {
            report.additional_properties = Some(Box::new(AdditionalProperties::RefOr(
                ObjectBuilder::new().schema_type(Type::String).into(),
            )));
        }
    }
}

/// The document's root: info, tags, the security scheme, the shared schemas and responses.
/// `api::ops` merges every resource module's operations into it and serves the whole.
pub fn root() -> utoipa::openapi::OpenApi {
    Root::openapi()
}
