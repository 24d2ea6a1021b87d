//! Acting on accounts: the one place that decides who may act on whom (decisions §7) for
//! every write on an account in every dialect — profile, email, login name, password,
//! status, roles/groups, direct permissions, staff/superuser flags, hanzi role, delete.
//!
//! * [`rules`] — the decision itself, pure.
//! * [`check_tx`] — loads the facts (who acts, the target as it is, what the requested
//!   roles and permissions carry) inside the caller's transaction and decides.
//! * [`manage`] — account administration on behalf of an actor (`admin_v1`, `hanzi`,
//!   `ops_v1`), every write checked here first.
//! * [`memberships`] — members of a role added or removed, a user's roles replaced, each
//!   checked here first.
//!
//! Dialects only render the refusal ([`Error::Forbidden`]).

pub mod bootstrap;
pub mod enrol;
pub mod holdings;
pub mod manage;
pub mod memberships;
pub mod register;
pub mod rules;

pub use register::register;

use std::collections::BTreeSet;

use rules::{Actor, Carried, Held, Level, RoleChange, Target, Write};

use crate::db::{Sql, Tx};
use crate::domain::access::{ADMIN, SUPER_ADMIN};
use crate::domain::identity::Principal;
use crate::error::{Entity, Error, Result};

/// What a request wants to do to one account. Role and permission sets are complete (the
/// account's new set); only what differs from the current set counts as a change.
#[derive(Debug, Clone, Default)]
pub struct Intent {
    /// Profile fields, email or login name.
    pub profile: bool,
    pub password: bool,
    pub active: Option<bool>,
    /// The account's complete new set of role (group) ids.
    pub roles: Option<Vec<i64>>,
    /// The account's complete new set of direct permission ids.
    pub permissions: Option<Vec<i64>>,
    pub delete: bool,
}

impl Intent {
    pub fn profile() -> Self {
        Self {
            profile: true,
            ..Self::default()
        }
    }
    pub fn password() -> Self {
        Self {
            password: true,
            ..Self::default()
        }
    }
    pub fn status(active: bool) -> Self {
        Self {
            active: Some(active),
            ..Self::default()
        }
    }
    pub fn delete() -> Self {
        Self {
            delete: true,
            ..Self::default()
        }
    }
}

/// The level the codes of someone's enabled roles give.
pub fn level_of(codes: &[String]) -> Level {
    if codes.iter().any(|c| c == SUPER_ADMIN) {
        Level::SuperAdmin
    } else if codes.iter().any(|c| c == ADMIN) {
        Level::Admin
    } else {
        Level::User
    }
}

/// Enabled permissions held through enabled roles or directly (as `access::check`).
async fn held_ids(tx: &mut Tx<'_>, user_id: i64) -> Result<BTreeSet<i64>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT p.id FROM permissions p WHERE p.status = 1 AND (\
           EXISTS (SELECT 1 FROM role_permissions rp JOIN roles r ON r.id = rp.role_id \
                   JOIN user_roles ur ON ur.role_id = r.id \
                   WHERE rp.permission_id = p.id AND ur.user_id = $1 AND r.status = 1) \
           OR EXISTS (SELECT 1 FROM user_permissions up \
                      WHERE up.permission_id = p.id AND up.user_id = $1))",
    )
    .bind(user_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(ids.into_iter().collect())
}

async fn actor_of(tx: &mut Tx<'_>, p: &Principal) -> Result<Actor> {
    let level = level_of(&p.roles);
    let held = if level == Level::SuperAdmin {
        Held::All
    } else {
        Held::Some(held_ids(tx, p.user.id).await?)
    };
    Ok(Actor {
        id: p.user.id,
        level,
        held,
    })
}

/// The target as it is: level (from enabled roles), status, role ids, direct permissions.
struct Current {
    target: Target,
    role_ids: BTreeSet<i64>,
    permission_ids: BTreeSet<i64>,
}

async fn current_of(tx: &mut Tx<'_>, id: i64) -> Result<Current> {
    let active: Option<i64> = sqlx::query_scalar("SELECT is_active FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    let active = active.ok_or(Error::NotFound(Entity::User))? != 0;
    let roles: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT r.id, r.code, r.status FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
         WHERE ur.user_id = $1",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let enabled: Vec<String> = roles
        .iter()
        .filter(|(_, _, s)| *s == 1)
        .map(|(_, c, _)| c.clone())
        .collect();
    let permission_ids: Vec<i64> =
        sqlx::query_scalar("SELECT permission_id FROM user_permissions WHERE user_id = $1")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
    Ok(Current {
        target: Target {
            id: Some(id),
            level: level_of(&enabled),
            active,
        },
        role_ids: roles.iter().map(|(r, _, _)| *r).collect(),
        permission_ids: permission_ids.into_iter().collect(),
    })
}

/// What giving or removing each of these roles brings.
async fn role_changes(tx: &mut Tx<'_>, ids: &BTreeSet<i64>) -> Result<Vec<RoleChange>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT id, code FROM roles WHERE id IN (");
    sql.bind_list(ids.iter().copied()).push(")");
    let roles: Vec<(i64, String)> = sql.query_as().fetch_all(&mut **tx).await?;
    let mut out = Vec::with_capacity(roles.len());
    for (id, code) in roles {
        let (confers, carries) = if code == SUPER_ADMIN {
            (Some(Level::SuperAdmin), Carried::All)
        } else {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT rp.permission_id FROM role_permissions rp \
                 JOIN permissions p ON p.id = rp.permission_id \
                 WHERE rp.role_id = $1 AND p.status = 1",
            )
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
            let confers = (code == ADMIN).then_some(Level::Admin);
            (confers, Carried::Some(ids.into_iter().collect()))
        };
        out.push(RoleChange { confers, carries });
    }
    Ok(out)
}

