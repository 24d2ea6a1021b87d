//! The `admin_v1` OpenAPI document: [`super::ROUTES`] with one [`Op`] per route.
//!
//! Every answer is the envelope `{success, code, message, data?, errors?, timestamp,
//! request_id}`; lists are `{list, pagination}`. Each success's `data` is the schema derived
//! (`utoipa::ToSchema`) from the `Serialize` type its handler answers, registered in
//! [`Answers`] as the operation names it; the envelope is written here (it is generic).

use serde_json::{Value, json};
use utoipa::{PartialSchema, ToSchema};

use super::reply::Paged;
use super::system::{ConfigIn, ConfigOut};
use super::{
    Access, animal_categories as categories, animals, auth, exports, farms, finance,
    health_records as health, notifications, orders, permissions, roles, statistics, uploads,
    users,
};
use crate::http::openapi::{self, Answers, Dialect, Op, op};

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
    let mut schema = json!({ "type": "object", "required": required, "properties": properties });
    if success {
        // A success never carries `errors`, and `data` only where documented.
        schema["additionalProperties"] = json!(false);
    }
    schema
}

/// 200 with `data`.
fn ok(data: Value) -> Value {
    envelope(true, json!({ "const": 200 }), Some(data))
}

/// 200 without `data` (logout, deletes, resets).
fn done() -> Value {
    envelope(true, json!({ "const": 200 }), None)
}

