//! The `hanzi` OpenAPI document: [`super::ROUTES`] with one [`Op`] per route.
//!
//! Success bodies are bare (a model, `true`, a number); errors are `{err, msg}` at HTTP 200,
//! so every 200 answer is documented as "the success shape or the error". Only the guard,
//! unknown routes and login throttling set a status, with `status` in the body.

use serde_json::{Value, json};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

use super::HanziAccess;
use super::error::code;
use crate::domain::access::Requirement;
use crate::http::openapi::{self, Answers, Dialect, Op, op};

fn error(status: u16) -> (Value, Value) {
    let err = json!({ "type": "string", "pattern": "^[A-Z]+-[0-9]{8}$" });
    if status == 200 {
        let schema = json!({
            "type": "object",
            "required": ["err", "msg"],
            "properties": { "err": err, "msg": { "type": "string" } },
        });
        return (
            schema,
            json!({ "err": code::BAD_PARAMETER, "msg": "参数错误" }),
        );
    }
    let (c, msg) = match status {
        401 => (code::UNAUTHENTICATED, "未登录"),
        403 => (code::FORBIDDEN, "权限不足"),
        429 => (code::THROTTLED, "登录失败次数过多"),
        _ => (code::NOT_FOUND, "资源不存在"),
    };
    let schema = json!({
        "type": "object",
        "required": ["status", "err", "msg"],
        "properties": { "status": { "const": status }, "err": err, "msg": { "type": "string" } },
    });
    (schema, json!({ "status": status, "err": c, "msg": msg }))
}

fn path_param(name: &str) -> Value {
    match name {
        "unicode" => {
            json!({ "type": "integer", "minimum": 0, "maximum": 1_114_111, "description": "the code point, decimal" })
        }
        _ => json!({ "type": "string", "description": "the login name" }),
    }
}

/// The document's parts (`public_users`: the user reads need no token).
pub fn dialect(public_users: bool) -> Dialect {
    let mut skeleton = openapi::skeleton(
        "hanzi: 汉字自动拆分系统 API",
        "The character decomposition system. Success bodies are bare JSON; errors are `{err, \
         msg}` at HTTP 200 (guard, unknown route and throttling answers carry `status` and set \
         it). Send the token of `POST /login` as `Authorization: Bearer <jwt>` (a bare token is \
         accepted too); a token older than an hour is answered with a fresh one in `New-Token`.",
    );
    skeleton
        .components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            "bare_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "The JWT without the `Bearer ` prefix, as the original accepted",
            ))),
        );
    Dialect {
        skeleton,
        security: &["bearer", "bare_token"],
        error,
        path_param,
        routes: openapi::routed(super::ROUTES, |a| match a {
            HanziAccess::Is(req) => req != Requirement::Public,
            HanziAccess::UserRead => !public_users,
        }),
        ops: ops(),
        answers: Answers::default(),
    }
}

fn user() -> Value {
    json!({
        "type": "object",
        "required": ["id", "name", "email", "avatar", "role", "state"],
        "properties": {
            "id": { "type": "string" }, "name": { "type": "string" },
            "email": { "type": "string" }, "avatar": { "type": "string" },
            "role": { "enum": [0, 1, 2] }, "state": { "enum": [0, 1] },
        },
    })
}

fn character() -> Value {
    json!({
        "type": "object",
        "required": ["unicode", "tygf", "gb2312", "glyphs", "name", "gf0014_id", "ambiguous"],
        "properties": {
            "unicode": { "type": "integer" },
            "tygf": { "type": "integer", "minimum": 0, "maximum": 3 },
            "gb2312": { "type": ["boolean", "integer"] },
            "readings": { "type": "array" },
            "glyphs": { "type": ["array", "string"] },
            "name": { "type": ["string", "null"] },
            "gf0014_id": { "type": ["integer", "null"] },
            "gf3001_id": { "type": ["integer", "null"] },
            "ambiguous": { "type": ["boolean", "integer"] },
        },
    })
}

fn page(item: Value) -> Value {
    json!({
        "type": "object",
        "required": ["total", "page", "size", "items"],
        "properties": {
            "total": { "type": "integer" }, "page": { "type": "integer" },
            "size": { "type": "integer" }, "items": { "type": "array", "items": item },
        },
    })
}

fn yes() -> Value {
    json!({ "const": true })
}

/// Every route can answer an error at 200; routes behind the guard also 401/403.
const OPEN: &[u16] = &[200];
const GUARDED: &[u16] = &[200, 401, 403];

