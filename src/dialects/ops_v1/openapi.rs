//! The `ops_v1` OpenAPI document: [`super::ROUTES`] with one [`Op`] per route. Wire types
//! carry `utoipa::ToSchema`, so the bodies documented are the structs the handlers read and
//! write.

use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

use super::{files, purchase, system, users};
use crate::domain::access::Requirement;
use crate::http::openapi::{self, Answers, Dialect, Op, op};

/// The wire types' schemas.
#[derive(OpenApi)]
#[openapi(components(schemas(
    users::RegisterIn,
    users::RegisterOut,
    users::LoginIn,
    users::LoginOut,
    users::ProfileOut,
    users::ProfileIn,
    users::ForgotIn,
    users::ResetIn,
    purchase::ListIn,
    purchase::ListOut,
    purchase::SummaryOut,
    purchase::OrderIn,
    purchase::CostIn,
    purchase::CurrencyIn,
    purchase::CreatedOut,
    purchase::DetailOut,
    purchase::OrderOut,
    purchase::CostOut,
    system::StatusOut,
    files::UploadOut,
    files::ListItem,
    files::ListOut,
    files::InfoOut
)))]
struct Skeleton;

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The success envelope around `data`.
fn ok(data: Value) -> Value {
    json!({
        "type": "object",
        "required": ["code", "message", "data"],
        "properties": {
            "code": { "const": "0" },
            "message": { "type": "string" },
            "data": data,
        },
    })
}

fn error(status: u16) -> (Value, Value) {
    let (code, message) = match status {
        401 => ("-3", "用户未登录"),
        403 => ("-6", "权限不足"),
        404 => ("-2", "资源不存在"),
        409 => ("-4", "用户名已存在"),
        413 => ("-102", "文件大小超出限制"),
        415 => ("-101", "文件类型不支持"),
        429 => ("-7", "请求过于频繁,请稍后再试"),
        _ => ("-2", "参数错误"),
    };
    let schema = json!({
        "type": "object",
        "required": ["code", "message", "data"],
        "properties": {
            "code": { "type": "string", "pattern": "^-[0-9]+$" },
            "message": { "type": "string" },
            "data": { "type": "null" },
        },
    });
    (
        schema,
        json!({ "code": code, "message": message, "data": null }),
    )
}

fn path_param(name: &str) -> Value {
    match name {
        "hash" => {
            json!({ "type": "string", "description": "SHA-256 of the content, 64 hex digits" })
        }
        _ => json!({ "type": "integer", "format": "int64", "minimum": 1 }),
    }
}

/// The document's parts.
pub fn dialect() -> Dialect {
    let mut skeleton = openapi::skeleton(
        "ops_v1: OPS API v1",
        "The OPS operations system (OPS API v1 manual). Every answer is `{code, message, \
         data}` with a string `code` (`\"0\"` is success; errors carry `data: null`). A session \
         token from `POST /users/login` is accepted as `Authorization: Bearer`, the \
         `ops_session` cookie, or the JSON body field `userCookieValue` (looked for only when \
         neither header is present).",
    );
    skeleton.merge(Skeleton::openapi());
    skeleton
        .components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "ops_session",
                "The session cookie set by POST /users/login",
            ))),
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

/// The errors every route that needs a token can answer.
const TOKEN: &[u16] = &[401, 403];

