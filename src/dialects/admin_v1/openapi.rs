//! The `admin_v1` OpenAPI document: [`super::ROUTES`] with one [`Op`] per route.
//!
//! Every answer is the envelope `{success, code, message, data?, errors?, timestamp,
//! request_id}`; lists are `{list, pagination}`. Resource objects are documented as objects
//! (their fields are in CONTRACT.md); the envelope, the list shape, statuses and error codes
//! are exact.

use serde_json::{Value, json};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApiBuilder};
use utoipa::{PartialSchema, ToSchema};

use super::Access;
use super::system::{ConfigIn, ConfigOut};
use crate::http::openapi::{self, Dialect, Op, Routed, op};

fn envelope(success: bool, code: Value, data: Option<Value>) -> Value {
    let mut required = vec!["success", "code", "message", "timestamp", "request_id"];
    let mut properties = json!({
        "success": { "const": success },
        "code": code,
        "message": { "type": "string" },
        "timestamp": { "type": "integer", "description": "milliseconds since the epoch" },
        "request_id": { "type": "string" },
    });
    if let Some(d) = data {
        required.push("data");
        properties["data"] = d;
    }
    if !success {
        properties["errors"] = json!({
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": { "field": { "type": "string" }, "message": { "type": "string" } },
            },
        });
    }
    json!({ "type": "object", "required": required, "properties": properties })
}

/// 200 with `data`.
fn ok(data: Value) -> Value {
    envelope(true, json!({ "const": 200 }), Some(data))
}

/// 200 without `data` (logout, deletes, resets).
fn done() -> Value {
    envelope(true, json!({ "const": 200 }), None)
}

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn object() -> Value {
    json!({ "type": "object" })
}

/// `{list, pagination}` of `item`.
fn page(item: Value) -> Value {
    let n = json!({ "type": "integer", "minimum": 0 });
    json!({
        "type": "object",
        "required": ["list", "pagination"],
        "properties": {
            "list": { "type": "array", "items": item },
            "pagination": {
                "type": "object",
                "required": ["page", "page_size", "total", "total_pages"],
                "properties": { "page": n, "page_size": n, "total": n, "total_pages": n },
            },
        },
    })
}

fn error(status: u16) -> (Value, Value) {
    let (code, message) = match status {
        401 => (10002, "未授权"),
        403 => (10003, "权限不足"),
        404 => (10004, "资源不存在"),
        409 => (10005, "资源冲突"),
        413 => (10001, "请求体过大"),
        415 => (10001, "不支持的文件类型"),
        422 => (10006, "业务校验失败"),
        429 => (10007, "请求过于频繁"),
        _ => (10001, "参数错误"),
    };
    let schema = envelope(false, json!({ "type": "integer", "minimum": 10000 }), None);
    let example = json!({
        "success": false, "code": code, "message": message,
        "timestamp": 1_700_000_000_000_i64, "request_id": "req_0123456789abcdef",
    });
    (schema, example)
}

fn path_param(name: &str) -> Value {
    match name {
        "hash" => {
            json!({ "type": "string", "description": "SHA-256 of the content, 64 hex digits" })
        }
        "task_id" => json!({ "type": "string" }),
        _ => json!({ "type": "integer", "format": "int64", "minimum": 1 }),
    }
}

fn dialect() -> Dialect {
    let skeleton = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("admin_v1: livestock admin back-office API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "The livestock platform's admin API. Answers are `{success, code, message, \
                     data, timestamp, request_id}`; creations answer HTTP 201 with code 201. \
                     Send the token of `POST /auth/login` as `Authorization: Bearer`.",
                )),
        )
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme(
                    "bearer",
                    SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
                )
                .schema(ConfigOut::name(), ConfigOut::schema())
                .schema(ConfigIn::name(), ConfigIn::schema())
                .build(),
        ))
        .build();
    Dialect {
        skeleton,
        security: &["bearer"],
        error,
        path_param,
    }
}

/// Errors of any route that needs a caller, reads a body or a path id.
const ERRORS: &[u16] = &[400, 401, 403, 404, 409, 413, 422, 429];