fn ops() -> Vec<Op> {
    let paging = |o: Op, max: i64| {
        o.query("page", json!({ "type": "integer", "minimum": 1 }))
            .query(
                "size",
                json!({ "type": "integer", "minimum": 1, "maximum": max }),
            )
    };
    let user_in = json!({
        "type": "object",
        "properties": {
            "id": { "type": "string", "pattern": "^[a-zA-Z]([_-]?[a-zA-Z0-9]+)*$" },
            "name": { "type": "string" }, "email": { "type": "string" },
            "password": { "type": "string", "minLength": 6, "maxLength": 128 },
            "avatar": { "type": "string" },
        },
    });
    let mut create_user = user_in.clone();
    create_user["required"] = json!(["id", "email", "password"]);
    let chars = json!({ "type": "array", "items": character() });
    vec![
        op("POST", "/login", "用户", "登录")
            .json(
                json!({ "type": "object", "required": ["username", "password"], "properties": { "username": { "type": "string" }, "password": { "type": "string" } } }),
                Some(json!({ "username": "alice", "password": "4QrcOUm6Wau+VuBX8g+IPg==" })),
            )
            .answer(200, json!({ "type": "object", "required": ["user", "token"], "properties": { "user": user(), "token": { "type": "string" } } }), None)
            .errors(&[200, 429]),
        paging(op("GET", "/users", "用户", "用户列表"), 1000)
            .answer(200, page(user()), None)
            .errors(GUARDED),
        op("POST", "/users", "用户", "注册 / 创建用户")
            .json(create_user, Some(json!({ "id": "alice", "name": "Alice", "email": "alice@example.com", "password": "4QrcOUm6Wau+VuBX8g+IPg==" })))
            .answer(200, yes(), None)
            .errors(OPEN),
        op("GET", "/users/{id}", "用户", "用户详情")
            .answer(200, user(), None)
            .errors(GUARDED),
        op("PUT", "/users/{id}", "用户", "修改用户")
            .json(user_in, None)
            .answer(200, yes(), None)
            .errors(GUARDED),
        op("DELETE", "/users/{id}", "用户", "删除用户")
            .answer(200, yes(), None)
            .errors(GUARDED),
        op("PUT", "/users/{id}/promote", "用户", "设置角色")
            .json(json!({ "type": "object", "required": ["role"], "properties": { "role": { "enum": [0, 1, 2] } } }), Some(json!({ "role": 1 })))
            .answer(200, yes(), None)
            .errors(GUARDED),
        op("PUT", "/users/{id}/disable", "用户", "启用 / 停用")
            .json(json!({ "type": "object", "required": ["state"], "properties": { "state": { "enum": [0, 1] } } }), Some(json!({ "state": 1 })))
            .answer(200, yes(), None)
            .errors(GUARDED),
        paging(op("GET", "/repertoire", "字形", "字形分页"), 16384)
            .answer(200, page(character()), None)
            .errors(OPEN),
        op("POST", "/repertoire", "字形", "在私用区新建字形")
            .json(json!({ "type": "object", "required": ["type"], "properties": { "type": { "type": "string" }, "name": { "type": "string", "maxLength": 255 } } }), Some(json!({ "type": "component", "name": "新部件" })))
            .answer(200, json!({ "type": "integer" }), None)
            .errors(GUARDED),
        op("PUT", "/repertoire", "字形", "改码位")
            .json(json!({ "type": "object", "required": ["old", "new"], "properties": { "old": { "type": "integer" }, "new": { "type": "integer" } } }), None)
            .answer(200, yes(), None)
            .errors(GUARDED),
        op("GET", "/repertoire/all", "字形", "全部字形 (流式)")
            .answer(200, chars.clone(), None)
            .errors(OPEN),
        op("POST", "/repertoire/batch", "字形", "批量新建")
            .json(chars.clone(), None)
            .answer(200, yes(), None)
            .errors(GUARDED),
        op("PUT", "/repertoire/batch", "字形", "批量修改")
            .json(chars, None)
            .answer(200, yes(), None)
            .errors(GUARDED),
        op("DELETE", "/repertoire/batch", "字形", "批量删除")
            .json(json!({ "type": "array", "items": { "type": "integer" } }), None)
            .answer(200, yes(), None)
            .errors(GUARDED),
        op("GET", "/repertoire/{unicode}", "字形", "字形详情")
            .answer(200, character(), None)
            .errors(OPEN),
        op("POST", "/repertoire/{unicode}", "字形", "新建字形")
            .json(character(), Some(json!({ "unicode": 19968, "tygf": 1, "gb2312": true, "readings": ["yī"], "glyphs": [{ "type": "basic_component", "strokes": [] }], "name": null, "gf0014_id": null, "ambiguous": false })))
            .answer(200, json!({ "type": "integer" }), None)
            .errors(GUARDED),
        op("PUT", "/repertoire/{unicode}", "字形", "修改字形")
            .json(character(), None)
            .answer(200, yes(), None)
            .errors(GUARDED),
        op("DELETE", "/repertoire/{unicode}", "字形", "删除字形")
            .answer(200, yes(), None)
            .errors(GUARDED),
        op("GET", "/equivalence", "当量", "全部当量数据 (流式)")
            .answer(200, json!({ "type": "array", "items": { "type": "object", "required": ["user", "model", "data"] } }), None)
            .errors(OPEN),
        op("POST", "/equivalence", "当量", "上传当量数据")
            .json(json!({
                "type": "object", "required": ["user", "model", "data"],
                "properties": { "user": { "type": "string", "minLength": 1, "maxLength": 255 }, "model": { "type": "string", "minLength": 1, "maxLength": 255 }, "data": { "type": "array" } },
            }), None)
            .answer(200, yes(), None)
            .errors(GUARDED),
    ]
}

/// The document of this dialect mounted at `prefix` (`public_users`: the user reads need no
/// token).
pub fn document(prefix: &str, public_users: bool) -> Value {
    dialect(public_users).document(prefix)
}