fn ops() -> Vec<Op> {
    let order_list = ok(r("OrderListOut"));
    let detail = ok(r("DetailOut"));
    let paging = |o: Op| {
        o.query("search", json!({ "type": "string", "maxLength": 100 }))
            .query("page", json!({ "type": "integer", "minimum": 1 }))
            .query(
                "entries",
                json!({ "type": "integer", "minimum": 1, "maximum": 300 }),
            )
            .query("user_id", json!({ "type": "integer", "minimum": 1 }))
    };
    let order_body = Some(json!({
        "title": "螺丝", "part_name": "M3", "costs": [{ "cost": 150, "int": 4, "currencytype": "CNY" }],
    }));
    vec![
        op("POST", "/users/register", "用户", "注册")
            .json(r("RegisterIn"), Some(json!({ "name": "alice", "password": "secret123", "password_confirm": "secret123", "email": "alice@example.com" })))
            .answer(200, ok(r("RegisterOut")), None)
            .errors(&[400, 403, 409]),
        op("POST", "/users/login", "用户", "登录")
            .json(r("LoginIn"), Some(json!({ "name": "alice", "password": "secret123" })))
            .answer(200, ok(r("LoginOut")), None)
            .errors(&[400, 401, 403, 429]),
        op("POST", "/users/logout", "用户", "退出登录")
            .json_optional(json!({ "type": "object" }))
            .answer(200, ok(json!({ "type": "null" })), None)
            .errors(TOKEN),
        op("GET", "/users/profile", "用户", "个人资料")
            .answer(200, ok(r("ProfileOut")), None)
            .errors(TOKEN),
        op("PUT", "/users/profile", "用户", "修改个人资料")
            .json(r("ProfileIn"), Some(json!({ "gender": "female", "language": "zh-CN" })))
            .answer(200, ok(r("ProfileOut")), None)
            .errors(&[400, 401, 403, 409]),
        op("POST", "/users/forgot-password", "用户", "忘记密码")
            .json(r("ForgotIn"), Some(json!({ "email": "alice@example.com" })))
            .answer(200, ok(json!({ "type": "null" })), None)
            .errors(&[400]),
        op("POST", "/users/reset-password", "用户", "重置密码")
            .json(r("ResetIn"), None)
            .answer(200, ok(json!({ "type": "null" })), None)
            .errors(&[400, 404]),
        op("POST", "/purchase/getorders", "采购", "订单列表 (JSON 参数)")
            .json_optional(r("OrderListIn"))
            .answer(200, order_list.clone(), None)
            .errors(&[400, 401, 403]),
        op("POST", "/purchase/addorder", "采购", "创建订单")
            .json(r("OrderIn"), order_body.clone())
            .answer(200, ok(r("CreatedOut")), None)
            .errors(&[400, 401, 403]),
        paging(op("GET", "/purchase/orders", "采购", "订单列表"))
            .answer(200, order_list, None)
            .errors(&[400, 401, 403]),
        op("POST", "/purchase/orders", "采购", "创建订单")
            .json(r("OrderIn"), order_body)
            .answer(200, ok(r("CreatedOut")), None)
            .errors(&[400, 401, 403]),
        op("GET", "/purchase/orders/{id}", "采购", "订单详情")
            .answer(200, detail.clone(), None)
            .errors(&[401, 403, 404]),
        op("PUT", "/purchase/orders/{id}", "采购", "替换订单")
            .json(r("OrderIn"), None)
            .answer(200, detail, None)
            .errors(&[400, 401, 403, 404]),
        op("DELETE", "/purchase/orders/{id}", "采购", "删除订单")
            .json_optional(json!({ "type": "object" }))
            .answer(200, ok(json!({ "type": "null" })), None)
            .errors(&[401, 403, 404]),
        op("GET", "/system/status", "系统", "系统状态")
            .answer(200, ok(r("StatusOut")), None)
            .errors(&[]),
        op("GET", "/system/config", "系统", "运行时配置")
            .answer(200, ok(settings()), None)
            .errors(TOKEN),
        op("PUT", "/system/config", "系统", "修改运行时配置")
            .json(settings(), Some(json!({ "registration_open": false })))
            .answer(200, ok(settings()), None)
            .errors(&[400, 401, 403]),
        op("POST", "/files/upload", "文件", "上传文件")
            .multipart(json!({
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": { "type": "string", "format": "binary" },
                    "type": { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,50}$" },
                    "description": { "type": "string", "maxLength": 1000 },
                },
            }))
            .answer(200, ok(r("UploadOut")), None)
            .errors(&[400, 401, 403, 413, 415]),
        op("GET", "/files/list", "文件", "文件列表")
            .query("type", json!({ "type": "string" }))
            .query("page", json!({ "type": "integer", "minimum": 1 }))
            .query("entries", json!({ "type": "integer", "minimum": 1, "maximum": 100 }))
            .query("user_id", json!({ "type": "integer", "minimum": 1 }))
            .answer(200, ok(r("FileListOut")), None)
            .errors(&[400, 401, 403]),
        op("GET", "/files/{file_id}", "文件", "文件信息")
            .answer(200, ok(r("InfoOut")), None)
            .errors(&[401, 403, 404]),
        op("DELETE", "/files/{file_id}", "文件", "删除文件")
            .answer(200, ok(json!({ "type": "null" })), None)
            .errors(&[401, 403, 404]),
        file_op(op("GET", "/files/download/{hash}", "文件", "下载文件 (attachment)")),
        file_op(op("GET", "/files/get/{hash}", "文件", "预览文件 (inline)")),
    ]
}

/// The file contents routes: the bytes with their sniffed type, ranges and revalidation.
fn file_op(o: Op) -> Op {
    o.header("Range", json!({ "type": "string" }))
        .header("If-None-Match", json!({ "type": "string" }))
        .raw(200, "image/*", "the file's bytes")
        .raw(206, "image/*", "one range of the file's bytes")
        .empty(304, "not modified")
        .empty(416, "the range is outside the file")
        .errors(&[404])
}

/// `{key: value}` of the runtime settings (CONTRACT.md, "System config").
fn settings() -> Value {
    let int = |min: i64, max: i64| json!({ "type": "integer", "minimum": min, "maximum": max });
    json!({
        "type": "object",
        "properties": {
            "site_name": { "type": "string" },
            "registration_open": { "type": "boolean" },
            "file_max_size": int(1024, 1_073_741_824),
            "file_allowed_types": {
                "type": "array", "minItems": 1,
                "items": { "enum": ["image/png", "image/jpeg", "image/gif", "image/webp"] },
            },
            "session_ttl_hours": int(1, 8760),
            "captcha_enabled": { "type": "boolean" },
            "login_max_failures": int(1, 100),
            "login_lockout_minutes": int(1, 1440),
            "operation_log_retention_days": int(1, 3650),
        },
    })
}

/// The document of this dialect mounted at `prefix`.
pub fn document(prefix: &str) -> Value {
    dialect().document(prefix)
}
