//! The `admin_v1` dialect (`/admin/v1`): the livestock platform's admin back-office API.
//! Contract: `CONTRACT.md`.
//!
//! Every route of the dialect is listed twice, on purpose, in this one file: in [`ROUTES`]
//! with what it needs (public, any logged-in user, or one permission code of the
//! [`crate::domain::access::catalog`]), and in [`router`] with its handler. The route guard
//! ([`guard::guard`], through [`crate::http::guard`]) enforces the table; a routed path missing from the table is refused to
//! everyone, and the test suite walks the table.

mod animal_categories;
mod animals;
mod auth;
mod error;
mod exports;
mod extract;
mod farms;
mod finance;
mod guard;
mod health_records;
mod livestock;
mod livestock_routes;
mod notifications;
mod notify;
pub mod openapi;
pub mod oplog;
mod orders;
mod permissions;
mod reply;
mod roles;
mod statistics;
mod system;
mod trade;
mod trade_routes;
mod uploads;
mod users;
pub mod words;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::AppState;

/// What a route of this dialect requires: the kinds of
/// [`crate::domain::access::Requirement`] the document uses (no role levels, no API rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// Any logged-in user.
    Login,
    /// A user who holds this permission (super admins hold every permission).
    Permission(&'static str),
}

impl Access {
    /// The requirement of the one authorisation decision.
    pub fn requirement(self) -> crate::domain::access::Requirement {
        use crate::domain::access::Requirement;
        match self {
            Access::Public => Requirement::Public,
            Access::Login => Requirement::Login,
            Access::Permission(code) => Requirement::Permission(code),
        }
    }
}

/// One route: method, path as routed (relative to the prefix), and what it requires.
pub type RouteRule = crate::domain::access::routes::RouteRule<Access>;
use crate::domain::access::routes::rule;

use Access::{Login, Permission as P, Public};

/// Every route of the dialect and the permission it needs.
pub const ROUTES: &[RouteRule] = &[
    // §2 认证授权
    rule("POST", "/auth/login", Public),
    rule("GET", "/auth/captcha", Public),
    rule("POST", "/auth/refresh", Public),
    rule("POST", "/auth/logout", Login),
    rule("GET", "/auth/user", Login),
    rule("GET", "/auth/menus", Login),
    // §3 用户管理
    rule("GET", "/users", P("system:user:view")),
    rule("POST", "/users", P("system:user:create")),
    rule("DELETE", "/users", P("system:user:delete")),
    rule("GET", "/users/{id}", P("system:user:view")),
    rule("PUT", "/users/{id}", P("system:user:update")),
    rule("DELETE", "/users/{id}", P("system:user:delete")),
    rule(
        "POST",
        "/users/{id}/reset-password",
        P("system:user:reset-password"),
    ),
    rule(
        "POST",
        "/users/{id}/toggle-status",
        P("system:user:toggle-status"),
    ),
    // §4 角色权限管理
    rule("GET", "/roles", P("system:role:view")),
    rule("POST", "/roles", P("system:role:create")),
    rule("GET", "/roles/{id}", P("system:role:view")),
    rule("PUT", "/roles/{id}", P("system:role:update")),
    rule("DELETE", "/roles/{id}", P("system:role:delete")),
    rule("GET", "/permissions/tree", P("system:permission:view")),
    rule("GET", "/permissions", P("system:permission:view")),
    rule("POST", "/permissions", P("system:permission:create")),
    // §11 文件上传 (and serving what was stored: the hash is the capability)
    rule("POST", "/upload/file", P("system:file:upload")),
    rule("POST", "/upload/files", P("system:file:upload")),
    rule("GET", "/uploads/{hash}", Public),
    // §12 导出功能 (one route per list, each with its export permission)
    rule("POST", "/export/users", P("system:user:export")),
    rule("POST", "/export/farms", P("livestock:farm:export")),
    rule("POST", "/export/animals", P("livestock:animal:export")),
    rule("POST", "/export/orders", P("trade:order:export")),
    rule(
        "POST",
        "/export/financial-records",
        P("trade:financial:export"),
    ),
    rule("POST", "/export/operation-logs", P("system:log:export")),
    rule("GET", "/export/tasks/{task_id}", P("system:export:view")),
    rule(
        "GET",
        "/export/tasks/{task_id}/download",
        P("system:export:view"),
    ),
    // §10 数据统计
    rule("GET", "/dashboard/statistics", P("dashboard:view")),
    rule("GET", "/statistics/users", P("dashboard:statistics")),
    // §13 通知管理: everyone reads and marks their own; sending needs the permission.
    rule("GET", "/notifications", Login),
    rule("POST", "/notifications", P("system:notification:send")),
    rule("POST", "/notifications/read-all", Login),
    rule("GET", "/notifications/stream", Login),
    rule("POST", "/notifications/{id}/read", Login),
    // §9 系统管理: system configs and the operation log (system.rs)
    rule("GET", "/system/configs", P("system:config:view")),
    rule("PUT", "/system/configs/{id}", P("system:config:update")),
    rule("GET", "/system/operation-logs", P("system:log:view")),
    rule("GET", "/operation-logs", P("system:log:view")),
    // §5 养殖场管理, §6 动物管理 (livestock.rs)
    rule("GET", "/farms", P("livestock:farm:view")),
    rule("POST", "/farms", P("livestock:farm:create")),
    rule("GET", "/farms/{id}", P("livestock:farm:view")),
    rule("PUT", "/farms/{id}", P("livestock:farm:update")),
    rule("DELETE", "/farms/{id}", P("livestock:farm:delete")),
    rule("POST", "/farms/{id}/audit", P("livestock:farm:audit")),
    rule(
        "GET",
        "/farms/{id}/statistics",
        P("livestock:farm:statistics"),
    ),
    rule("GET", "/animal-categories", P("livestock:category:view")),
    rule("POST", "/animal-categories", P("livestock:category:create")),
    rule(
        "GET",
        "/animal-categories/{id}",
        P("livestock:category:view"),
    ),
    rule(
        "PUT",
        "/animal-categories/{id}",
        P("livestock:category:update"),
    ),
    rule(
        "DELETE",
        "/animal-categories/{id}",
        P("livestock:category:delete"),
    ),
    rule("GET", "/animals", P("livestock:animal:view")),
    rule("POST", "/animals", P("livestock:animal:create")),
    rule("GET", "/animals/{id}", P("livestock:animal:view")),
    rule("PUT", "/animals/{id}", P("livestock:animal:update")),
    rule("DELETE", "/animals/{id}", P("livestock:animal:delete")),
    rule(
        "GET",
        "/animals/{id}/health-records",
        P("livestock:animal:view"),
    ),
    rule(
        "POST",
        "/animals/{id}/health-records",
        P("livestock:animal:health"),
    ),
    // §7 订单管理 (trade; handlers in orders.rs, router in trade.rs)
    rule("GET", "/orders", P("trade:order:view")),
    rule("POST", "/orders", P("trade:order:create")),
    rule("GET", "/orders/{id}", P("trade:order:view")),
    rule("PUT", "/orders/{id}", P("trade:order:update")),
    rule("DELETE", "/orders/{id}", P("trade:order:delete")),
    rule("POST", "/orders/{id}/audit", P("trade:order:audit")),
    rule("POST", "/orders/{id}/pay", P("trade:order:process")),
    rule("POST", "/orders/{id}/ship", P("trade:order:process")),
    rule("POST", "/orders/{id}/deliver", P("trade:order:process")),
    rule("POST", "/orders/{id}/complete", P("trade:order:process")),
    rule("POST", "/orders/{id}/cancel", P("trade:order:process")),
    rule("POST", "/orders/{id}/refund", P("trade:order:refund")),
    // §8 财务管理 (trade; handlers in finance.rs)
    rule("GET", "/financial-records", P("trade:financial:view")),
    rule("POST", "/financial-records", P("trade:financial:create")),
    rule(
        "GET",
        "/financial-records/statistics",
        P("trade:financial:statistics"),
    ),
    rule("GET", "/financial-records/{id}", P("trade:financial:view")),
    rule(
        "PUT",
        "/financial-records/{id}",
        P("trade:financial:update"),
    ),
    rule(
        "DELETE",
        "/financial-records/{id}",
        P("trade:financial:delete"),
    ),
];

