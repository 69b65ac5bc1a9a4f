//! The error responses operations share, as `#/components/responses/…`: each is the `Error`
//! body (`ApiError`'s JSON shape, see `api/error.rs`) with a description and its headers.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, RefOr, Response, ResponseBuilder, Type};
use utoipa::ToResponse;

/// A header of an error response: name, description, type and example.
type Header = (
    &'static str,
    Option<&'static str>,
    Type,
    Option<&'static str>,
);

fn error_response(description: &str, headers: &[Header]) -> RefOr<Response> {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Error")))
        .build();
    let mut response = ResponseBuilder::new()
        .description(description)
        .content("application/json", content);
    for (name, about, ty, example) in headers {
        let schema = ObjectBuilder::new()
            .schema_type(ty.clone())
            .examples(example.map(|e| serde_json::Value::String(e.into())));
        let header = HeaderBuilder::new()
            .schema(schema)
            .description(about.map(str::to_string))
            .build();
        response = response.header(*name, header);
    }
    response.build().into()
}

macro_rules! error_responses {
    ($($name:ident: $description:expr, [$($header:expr),*];)*) => {
        $(
            #[doc = $description]
            pub struct $name;

            impl<'r> ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<Response>) {
                    (stringify!($name), error_response($description, &[$($header),*]))
                }
            }
        )*

        /// Every shared response, for the document's components.
        pub fn all() -> Vec<(&'static str, RefOr<Response>)> {
            vec![$(<$name as ToResponse>::response()),*]
        }
    };
}

const RETRY_AFTER: &str = "Retry-After";

error_responses! {
    BadRequest: "Malformed JSON, a wrong type, an unknown field or query parameter.", [];
    Unauthorized: "Missing or bad credentials.",
        [("WWW-Authenticate", None, Type::String, Some("Bearer"))];
    Forbidden: "The caller's role or tenant is not allowed.", [];
    NotFound: "Unknown id (also another tenant's id).", [];
    Conflict: "The resource's state does not allow this.", [];
    PayloadTooLarge: "The body is larger than 1 MiB.", [];
    UnprocessableEntity: "Well-formed but semantically invalid; `field` names the offending field. Also a value that could not be stored and read back unchanged: a NUL character in any string, key or query parameter, an integer beyond 64 bits, or a number PostgreSQL would keep with more than 40 characters (`1e308`); `field` is its JSON path, e.g. `payload.x`.", [];
    TooManyRequests: "Rate limited (`rate_limited`, with `Retry-After`), or a per-tenant cap reached (`limit_exceeded`, with `limit` naming the setting and no `Retry-After`).",
        [(RETRY_AFTER, Some("Seconds to wait before retrying (rate limits only)."), Type::Integer, None)];
    ServiceUnavailable: "PostgreSQL or Redis is unavailable.",
        [(RETRY_AFTER, Some("Seconds to wait before retrying."), Type::Integer, None)];
    InternalError: "Unexpected error; the body carries no detail.", [];
    MethodNotAllowed: "The route exists but not with this method; `Allow` lists the methods it takes.",
        [("Allow", Some("The methods this route takes, e.g. `GET, POST`."), Type::String, None)];
}