async fn active_super_admins(tx: &mut Tx<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(DISTINCT u.id) FROM users u JOIN user_roles ur ON ur.user_id = u.id \
         JOIN roles r ON r.id = ur.role_id \
         WHERE r.code = $1 AND r.status = 1 AND u.is_active = 1",
    )
    .bind(SUPER_ADMIN)
    .fetch_one(&mut **tx)
    .await?)
}

async fn super_admin_role(tx: &mut Tx<'_>) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM roles WHERE code = $1")
        .bind(SUPER_ADMIN)
        .fetch_optional(&mut **tx)
        .await?)
}

fn changed(before: &BTreeSet<i64>, after: &[i64]) -> BTreeSet<i64> {
    let after: BTreeSet<i64> = after.iter().copied().collect();
    before.symmetric_difference(&after).copied().collect()
}

/// Decides whether `actor` may carry out `intent` on account `target` (`None`: an account
/// being created, which starts as a user without roles), inside the caller's transaction
/// so the facts cannot change before the write. [`Error::NotFound`] for an unknown target,
/// [`Error::Forbidden`] when a rule of decisions §7 refuses.
pub async fn check_tx(
    tx: &mut Tx<'_>,
    actor: &Principal,
    target: Option<i64>,
    intent: &Intent,
) -> Result<()> {
    let current = match target {
        Some(id) => current_of(tx, id).await?,
        None => Current {
            target: Target {
                id: None,
                level: Level::User,
                active: true,
            },
            role_ids: BTreeSet::new(),
            permission_ids: BTreeSet::new(),
        },
    };
    let mut writes = Vec::new();
    if intent.profile {
        writes.push(Write::Profile);
    }
    if intent.password {
        writes.push(Write::Password);
    }
    if let Some(active) = intent.active.filter(|a| *a != current.target.active) {
        writes.push(Write::Status { active });
    }
    let mut demotes = false;
    if let Some(after) = &intent.roles {
        let diff = changed(&current.role_ids, after);
        if !diff.is_empty() {
            if let Some(sup) = super_admin_role(tx).await? {
                demotes = current.role_ids.contains(&sup) && !after.contains(&sup);
            }
            writes.push(Write::Roles(role_changes(tx, &diff).await?));
        }
    }
    if let Some(after) = &intent.permissions {
        let diff = changed(&current.permission_ids, after);
        if !diff.is_empty() {
            writes.push(Write::Permissions(diff));
        }
    }
    if intent.delete {
        writes.push(Write::Delete);
    }
    if writes.is_empty() {
        return Ok(());
    }
    let actor = actor_of(tx, actor).await?;
    let supers = active_super_admins(tx).await?;
    rules::decide(&actor, &current.target, &writes, supers, demotes)
}

/// Decides whether `actor` may add or remove `permission_ids` on a group (role): changing
/// what a group carries grants or takes it from every member, so the actor must hold each
/// one (and no one but a super admin touches `super_admin`).
pub async fn check_group_permissions_tx(
    tx: &mut Tx<'_>,
    actor: &Principal,
    role_code: &str,
    permission_ids: &[i64],
) -> Result<()> {
    if permission_ids.is_empty() {
        return Ok(());
    }
    if role_code == SUPER_ADMIN && !actor.is_super_admin() {
        return Err(Error::Forbidden);
    }
    let actor = actor_of(tx, actor).await?;
    let ok = actor
        .held
        .covers(&Carried::Some(permission_ids.iter().copied().collect()));
    if ok { Ok(()) } else { Err(Error::Forbidden) }
}

/// Refuses ([`Error::Forbidden`]) deleting `ids` together when no active super admin would
/// be left (each one alone may pass [`check_tx`]).
pub async fn keeps_a_super_admin_tx(tx: &mut Tx<'_>, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(
        "SELECT COUNT(DISTINCT u.id) FROM users u JOIN user_roles ur ON ur.user_id = u.id \
         JOIN roles r ON r.id = ur.role_id WHERE r.code = ",
    );
    sql.bind(SUPER_ADMIN)
        .push(" AND r.status = 1 AND u.is_active = 1 AND u.id NOT IN (");
    sql.bind_list(ids.iter().copied()).push(")");
    let left: i64 = sql.query_scalar().fetch_one(&mut **tx).await?;
    if left == 0 {
        return Err(Error::Forbidden);
    }
    Ok(())
}