/// The rule of a routed `(method, path)` (the operation log names writes from it).
pub fn rule_for(method: &str, path: &str) -> Option<&'static RouteRule> {
    ROUTES
        .iter()
        .find(|r| r.method.eq_ignore_ascii_case(method) && r.path == path)
}

pub fn router(state: &AppState) -> Router<AppState> {
    Router::<extract::AdminState>::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/captcha", get(auth::captcha))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/user", get(auth::current_user))
        .route("/auth/menus", get(auth::menus))
        .route(
            "/users",
            get(users::list)
                .post(users::create)
                .delete(users::delete_many),
        )
        .route(
            "/users/{id}",
            get(users::detail).put(users::update).delete(users::delete),
        )
        .route("/users/{id}/reset-password", post(users::reset_password))
        .route("/users/{id}/toggle-status", post(users::toggle_status))
        .route("/roles", get(roles::list).post(roles::create))
        .route(
            "/roles/{id}",
            get(roles::detail).put(roles::update).delete(roles::delete),
        )
        .route("/permissions/tree", get(permissions::tree))
        .route(
            "/permissions",
            get(permissions::list).post(permissions::create),
        )
        // Uploads enforce `file_max_size` themselves while streaming.
        .route(
            "/upload/file",
            post(uploads::upload_file).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/upload/files",
            post(uploads::upload_files).layer(DefaultBodyLimit::disable()),
        )
        .route("/uploads/{hash}", get(uploads::serve))
        .route("/export/users", post(exports::users))
        .route("/export/farms", post(exports::farms))
        .route("/export/animals", post(exports::animals))
        .route("/export/orders", post(exports::orders))
        .route(
            "/export/financial-records",
            post(exports::financial_records),
        )
        .route("/export/operation-logs", post(exports::operation_logs))
        .route("/export/tasks/{task_id}", get(exports::task))
        .route("/export/tasks/{task_id}/download", get(exports::download))
        .merge(notify::router())
        .merge(system::router())
        .merge(livestock_routes::router())
        .merge(trade_routes::router())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .merge(crate::http::openapi::router(
            &state.config.dialects.admin_v1.prefix,
            openapi::document(&state.config.dialects.admin_v1.prefix),
        ))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::not_found)
        .with_state(extract::AdminState::new(state.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::catalog;

    #[test]
    fn every_route_permission_is_in_the_builtin_catalog() {
        for r in ROUTES {
            if let Access::Permission(code) = r.access {
                assert!(
                    catalog::is_builtin(code),
                    "{} {} needs unknown {code}",
                    r.method,
                    r.path
                );
            }
        }
    }

    #[test]
    fn every_routed_path_is_in_the_table_once() {
        crate::domain::access::routes::assert_table_covers(ROUTES, "src/dialects/admin_v1");
    }
}
