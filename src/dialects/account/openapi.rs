//! The `account` OpenAPI document: [`super::ROUTES`] with one [`Op`] per route.
//!
//! Every answer is `{code, data, msg}` with `code` mirroring the HTTP status, except logout and
//! deletes (HTTP 200, `code` 204, `data: null`). Routes match with and without a trailing
//! slash; the document names them without.

use serde_json::{Value, json};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

use crate::domain::access::Requirement;
use crate::http::openapi::{self, Answers, Dialect, Op, op};

fn envelope(code: Value, data: Value) -> Value {
    json!({
        "type": "object",
        "required": ["code", "data", "msg"],
        "properties": { "code": code, "data": data, "msg": { "type": "string" } },
    })
}

fn ok(status: u16, data: Value) -> Value {
    envelope(json!({ "const": status }), data)
}

/// HTTP 200 with `code` 204 and `data: null` (logout, deletes).
fn gone() -> Value {
    envelope(json!({ "const": 204 }), json!({ "type": "null" }))
}

fn error(status: u16) -> (Value, Value) {
    let (msg, data) = match status {
        400 => (
            "请求异常",
            json!({ "username": ["This field is required."] }),
        ),
        401 => ("Authentication credentials were not provided.", Value::Null),
        403 => (
            "You do not have permission to perform this action.",
            Value::Null,
        ),
        404 => ("Not found.", Value::Null),
        429 => ("Request was throttled.", Value::Null),
        _ => ("请求异常", Value::Null),
    };
    let data_schema = match status {
        // Field errors: `{field: [messages]}`, or one such object per item of a batch.
        400 => json!({ "type": ["object", "array", "null"] }),
        // A refused login answers `data: {}`.
        401 => json!({ "type": ["object", "null"] }),
        _ => json!({ "type": "null" }),
    };
    let schema = envelope(json!({ "const": status }), data_schema);
    (schema, json!({ "code": status, "data": data, "msg": msg }))
}

fn path_param(_: &str) -> Value {
    json!({ "type": "integer", "format": "int64", "minimum": 1 })
}

/// The document's parts.
pub fn dialect() -> Dialect {
    let mut skeleton = openapi::skeleton(
        "account: Django-style account API",
        "Users, groups, back-end APIs and API permissions. Every answer is `{code, data, \
         msg}`; `code` mirrors the HTTP status except logout and deletes (HTTP 200, code 204). \
         The token of `POST /login` is accepted as the `sessionid` cookie or `Authorization: \
         Bearer`; non-superusers also need an API permission whose pattern matches the path as \
         sent.",
    );
    skeleton
        .components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("sessionid"))),
        );
    Dialect {
        skeleton,
        security: &["bearer", "cookie"],
        error,
        path_param,
        routes: openapi::routed(super::ROUTES, |a| a != Requirement::Public),
        ops: ops(),
        answers: Answers::default(),
    }
}

const ERRORS: &[u16] = &[400, 401, 403, 404, 413, 415];

fn ids(name: &str) -> Value {
    json!({ "type": "array", "items": { "type": "integer" }, "description": format!("{name} ids") })
}

fn user() -> Value {
    let s = json!({ "type": "string" });
    let b = json!({ "type": "boolean" });
    json!({
        "type": "object",
        "required": ["id", "username", "email", "is_superuser", "is_staff", "is_active", "groups", "permissions"],
        "properties": {
            "id": { "type": "integer" }, "last_login": { "type": ["string", "null"] },
            "is_superuser": b, "username": s, "first_name": s, "last_name": s, "email": s,
            "is_staff": b, "is_active": b, "date_joined": s,
            "gender": { "enum": ["male", "female", "other", "unknown"] },
            "phone": { "type": ["string", "null"] }, "dingding": { "type": ["string", "null"] },
            "user_permissions": ids("permission"), "permissions": ids("permission"),
            "groups": ids("group"),
        },
    })
}

fn user_in(required: &[&str]) -> Value {
    let s = json!({ "type": "string" });
    let b = json!({ "type": "boolean" });
    json!({
        "type": "object",
        "required": required,
        "properties": {
            "username": { "type": "string", "minLength": 1, "maxLength": 150 },
            "password": { "type": "string", "minLength": 6, "maxLength": 128, "writeOnly": true },
            "first_name": s, "last_name": s, "email": s,
            "is_staff": b, "is_active": b, "is_superuser": b,
            "gender": { "enum": ["male", "female", "other", "unknown"] },
            "phone": s, "dingding": s,
            "permissions": ids("permission"), "groups": ids("group"),
        },
    })
}

fn group() -> Value {
    json!({
        "type": "object",
        "required": ["id", "name", "permissions", "users"],
        "properties": {
            "id": { "type": "integer" }, "name": { "type": "string" },
            "permissions": ids("permission"), "users": ids("user"),
        },
    })
}

fn group_in(required: &[&str]) -> Value {
    json!({
        "type": "object", "required": required,
        "properties": { "name": { "type": "string", "minLength": 1, "maxLength": 150 }, "permissions": ids("permission") },
    })
}

fn backendapi() -> Value {
    json!({
        "type": "object",
        "required": ["id", "name", "pattern", "app_name", "comment"],
        "properties": {
            "id": { "type": "integer" }, "name": { "type": "string" }, "pattern": { "type": "string" },
            // Null when the record was written without them (as Django's nullable columns).
            "app_name": { "type": ["string", "null"] }, "comment": { "type": ["string", "null"] },
        },
    })
}

