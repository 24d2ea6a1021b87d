//! The built-in permission tree, seeded at start-up (see [`seed`]).
//!
//! It covers every section of the admin back-office document: a menu per page, a button per
//! action. Routes of every dialect name these codes (the `admin_v1` route table is checked
//! against this list by a test). Codes are `section:page:action`.

use super::permissions::{self, PermissionType, SeedNode};
use crate::db::Db;
use crate::error::Result;

const fn menu(
    code: &'static str,
    parent: Option<&'static str>,
    name: &'static str,
    path: &'static str,
    icon: &'static str,
    sort_order: i64,
) -> SeedNode {
    SeedNode {
        code,
        parent,
        name,
        kind: PermissionType::Menu,
        path: Some(path),
        icon: Some(icon),
        sort_order,
    }
}

const fn button(
    code: &'static str,
    parent: &'static str,
    name: &'static str,
    sort_order: i64,
) -> SeedNode {
    SeedNode {
        code,
        parent: Some(parent),
        name,
        kind: PermissionType::Button,
        path: None,
        icon: None,
        sort_order,
    }
}

/// The tree, parents before children.
pub const BUILTIN: &[SeedNode] = &[
    // 系统管理
    menu("system", None, "系统管理", "/system", "system", 1),
    menu(
        "system:user",
        Some("system"),
        "用户管理",
        "/system/users",
        "user",
        1,
    ),
    button("system:user:view", "system:user", "查看用户", 1),
    button("system:user:create", "system:user", "创建用户", 2),
    button("system:user:update", "system:user", "编辑用户", 3),
    button("system:user:delete", "system:user", "删除用户", 4),
    button("system:user:reset-password", "system:user", "重置密码", 5),
    button(
        "system:user:toggle-status",
        "system:user",
        "启用/禁用用户",
        6,
    ),
    button("system:user:export", "system:user", "导出用户", 7),
    menu(
        "system:role",
        Some("system"),
        "角色管理",
        "/system/roles",
        "role",
        2,
    ),
    button("system:role:view", "system:role", "查看角色", 1),
    button("system:role:create", "system:role", "创建角色", 2),
    button("system:role:update", "system:role", "编辑角色", 3),
    button("system:role:delete", "system:role", "删除角色", 4),
    menu(
        "system:permission",
        Some("system"),
        "权限管理",
        "/system/permissions",
        "permission",
        3,
    ),
    button("system:permission:view", "system:permission", "查看权限", 1),
    button(
        "system:permission:create",
        "system:permission",
        "创建权限",
        2,
    ),
    // §9 系统配置 + 操作日志 (platform: runtime settings store, operation log of every
    // dialect; routes in dialects/admin_v1/system.rs)
    menu(
        "system:config",
        Some("system"),
        "系统配置",
        "/system/configs",
        "setting",
        4,
    ),
    button("system:config:view", "system:config", "查看配置", 1),
    button("system:config:update", "system:config", "修改配置", 2),
    menu(
        "system:log",
        Some("system"),
        "操作日志",
        "/system/operation-logs",
        "log",
        5,
    ),
    button("system:log:view", "system:log", "查看日志", 1),
    button("system:log:export", "system:log", "导出日志", 2),
    menu(
        "system:file",
        Some("system"),
        "文件管理",
        "/system/files",
        "upload",
        6,
    ),
    button("system:file:upload", "system:file", "上传文件", 1),
    menu(
        "system:export",
        Some("system"),
        "导出任务",
        "/system/exports",
        "download",
        7,
    ),
    button("system:export:view", "system:export", "查看导出任务", 1),
    // §13 通知管理 and §10 数据统计 (platform: notifications, dashboard, statistics). Reading
    // and marking one's own notifications needs only a login; these gate sending and the
    // statistics pages.
    menu(
        "system:notification",
        Some("system"),
        "通知管理",
        "/system/notifications",
        "message",
        8,
    ),
    button(
        "system:notification:view",
        "system:notification",
        "查看通知",
        1,
    ),
    button(
        "system:notification:send",
        "system:notification",
        "发送通知",
        2,
    ),
    // 数据统计
    menu("dashboard", None, "数据统计", "/dashboard", "dashboard", 2),
    button("dashboard:view", "dashboard", "仪表板统计", 1),
    button("dashboard:statistics", "dashboard", "业务统计", 2),
    // 养殖场管理
    menu("livestock", None, "养殖管理", "/livestock", "farm", 3),
    menu(
        "livestock:farm",
        Some("livestock"),
        "养殖场管理",
        "/livestock/farms",
        "farm",
        1,
    ),
    button("livestock:farm:view", "livestock:farm", "查看养殖场", 1),
    button("livestock:farm:create", "livestock:farm", "创建养殖场", 2),
    button("livestock:farm:update", "livestock:farm", "编辑养殖场", 3),
    button("livestock:farm:delete", "livestock:farm", "删除养殖场", 4),
    button("livestock:farm:audit", "livestock:farm", "审核养殖场", 5),
    button(
        "livestock:farm:statistics",
        "livestock:farm",
        "养殖场统计",
        6,
    ),
    button("livestock:farm:export", "livestock:farm", "导出养殖场", 7),
    menu(
        "livestock:animal",
        Some("livestock"),
        "动物管理",
        "/livestock/animals",
        "animal",
        2,
    ),
    button("livestock:animal:view", "livestock:animal", "查看动物", 1),
    button("livestock:animal:create", "livestock:animal", "创建动物", 2),
    button("livestock:animal:update", "livestock:animal", "编辑动物", 3),
    button("livestock:animal:delete", "livestock:animal", "删除动物", 4),
    button("livestock:animal:health", "livestock:animal", "健康记录", 5),
    button("livestock:animal:export", "livestock:animal", "导出动物", 6),
    menu(
        "livestock:category",
        Some("livestock"),
        "动物分类",
        "/livestock/animal-categories",
        "category",
        3,
    ),
    button(
        "livestock:category:view",
        "livestock:category",
        "查看分类",
        1,
    ),
    button(
        "livestock:category:create",
        "livestock:category",
        "创建分类",
        2,
    ),
    button(
        "livestock:category:update",
        "livestock:category",
        "编辑分类",
        3,
    ),
    button(
        "livestock:category:delete",
        "livestock:category",
        "删除分类",
        4,
    ),
    // 交易管理
    menu("trade", None, "交易管理", "/trade", "order", 4),
    menu(
        "trade:order",
        Some("trade"),
        "订单管理",
        "/trade/orders",
        "order",
        1,
    ),
    button("trade:order:view", "trade:order", "查看订单", 1),
    button("trade:order:create", "trade:order", "创建订单", 2),
    button("trade:order:update", "trade:order", "编辑订单", 3),
    button("trade:order:delete", "trade:order", "删除订单", 4),
    button("trade:order:audit", "trade:order", "审核订单", 5),
    button(
        "trade:order:process",
        "trade:order",
        "订单发货/收货/完成/取消",
        6,
    ),
    button("trade:order:refund", "trade:order", "订单退款", 7),
    button("trade:order:export", "trade:order", "导出订单", 8),
    menu(
        "trade:financial",
        Some("trade"),
        "财务记录",
        "/trade/financial-records",
        "money",
        2,
    ),
    button("trade:financial:view", "trade:financial", "查看财务记录", 1),
    button(
        "trade:financial:create",
        "trade:financial",
        "创建财务记录",
        2,
    ),
    button(
        "trade:financial:update",
        "trade:financial",
        "编辑财务记录",
        3,
    ),
    button(
        "trade:financial:delete",
        "trade:financial",
        "删除财务记录",
        4,
    ),
    button(
        "trade:financial:statistics",
        "trade:financial",
        "财务统计",
        5,
    ),
    button(
        "trade:financial:export",
        "trade:financial",
        "导出财务记录",
        6,
    ),
];

/// Roles that receive each newly seeded permission (super admins need no grant: they may do
/// everything). An administrator may later take permissions away from `admin`; a restart
/// does not give them back.
pub const GRANTED_TO: &[&str] = &[super::ADMIN];

/// Seeds [`BUILTIN`] idempotently. Called once at start-up.
pub async fn seed(db: &Db) -> Result<()> {
    permissions::seed(db, BUILTIN, GRANTED_TO).await
}

/// Whether `code` is one of the built-in codes.
pub fn is_builtin(code: &str) -> bool {
    BUILTIN.iter().any(|n| n.code == code)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_are_unique_and_parents_come_first() {
        let mut seen = HashSet::new();
        for node in BUILTIN {
            if let Some(parent) = node.parent {
                assert!(seen.contains(parent), "{} before its parent", node.code);
            }
            assert!(seen.insert(node.code), "duplicate {}", node.code);
            assert!(permissions::check_code("code", node.code).is_ok());
        }
    }
}