fn int(min: i64, max: i64) -> Value {
    json!({ "type": "integer", "minimum": min, "maximum": max })
}

fn text(max: u64) -> Value {
    json!({ "type": "string", "maxLength": max })
}

/// A list route with `page`, `page_size` and the given filters.
fn list(
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    filters: &[&'static str],
) -> Op {
    let mut o = op("GET", path, tag, summary)
        .query("page", json!({ "type": "integer", "minimum": 1 }))
        .query("page_size", int(1, 100));
    for f in filters {
        o = o.query(f, json!({ "type": "string" }));
    }
    o.answer(200, ok(page(object())), None).errors(ERRORS)
}

fn get(path: &'static str, tag: &'static str, summary: &'static str) -> Op {
    op("GET", path, tag, summary)
        .answer(200, ok(object()), None)
        .errors(ERRORS)
}

fn create(path: &'static str, tag: &'static str, summary: &'static str, body: Value) -> Op {
    op("POST", path, tag, summary)
        .json(body, None)
        .answer(
            201,
            envelope(true, json!({ "const": 201 }), Some(object())),
            None,
        )
        .errors(ERRORS)
}

fn update(path: &'static str, tag: &'static str, summary: &'static str, body: Value) -> Op {
    op("PUT", path, tag, summary)
        .json(body, None)
        .answer(200, ok(object()), None)
        .errors(ERRORS)
}

fn delete(path: &'static str, tag: &'static str, summary: &'static str) -> Op {
    op("DELETE", path, tag, summary)
        .answer(200, done(), None)
        .errors(ERRORS)
}

/// A `POST` action on one record with an optional JSON body.
fn action(path: &'static str, tag: &'static str, summary: &'static str, body: Value) -> Op {
    op("POST", path, tag, summary)
        .json_optional(body)
        .answer(200, ok(object()), None)
        .answer(200, done(), None)
        .errors(ERRORS)
}

fn props(properties: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": properties, "required": required })
}

fn ops() -> Vec<Op> {
    let ids = props(
        json!({ "ids": { "type": "array", "items": { "type": "integer" }, "minItems": 1, "maxItems": 1000 } }),
        &["ids"],
    );
    let user = json!({
        "username": { "type": "string", "minLength": 3, "maxLength": 20 },
        "password": { "type": "string", "minLength": 6, "maxLength": 128 },
        "real_name": text(50), "phone": { "type": "string" }, "email": { "type": "string" },
        "gender": int(0, 2), "birthday": { "type": "string" }, "address": text(200),
        "id_card": { "type": "string" }, "avatar": { "type": "string" }, "status": int(0, 1),
        "role_ids": { "type": "array", "items": { "type": "integer" } },
    });
    let role = json!({
        "name": text(50), "code": text(50), "description": text(200), "status": int(0, 1),
        "permission_ids": { "type": "array", "items": { "type": "integer" } },
    });
    let upload = json!({
        "type": "object",
        "required": ["file", "type"],
        "properties": {
            "file": { "type": "string", "format": "binary" },
            "type": { "enum": ["avatar", "license", "receipt", "health_record"] },
            "category": text(50),
        },
    });
    let uploads = json!({
        "type": "object",
        "required": ["files", "type"],
        "properties": {
            "files": { "type": "array", "items": { "type": "string", "format": "binary" } },
            "type": { "enum": ["avatar", "license", "receipt", "health_record"] },
            "category": text(50),
        },
    });
    vec![
        op("POST", "/auth/login", "认证授权", "登录")
            .json(
                props(json!({ "username": { "type": "string" }, "password": { "type": "string" }, "captcha": { "type": "string" }, "captcha_key": { "type": "string" } }), &["username", "password"]),
                Some(json!({ "username": "alice", "password": "secret123" })),
            )
            .answer(200, ok(props(json!({
                "token": { "type": "string" }, "refresh_token": { "type": "string" },
                "token_type": { "const": "Bearer" }, "expires_in": { "type": "integer" },
                "user": object(),
            }), &["token", "refresh_token", "token_type", "expires_in", "user"])), None)
            .errors(&[400, 403, 413, 422, 429]),
        op("GET", "/auth/captcha", "认证授权", "验证码")
            .answer(200, ok(props(json!({ "captcha_key": { "type": "string" }, "image": { "type": "string" } }), &["captcha_key", "image"])), None)
            .errors(&[429]),
        op("POST", "/auth/refresh", "认证授权", "刷新令牌")
            .json(props(json!({ "refresh_token": { "type": "string" } }), &["refresh_token"]), None)
            .answer(200, ok(object()), None)
            .errors(&[400, 401, 403, 413, 422]),
        op("POST", "/auth/logout", "认证授权", "退出登录")
            .json_optional(object())
            .answer(200, done(), None)
            .errors(ERRORS),
        get("/auth/user", "认证授权", "当前用户"),
        op("GET", "/auth/menus", "认证授权", "当前用户菜单")
            .answer(200, ok(json!({ "type": "array", "items": object() })), None)
            .errors(ERRORS),
        list("/users", "用户管理", "用户列表", &["keyword", "status", "role_id", "created_start", "created_end"]),
        create("/users", "用户管理", "创建用户", props(user.clone(), &["username", "password"])),
        op("DELETE", "/users", "用户管理", "批量删除用户")
            .json(ids.clone(), Some(json!({ "ids": [2, 3] })))
            .answer(200, ok(object()), None)
            .errors(ERRORS),
        get("/users/{id}", "用户管理", "用户详情"),
        update("/users/{id}", "用户管理", "修改用户", props(user, &[])),
        delete("/users/{id}", "用户管理", "删除用户"),
        action("/users/{id}/reset-password", "用户管理", "重置密码", props(json!({ "new_password": { "type": "string", "minLength": 6, "maxLength": 128 } }), &["new_password"])),
        action("/users/{id}/toggle-status", "用户管理", "启用/禁用", props(json!({ "status": int(0, 1) }), &["status"])),
        list("/roles", "角色权限", "角色列表", &["keyword", "status"]),
        create("/roles", "角色权限", "创建角色", props(role.clone(), &["name"])),
        get("/roles/{id}", "角色权限", "角色详情"),
        update("/roles/{id}", "角色权限", "修改角色", props(role, &[])),
        delete("/roles/{id}", "角色权限", "删除角色"),
        op("GET", "/permissions/tree", "角色权限", "权限树")
            .answer(200, ok(json!({ "type": "array", "items": object() })), None)
            .errors(ERRORS),
        op("GET", "/permissions", "角色权限", "权限列表")
            .query("type", json!({ "enum": ["menu", "button", "api"] }))
            .query("parent_id", json!({ "type": "integer", "minimum": 0 }))
            .query("status", int(0, 1))
            .query("keyword", json!({ "type": "string" }))
            .answer(200, ok(json!({ "type": "array", "items": object() })), None)
            .errors(ERRORS),
        create("/permissions", "角色权限", "创建权限", props(json!({
            "name": text(50), "code": text(100), "type": { "enum": ["menu", "button", "api"] },
            "parent_id": { "type": "integer", "minimum": 0 }, "path": text(200), "icon": text(100),
            "sort_order": { "type": "integer" }, "status": int(0, 1),
        }), &["name", "type"])),
        op("POST", "/upload/file", "文件上传", "上传文件")
            .multipart(upload)
            .answer(200, ok(object()), None)
            .errors(&[400, 401, 403, 413, 415, 422]),
        op("POST", "/upload/files", "文件上传", "批量上传")
            .multipart(uploads)
            .answer(200, ok(object()), None)
            .errors(&[400, 401, 403, 413, 415, 422]),
        op("GET", "/uploads/{hash}", "文件上传", "文件内容")
            .raw(200, "image/*", "the file's bytes")
            .raw(200, "application/pdf", "the file's bytes")
            .errors(&[404]),
        op("POST", "/export/users", "导出", "导出用户")
            .json_optional(object())
            .answer(200, ok(object()), None)
            .answer(202, ok(object()), None)
            .errors(ERRORS),
        op("POST", "/export/farms", "导出", "导出养殖场")
            .json_optional(object())
            .answer(200, ok(object()), None)
            .answer(202, ok(object()), None)
            .errors(ERRORS),
        op("POST", "/export/animals", "导出", "导出牲畜")
            .json_optional(object())
            .answer(200, ok(object()), None)
            .answer(202, ok(object()), None)
            .errors(ERRORS),
        op("POST", "/export/orders", "导出", "导出订单")
            .json_optional(object())
            .answer(200, ok(object()), None)
            .answer(202, ok(object()), None)
            .errors(ERRORS),
        op("POST", "/export/financial-records", "导出", "导出财务记录")
            .json_optional(object())
            .answer(200, ok(object()), None)
            .answer(202, ok(object()), None)
            .errors(ERRORS),
        op("POST", "/export/operation-logs", "导出", "导出操作日志")
            .json_optional(object())
            .answer(200, ok(object()), None)
            .answer(202, ok(object()), None)
            .errors(ERRORS),
        get("/export/tasks/{task_id}", "导出", "导出任务"),
        op("GET", "/export/tasks/{task_id}/download", "导出", "下载导出文件")
            .raw(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "the workbook")
            .raw(200, "text/csv", "the CSV file")
            .errors(ERRORS),
        get("/dashboard/statistics", "数据统计", "仪表盘统计"),
        get("/statistics/users", "数据统计", "用户统计")
            .query("start_date", json!({ "type": "string" }))
            .query("end_date", json!({ "type": "string" }))
            .query("granularity", json!({ "type": "string" })),
        list("/notifications", "通知管理", "我的通知", &["is_read", "type"]),
        create("/notifications", "通知管理", "发送通知", props(json!({
            "title": text(200), "content": text(10000), "type": { "type": "string" },
            "user_ids": { "type": "array", "items": { "type": "integer" } },
        }), &["title", "content"])),
        action("/notifications/read-all", "通知管理", "全部已读", object()),
        op("GET", "/notifications/stream", "通知管理", "通知推送 (SSE)")
            .stream(200, "text/event-stream", json!({
                "type": "object",
                "description": "one server-sent event: `unread_count` with `{unread_count}`, or `notification`",
                "properties": {
                    "event": { "enum": ["unread_count", "notification"] },
                    "data": { "type": "string" },
                    "id": { "type": "string" },
                    "retry": { "type": "integer" },
                },
            }))
            .errors(ERRORS),
        action("/notifications/{id}/read", "通知管理", "标记已读", object()),
        op("GET", "/system/configs", "系统管理", "系统配置")
            .query("config_key", json!({ "type": "string" }))
            .query("is_public", int(0, 1))
            .answer(200, ok(json!({ "type": "array", "items": r("ConfigOut") })), None)
            .errors(ERRORS),
        op("PUT", "/system/configs/{id}", "系统管理", "修改配置")
            .json(r("ConfigIn"), Some(json!({ "config_value": "false" })))
            .answer(200, ok(r("ConfigOut")), None)
            .errors(ERRORS),
        list("/system/operation-logs", "系统管理", "操作日志", &["user_id", "module", "action", "start_time", "end_time", "keyword"]),
        list("/operation-logs", "系统管理", "操作日志 (别名)", &["user_id", "module", "action", "start_time", "end_time", "keyword"]),
        list("/farms", "养殖场管理", "养殖场列表", &["keyword", "status", "type", "owner_id"]),
        create("/farms", "养殖场管理", "创建养殖场", props(json!({ "name": text(100), "code": text(50), "type": { "type": "string" }, "address": text(200) }), &["name"])),
        get("/farms/{id}", "养殖场管理", "养殖场详情"),
        update("/farms/{id}", "养殖场管理", "修改养殖场", object()),
        delete("/farms/{id}", "养殖场管理", "删除养殖场"),
        action("/farms/{id}/audit", "养殖场管理", "审核养殖场", props(json!({ "status": { "type": "integer" }, "remark": text(500) }), &["status"])),
        get("/farms/{id}/statistics", "养殖场管理", "养殖场统计"),
        list("/animal-categories", "动物管理", "动物分类", &["keyword", "parent_id", "status"]),
        create("/animal-categories", "动物管理", "创建分类", props(json!({ "name": text(50), "code": text(50), "parent_id": { "type": "integer" } }), &["name"])),
        get("/animal-categories/{id}", "动物管理", "分类详情"),
        update("/animal-categories/{id}", "动物管理", "修改分类", object()),
        delete("/animal-categories/{id}", "动物管理", "删除分类"),
        list("/animals", "动物管理", "动物列表", &["keyword", "farm_id", "category_id", "status", "gender", "health_status"]),
        create("/animals", "动物管理", "创建动物", props(json!({ "farm_id": { "type": "integer" }, "category_id": { "type": "integer" }, "code": text(50) }), &["farm_id", "category_id"])),
        get("/animals/{id}", "动物管理", "动物详情"),
        update("/animals/{id}", "动物管理", "修改动物", object()),
        delete("/animals/{id}", "动物管理", "删除动物"),
        list("/animals/{id}/health-records", "动物管理", "健康记录", &["record_type", "start_date", "end_date"]),
        create("/animals/{id}/health-records", "动物管理", "添加健康记录", props(json!({ "record_type": { "type": "string" }, "record_date": { "type": "string" }, "description": text(1000) }), &["record_type"])),
        list("/orders", "订单管理", "订单列表", &["keyword", "status", "order_type", "farm_id", "start_date", "end_date"]),
        create("/orders", "订单管理", "创建订单", props(json!({ "order_type": { "type": "string" }, "farm_id": { "type": "integer" }, "items": { "type": "array", "items": object() } }), &["items"])),
        get("/orders/{id}", "订单管理", "订单详情"),
        update("/orders/{id}", "订单管理", "修改订单", object()),
        delete("/orders/{id}", "订单管理", "删除订单"),
        action("/orders/{id}/audit", "订单管理", "审核订单", props(json!({ "approved": { "type": "boolean" }, "remark": text(500) }), &[])),
        action("/orders/{id}/pay", "订单管理", "支付", object()),
        action("/orders/{id}/ship", "订单管理", "发货", object()),
        action("/orders/{id}/deliver", "订单管理", "送达", object()),
        action("/orders/{id}/complete", "订单管理", "完成", object()),
        action("/orders/{id}/cancel", "订单管理", "取消", object()),
        action("/orders/{id}/refund", "订单管理", "退款", object()),
        list("/financial-records", "财务管理", "财务记录", &["type", "category", "farm_id", "start_date", "end_date", "keyword"]),
        create("/financial-records", "财务管理", "创建财务记录", props(json!({ "type": { "enum": ["income", "expense"] }, "amount": { "type": "number" }, "category": text(50) }), &["type", "amount"])),
        get("/financial-records/statistics", "财务管理", "财务统计")
            .query("farm_id", json!({ "type": "integer" }))
            .query("start_date", json!({ "type": "string" }))
            .query("end_date", json!({ "type": "string" })),
        get("/financial-records/{id}", "财务管理", "财务记录详情"),
        update("/financial-records/{id}", "财务管理", "修改财务记录", object()),
        delete("/financial-records/{id}", "财务管理", "删除财务记录"),
    ]
}

fn routes() -> Vec<Routed> {
    super::ROUTES
        .iter()
        .map(|r| Routed {
            method: r.method,
            path: r.path,
            needs_caller: r.access != Access::Public,
        })
        .collect()
}

/// The document of this dialect mounted at `prefix`.
pub fn document(prefix: &str) -> Value {
    openapi::build(&dialect(), prefix, &routes(), &ops())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_is_documented_once_and_nothing_else() {
        let problems = crate::http::openapi::drift(&super::routes(), &super::ops());
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