fn object() -> Value {
    json!({ "type": "object" })
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

/// The document's parts.
pub fn dialect() -> Dialect {
    let mut skeleton = openapi::skeleton(
        "admin_v1: livestock admin back-office API",
        "The livestock platform's admin API. Answers are `{success, code, message, data, \
         timestamp, request_id}`; creations answer HTTP 201 with code 201. Send the token of \
         `POST /auth/login` as `Authorization: Bearer`.",
    );
    skeleton
        .components
        .get_or_insert_with(Default::default)
        .schemas
        .insert(ConfigIn::name().into_owned(), ConfigIn::schema());
    let answers = Answers::default();
    Dialect {
        skeleton,
        security: &["bearer"],
        error,
        path_param,
        routes: openapi::routed(super::ROUTES, |a| a != Access::Public),
        ops: ops(&answers),
        answers,
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

/// A list route with `page`, `page_size` and the given filters, answering `page`.
fn list(
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    filters: &[&'static str],
    page: Value,
) -> Op {
    let mut o = op("GET", path, tag, summary)
        .query("page", json!({ "type": "integer", "minimum": 1 }))
        .query("page_size", int(1, 100));
    for f in filters {
        o = o.query(f, json!({ "type": "string" }));
    }
    o.answer(200, ok(page), None).errors(ERRORS)
}

fn get(path: &'static str, tag: &'static str, summary: &'static str, data: Value) -> Op {
    op("GET", path, tag, summary)
        .answer(200, ok(data), None)
        .errors(ERRORS)
}

/// HTTP 201 with code 201.
fn create(
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    body: Value,
    data: Value,
) -> Op {
    op("POST", path, tag, summary)
        .json(body, None)
        .answer(
            201,
            envelope(true, json!({ "const": 201 }), Some(data)),
            None,
        )
        .errors(ERRORS)
}

fn update(
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    body: Value,
    data: Value,
) -> Op {
    op("PUT", path, tag, summary)
        .json(body, None)
        .answer(200, ok(data), None)
        .errors(ERRORS)
}

fn delete(path: &'static str, tag: &'static str, summary: &'static str) -> Op {
    op("DELETE", path, tag, summary)
        .answer(200, done(), None)
        .errors(ERRORS)
}

/// A `POST` action on one record with an optional JSON body, answering `data` (or no `data`
/// when `None`).
fn action(
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    body: Value,
    data: Option<Value>,
) -> Op {
    let answer = data.map_or_else(done, ok);
    op("POST", path, tag, summary)
        .json_optional(body)
        .answer(200, answer, None)
        .errors(ERRORS)
}

fn props(properties: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": properties, "required": required })
}

fn ops(a: &Answers) -> Vec<Op> {
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
    let logs = &[
        "user_id",
        "module",
        "action",
        "ip",
        "start_date",
        "end_date",
    ];
    let export = |path: &'static str, summary: &'static str| {
        op("POST", path, "导出", summary)
            .json_optional(object())
            .answer(200, ok(a.of::<exports::QueuedOut>()), None)
            .errors(ERRORS)
    };
    vec![
        op("POST", "/auth/login", "认证授权", "登录")
            .json(
                props(json!({ "username": { "type": "string" }, "password": { "type": "string" }, "captcha": { "type": "string" }, "captcha_key": { "type": "string" } }), &["username", "password"]),
                Some(json!({ "username": "alice", "password": "secret123" })),
            )
            .answer(200, ok(a.of::<auth::LoginOut>()), None)
            .errors(&[400, 403, 413, 422, 429]),
        op("GET", "/auth/captcha", "认证授权", "验证码")
            .answer(200, ok(a.of::<auth::CaptchaOut>()), None)
            .errors(&[429]),
        op("POST", "/auth/refresh", "认证授权", "刷新令牌")
            .json(props(json!({ "refresh_token": { "type": "string" } }), &["refresh_token"]), None)
            .answer(200, ok(a.of::<auth::RefreshOut>()), None)
            .errors(&[400, 401, 403, 413, 422]),
        op("POST", "/auth/logout", "认证授权", "退出登录")
            .json_optional(object())
            .answer(200, done(), None)
            .errors(ERRORS),
        get("/auth/user", "认证授权", "当前用户", a.of::<auth::CurrentUserOut>()),
        get("/auth/menus", "认证授权", "当前用户菜单", a.list::<auth::MenuOut>()),
        list("/users", "用户管理", "用户列表", &["keyword", "status", "role_id", "created_start", "created_end"], page::<users::UserItemOut>(a)),
        create("/users", "用户管理", "创建用户", props(user.clone(), &["username", "password"]), a.of::<users::CreatedOut>()),
        op("DELETE", "/users", "用户管理", "批量删除用户")
            .json(ids.clone(), Some(json!({ "ids": [2, 3] })))
            .answer(200, ok(a.of::<users::DeletedOut>()), None)
            .errors(ERRORS),
        get("/users/{id}", "用户管理", "用户详情", a.of::<users::UserDetailOut>()),
        update("/users/{id}", "用户管理", "修改用户", props(user, &[]), a.of::<users::UpdatedOut>()),
        delete("/users/{id}", "用户管理", "删除用户"),
        action("/users/{id}/reset-password", "用户管理", "重置密码", props(json!({ "new_password": { "type": "string", "minLength": 6, "maxLength": 128 } }), &["new_password"]), None),
        action("/users/{id}/toggle-status", "用户管理", "启用/禁用", props(json!({ "status": int(0, 1) }), &["status"]), Some(a.of::<users::StatusOut>())),
        list("/roles", "角色权限", "角色列表", &["keyword", "status"], page::<roles::RoleItemOut>(a)),
        create("/roles", "角色权限", "创建角色", props(role.clone(), &["name"]), a.of::<roles::RoleOut>()),
        get("/roles/{id}", "角色权限", "角色详情", a.of::<roles::RoleDetailOut>()),
        update("/roles/{id}", "角色权限", "修改角色", props(role, &[]), a.of::<roles::RoleOut>()),
        delete("/roles/{id}", "角色权限", "删除角色"),
        get("/permissions/tree", "角色权限", "权限树", a.list::<permissions::NodeOut>()),
        op("GET", "/permissions", "角色权限", "权限列表")
            .query("type", json!({ "enum": ["menu", "button", "api"] }))
            .query("parent_id", json!({ "type": "integer", "minimum": 0 }))
            .query("status", int(0, 1))
            .query("keyword", json!({ "type": "string" }))
            .answer(200, ok(a.list::<permissions::PermissionOut>()), None)
            .errors(ERRORS),
        create("/permissions", "角色权限", "创建权限", props(json!({
            "name": text(50), "code": text(100), "type": { "enum": ["menu", "button", "api"] },
            "parent_id": { "type": "integer", "minimum": 0 }, "path": text(200), "icon": text(100),
            "sort_order": { "type": "integer" }, "status": int(0, 1),
        }), &["name", "type"]), a.of::<permissions::PermissionOut>()),
        op("POST", "/upload/file", "文件上传", "上传文件")
            .multipart(upload)
            .answer(200, ok(a.of::<uploads::FileOut>()), None)
            .errors(&[400, 401, 403, 413, 415, 422]),
        op("POST", "/upload/files", "文件上传", "批量上传")
            .multipart(uploads)
            .answer(200, ok(a.of::<uploads::BatchOut>()), None)
            .errors(&[400, 401, 403, 413, 415, 422]),
        op("GET", "/uploads/{hash}", "文件上传", "文件内容")
            .raw(200, "image/*", "the file's bytes")
            .raw(200, "application/pdf", "the file's bytes")
            .errors(&[404]),
        export("/export/users", "导出用户"),
        export("/export/farms", "导出养殖场"),
        export("/export/animals", "导出牲畜"),
        export("/export/orders", "导出订单"),
        export("/export/financial-records", "导出财务记录"),
        export("/export/operation-logs", "导出操作日志"),
        get("/export/tasks/{task_id}", "导出", "导出任务", a.of::<exports::TaskOut>()),
        op("GET", "/export/tasks/{task_id}/download", "导出", "下载导出文件")
            .raw(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "the workbook")
            .raw(200, "text/csv", "the CSV file")
            .errors(ERRORS),
        get("/dashboard/statistics", "数据统计", "仪表盘统计", a.of::<statistics::DashboardOut>())
            .query("start_date", json!({ "type": "string" }))
            .query("end_date", json!({ "type": "string" })),
        get("/statistics/users", "数据统计", "用户统计", a.of::<statistics::UserStatisticsOut>())
            .query("start_date", json!({ "type": "string" }))
            .query("end_date", json!({ "type": "string" }))
            .query("group_by", json!({ "enum": ["day", "month", "year"] })),
        list("/notifications", "通知管理", "我的通知", &["is_read", "type", "status"], a.of::<notifications::ListOut>()),
        create("/notifications", "通知管理", "发送通知", props(json!({
            "title": text(200), "content": text(10000), "type": { "type": "string" },
            "user_ids": { "type": "array", "items": { "type": "integer" } },
        }), &["title", "content"]), a.of::<notifications::SentOut>()),
        action("/notifications/read-all", "通知管理", "全部已读", object(), Some(a.of::<notifications::ReadAllOut>())),
        op("GET", "/notifications/stream", "通知管理", "通知推送 (SSE)")
            .stream(200, "text/event-stream", json!({
                "type": "object",
                "description": "one server-sent event: `unread_count` with `{unread_count}`, or `notification` with one notification as the list shows it",
                "properties": {
                    "event": { "enum": ["unread_count", "notification"] },
                    "data": { "type": "string" },
                    "id": { "type": "string" },
                    "retry": { "type": "integer" },
                },
            }))
            .errors(ERRORS),
        action("/notifications/{id}/read", "通知管理", "标记已读", object(), None),
        op("GET", "/system/configs", "系统管理", "系统配置")
            .query("config_key", json!({ "type": "string" }))
            .query("is_public", int(0, 1))
            .answer(200, ok(a.list::<ConfigOut>()), None)
            .errors(ERRORS),
        op("PUT", "/system/configs/{id}", "系统管理", "修改配置")
            .json(
                json!({ "$ref": format!("#/components/schemas/{}", ConfigIn::name()) }),
                Some(json!({ "config_value": "false" })),
            )
            .answer(200, ok(a.of::<ConfigOut>()), None)
            .errors(ERRORS),
        list("/system/operation-logs", "系统管理", "操作日志", logs, page::<super::system::LogOut>(a)),
        list("/operation-logs", "系统管理", "操作日志 (别名)", logs, page::<super::system::LogOut>(a)),
        list("/farms", "养殖场管理", "养殖场列表", &["keyword", "status", "type", "province", "city", "user_id"], page::<farms::FarmItemOut>(a)),
        create("/farms", "养殖场管理", "创建养殖场", props(json!({ "name": text(100), "code": text(50), "type": { "type": "string" }, "address": text(200) }), &["name"]), a.of::<farms::FarmDetailOut>()),
        get("/farms/{id}", "养殖场管理", "养殖场详情", a.of::<farms::FarmDetailOut>()),
        update("/farms/{id}", "养殖场管理", "修改养殖场", object(), a.of::<farms::FarmDetailOut>()),
        delete("/farms/{id}", "养殖场管理", "删除养殖场"),
        action("/farms/{id}/audit", "养殖场管理", "审核养殖场", props(json!({ "status": { "type": "integer" }, "audit_notes": text(500) }), &["status"]), Some(a.of::<farms::AuditOut>())),
        get("/farms/{id}/statistics", "养殖场管理", "养殖场统计", a.of::<farms::StatisticsOut>())
            .query("start_date", json!({ "type": "string" }))
            .query("end_date", json!({ "type": "string" })),
        list("/animal-categories", "动物管理", "动物分类", &["keyword"], page::<categories::CategoryOut>(a)),
        create("/animal-categories", "动物管理", "创建分类", props(json!({ "name": text(50), "code": text(50), "description": { "type": "string" } }), &["name"]), a.of::<categories::CategoryOut>()),
        get("/animal-categories/{id}", "动物管理", "分类详情", a.of::<categories::CategoryOut>()),
        update("/animal-categories/{id}", "动物管理", "修改分类", object(), a.of::<categories::CategoryOut>()),
        delete("/animal-categories/{id}", "动物管理", "删除分类"),
        list("/animals", "动物管理", "动物列表", &["keyword", "farm_id", "category_id", "breed", "status", "gender", "health_status"], page::<animals::AnimalItemOut>(a)),
        create("/animals", "动物管理", "创建动物", props(json!({ "farm_id": { "type": "integer" }, "category_id": { "type": "integer" }, "code": text(50) }), &["farm_id", "category_id"]), a.of::<animals::AnimalDetailOut>()),
        get("/animals/{id}", "动物管理", "动物详情", a.of::<animals::AnimalDetailOut>()),
        update("/animals/{id}", "动物管理", "修改动物", object(), a.of::<animals::AnimalDetailOut>()),
        delete("/animals/{id}", "动物管理", "删除动物"),
        list("/animals/{id}/health-records", "动物管理", "健康记录", &["record_type", "start_date", "end_date"], page::<health::RecordOut>(a)),
        create("/animals/{id}/health-records", "动物管理", "添加健康记录", props(json!({ "record_type": { "type": "string" }, "record_date": { "type": "string" }, "notes": text(1000) }), &["record_type"]), a.of::<health::RecordOut>()),
        list("/orders", "订单管理", "订单列表", &["keyword", "order_type", "order_status", "payment_status", "buyer_id", "seller_id", "farm_id", "start_date", "end_date"], page::<orders::OrderItemOut>(a)),
        create("/orders", "订单管理", "创建订单", props(json!({ "order_type": { "type": "string" }, "farm_id": { "type": "integer" }, "items": { "type": "array", "items": object() } }), &["items"]), a.of::<orders::OrderDetailOut>()),
        get("/orders/{id}", "订单管理", "订单详情", a.of::<orders::OrderDetailOut>()),
        update("/orders/{id}", "订单管理", "修改订单", object(), a.of::<orders::OrderDetailOut>()),
        delete("/orders/{id}", "订单管理", "删除订单"),
        order_action("/orders/{id}/audit", "审核订单", props(json!({ "action": { "enum": ["approve", "reject"] }, "notes": text(500) }), &["action"]), a),
        order_action("/orders/{id}/pay", "支付", props(json!({ "payment_method": { "enum": ["alipay", "wechat", "bank_transfer", "cash", "other"] } }), &["payment_method"]), a),
        order_action("/orders/{id}/ship", "发货", props(json!({ "shipping_method": { "type": "string" }, "tracking_number": { "type": "string" } }), &[]), a),
        order_action("/orders/{id}/deliver", "送达", object(), a),
        order_action("/orders/{id}/complete", "完成", object(), a),
        order_action("/orders/{id}/cancel", "取消", props(json!({ "reason": { "type": "string" } }), &[]), a),
        order_action("/orders/{id}/refund", "退款", props(json!({ "refund_amount": { "type": ["number", "string"] }, "refund_reason": { "type": "string" }, "notes": { "type": "string" } }), &[]), a),
        list("/financial-records", "财务管理", "财务记录", &["record_type", "category", "user_id", "farm_id", "start_date", "end_date", "min_amount", "max_amount"], a.of::<finance::RecordPage>()),
        create("/financial-records", "财务管理", "创建财务记录", props(json!({ "record_type": { "enum": ["income", "expense"] }, "amount": { "type": "number" }, "category": text(50) }), &["record_type", "amount"]), a.of::<finance::RecordOut>()),
        get("/financial-records/statistics", "财务管理", "财务统计", a.of::<finance::StatsOut>())
            .query("farm_id", json!({ "type": "integer" }))
            .query("user_id", json!({ "type": "integer" }))
            .query("start_date", json!({ "type": "string" }))
            .query("end_date", json!({ "type": "string" }))
            .query("group_by", json!({ "enum": ["day", "month", "year"] })),
        get("/financial-records/{id}", "财务管理", "财务记录详情", a.of::<finance::RecordOut>()),
        update("/financial-records/{id}", "财务管理", "修改财务记录", object(), a.of::<finance::RecordOut>()),
        delete("/financial-records/{id}", "财务管理", "删除财务记录"),
    ]
}

/// `{list, pagination}` of `T`, as `Paged_T` (registering `T` for what it refers to).
fn page<T: ToSchema + serde::Serialize>(a: &Answers) -> Value {
    a.of::<T>();
    a.named::<Paged<T>>(&format!("Paged_{}", T::name()))
}

/// An order action: the order's state and the fields the action set.
fn order_action(path: &'static str, summary: &'static str, body: Value, a: &Answers) -> Op {
    action(
        path,
        "订单管理",
        summary,
        body,
        Some(a.of::<orders::ActionOut>()),
    )
}

/// The document of this dialect mounted at `prefix`.
pub fn document(prefix: &str) -> Value {
    dialect().document(prefix)
}