fn backendapi_in(required: &[&str]) -> Value {
    json!({
        "type": "object", "required": required,
        "properties": {
            "name": { "type": "string", "maxLength": 50 }, "pattern": { "type": "string", "maxLength": 100 },
            "app_name": { "type": "string", "maxLength": 30 }, "comment": { "type": "string", "maxLength": 100 },
        },
    })
}

const METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ALL",
];

fn permission() -> Value {
    json!({
        "type": "object",
        "required": ["id", "method", "api_id"],
        "properties": { "id": { "type": "integer" }, "method": { "enum": METHODS }, "api_id": { "type": "integer" } },
    })
}

fn permission_in(required: &[&str]) -> Value {
    json!({
        "type": "object", "required": required,
        "properties": { "method": { "enum": METHODS }, "api_id": { "type": "integer", "minimum": 1 } },
    })
}

/// The five routes of a resource: list, create, one, multiple delete.
fn resource(
    base: &'static str,
    one: &'static str,
    many: &'static str,
    tag: &'static str,
    shape: Value,
    write: fn(&[&str]) -> Value,
    required: &'static [&'static str],
) -> Vec<Op> {
    let drf_page = json!({
        "type": "object",
        "required": ["count", "next", "previous", "results"],
        "properties": {
            "count": { "type": "integer" },
            "next": { "type": ["string", "null"] }, "previous": { "type": ["string", "null"] },
            "results": { "type": "array", "items": shape.clone() },
        },
    });
    let list = json!({ "type": "array", "items": shape.clone() });
    vec![
        op("GET", base, tag, "list")
            .query("page", json!({ "type": "integer", "minimum": 1 }))
            .query(
                "page_size",
                json!({ "type": "integer", "minimum": 1, "maximum": 1000 }),
            )
            .describe("A plain array by id; with `page`, a DRF page.")
            .answer(
                200,
                ok(200, json!({ "anyOf": [list.clone(), drf_page] })),
                None,
            )
            .errors(ERRORS),
        op(
            "POST",
            base,
            tag,
            "create (an object, or an array for a batch)",
        )
        .json(
            json!({ "anyOf": [write(required), { "type": "array", "items": write(required) }] }),
            None,
        )
        .answer(
            201,
            ok(201, json!({ "anyOf": [shape.clone(), list] })),
            None,
        )
        .errors(ERRORS),
        op("DELETE", many, tag, "delete several (all or nothing)")
            .query_required(
                "ids",
                json!({ "type": "string", "pattern": "^[0-9]+(,[0-9]+)*$", "example": "1,2" }),
            )
            .answer(200, gone(), None)
            .errors(ERRORS),
        op("GET", one, tag, "retrieve")
            .answer(200, ok(200, shape.clone()), None)
            .errors(ERRORS),
        op("PUT", one, tag, "replace")
            .json(write(required), None)
            .answer(200, ok(200, shape.clone()), None)
            .errors(ERRORS),
        op("PATCH", one, tag, "update some fields")
            .json(write(&[]), None)
            .answer(200, ok(200, shape), None)
            .errors(ERRORS),
        op("DELETE", one, tag, "delete")
            .answer(200, gone(), None)
            .errors(ERRORS),
    ]
}

fn ops() -> Vec<Op> {
    let members = |o: Op| {
        o.query(
            "user_ids",
            json!({ "type": "string", "pattern": "^[0-9]+(,[0-9]+)*$" }),
        )
        .query(
            "perm_ids",
            json!({ "type": "string", "pattern": "^[0-9]+(,[0-9]+)*$" }),
        )
        .answer(200, ok(200, group()), None)
        .errors(ERRORS)
    };
    let logout = |method| {
        op(method, "/logout", "auth", "logout")
            .answer(200, gone(), None)
            .errors(&[413])
    };
    let mut all = vec![
        op("POST", "/login", "auth", "login")
            .json(
                json!({ "type": "object", "required": ["username", "password"], "properties": { "username": { "type": "string" }, "password": { "type": "string" } } }),
                Some(json!({ "username": "alice", "password": "secret123" })),
            )
            .answer(200, ok(200, json!({ "type": "object", "required": ["token"], "properties": { "token": { "type": "string" } } })), Some(json!({ "code": 200, "data": { "token": "0123abcd" }, "msg": "Login Successful." })))
            .errors(&[400, 401, 413, 415, 429]),
        logout("GET"),
        logout("POST"),
        op("DELETE", "/usr/multiple_delete", "user", "delete several users (the document's spelling)")
            .query_required("ids", json!({ "type": "string", "pattern": "^[0-9]+(,[0-9]+)*$" }))
            .answer(200, gone(), None)
            .errors(ERRORS),
        members(op("POST", "/group/{pk}/permission", "group", "add members and permissions")),
        members(op("DELETE", "/group/{pk}/permission", "group", "remove members and permissions")),
    ];
    all.extend(resource(
        "/user",
        "/user/{pk}",
        "/user/multiple_delete",
        "user",
        user(),
        user_in,
        &["username", "password"],
    ));
    all.extend(resource(
        "/group",
        "/group/{pk}",
        "/group/multiple_delete",
        "group",
        group(),
        group_in,
        &["name"],
    ));
    all.extend(resource(
        "/backendapi",
        "/backendapi/{pk}",
        "/backendapi/multiple_delete",
        "backendapi",
        backendapi(),
        backendapi_in,
        &["name", "pattern"],
    ));
    all.extend(resource(
        "/permission",
        "/permission/{pk}",
        "/permission/multiple_delete",
        "permission",
        permission(),
        permission_in,
        &["method", "api_id"],
    ));
    all
}

/// The document of this dialect mounted at `prefix`.
pub fn document(prefix: &str) -> Value {
    dialect().document(prefix)
}
