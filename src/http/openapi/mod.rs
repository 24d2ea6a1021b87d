//! OpenAPI 3.1 documents, one per dialect, built from the dialect's route table.
//!
//! A dialect supplies a [`Dialect`]: its route table (what is routed, and whether a route
//! needs a caller) and one [`Op`] per route (parameters, body, answers); [`build`] walks the
//! *table*, so a routed path always appears in the document, and [`Dialect::drift`] lists the
//! routes without an `Op` and the `Op`s without a route (the test suite asserts it is empty
//! for every dialect). The skeleton (info, security schemes, schemas derived with
//! `utoipa::ToSchema` from the dialect's wire types) is a [`utoipa::openapi::OpenApi`]; answer
//! schemas can also be registered as the operations name them ([`Answers`]); operation schemas
//! that have no Rust type of their own are written as JSON Schema values next to their route.

mod answers;
mod docs;
mod op;

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi, OpenApiBuilder};

use crate::domain::access::routes::RouteRule;

pub use answers::Answers;
pub use docs::router;
pub use op::{Answer, Body, Op, op};

/// Everything a dialect's document is made of.
pub struct Dialect {
    /// Info, security schemes and component schemas.
    pub skeleton: OpenApi,
    /// The security requirement alternatives of a route that needs a caller (names of the
    /// skeleton's security schemes).
    pub security: &'static [&'static str],
    /// The error answer's schema and an example for an HTTP status.
    pub error: fn(u16) -> (Value, Value),
    /// The schema of a `{name}` path parameter.
    pub path_param: fn(&str) -> Value,
    /// The route table.
    pub routes: Vec<Routed>,
    /// One operation per route.
    pub ops: Vec<Op>,
    /// The answer schemas the operations registered.
    pub answers: Answers,
}

impl Dialect {
    /// The document of this dialect mounted at `prefix`.
    pub fn document(self, prefix: &str) -> Value {
        let mut doc = build(&self, prefix);
        self.answers.add_to(&mut doc);
        doc
    }

    /// Routes without an `Op`, and `Op`s (or duplicates) without a route, as sentences.
    pub fn drift(&self) -> Vec<String> {
        drift(&self.routes, &self.ops)
    }
}

/// The skeleton every dialect starts from: its title and description, the crate's version,
/// and the `bearer` scheme (every dialect accepts `Authorization: Bearer`).
pub fn skeleton(title: &str, description: &str) -> OpenApi {
    let mut api = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title(title)
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(description)),
        )
        .build();
    api.components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    api
}

/// The routes of a dialect's table; `needs_caller` tells whether an access rule needs one.
pub fn routed<A: Copy>(table: &[RouteRule<A>], needs_caller: impl Fn(A) -> bool) -> Vec<Routed> {
    table
        .iter()
        .map(|r| Routed {
            method: r.method,
            path: r.path,
            needs_caller: needs_caller(r.access),
        })
        .collect()
}

/// One routed `(method, path)` and whether it needs a caller.
pub struct Routed {
    pub method: &'static str,
    pub path: &'static str,
    pub needs_caller: bool,
}

/// The document of a dialect mounted at `prefix`.
fn build(dialect: &Dialect, prefix: &str) -> Value {
    let (routes, ops) = (&dialect.routes, &dialect.ops);
    let mut doc = serde_json::to_value(&dialect.skeleton).unwrap_or_else(|_| json!({}));
    doc["openapi"] = json!("3.1.0");
    doc["servers"] = json!([{ "url": if prefix.is_empty() { "/" } else { prefix } }]);
    let mut paths = Map::new();
    for route in routes.iter() {
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        let found = ops
            .iter()
            .find(|o| o.method.eq_ignore_ascii_case(route.method) && o.path == route.path);
        let operation = match found {
            Some(o) => o.render(dialect, route.needs_caller),
            // Never served once the dialect's drift test passes; still a valid entry.
            None => op(
                route.method,
                route.path,
                "undocumented",
                "undocumented route",
            )
            .render(dialect, route.needs_caller),
        };
        entry[route.method.to_ascii_lowercase()] = operation;
    }
    doc["paths"] = Value::Object(paths);
    let tags: BTreeSet<&str> = ops.iter().map(|o| o.tag).collect();
    doc["tags"] = tags.into_iter().map(|t| json!({ "name": t })).collect();
    doc
}

fn drift(routes: &[Routed], ops: &[Op]) -> Vec<String> {
    let mut problems = Vec::new();
    for r in routes {
        let n = ops
            .iter()
            .filter(|o| o.method.eq_ignore_ascii_case(r.method) && o.path == r.path)
            .count();
        if n != 1 {
            problems.push(format!(
                "{} {} has {n} documented operations",
                r.method, r.path
            ));
        }
    }
    for o in ops {
        if !routes
            .iter()
            .any(|r| o.method.eq_ignore_ascii_case(r.method) && o.path == r.path)
        {
            problems.push(format!(
                "{} {} is documented but not routed",
                o.method, o.path
            ));
        }
    }
    problems
}

/// `{name}` placeholders of a routed path, in order.
fn placeholders(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_in_order() {
        assert_eq!(placeholders("/a/{id}/b/{hash}"), vec!["id", "hash"]);
        assert!(placeholders("/a").is_empty());
    }

    #[test]
    fn drift_names_both_directions() {
        let routes = [Routed {
            method: "GET",
            path: "/a",
            needs_caller: false,
        }];
        let ops = [op("POST", "/a", "t", "s")];
        let problems = drift(&routes, &ops);
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
