//! The one authorisation decision every route of every dialect goes through.
//!
//! Each dialect declares, per routed method and path, one [`Requirement`] in its route table
//! ([`super::routes`]); its guard resolves the caller and asks [`authorize`]. The three
//! mechanisms the dialects inherited — `admin_v1` permission codes, the `account` API rules
//! and the role levels of `ops_v1`/`hanzi` — are three kinds of requirement of this one check,
//! so no route can be reached by a path that skips it.

use super::{api_rules, check};
use crate::db::Db;
use crate::domain::identity::Principal;
use crate::error::Result;

/// A built-in role level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// An admin or a super admin.
    Admin,
    /// A super admin.
    SuperAdmin,
}

/// What a route requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in user.
    Login,
    /// A logged-in user of at least this built-in role.
    Level(Level),
    /// A user who holds this permission code (super admins hold every permission).
    Permission(&'static str),
    /// A user holding an API permission whose method and pattern match the request's method
    /// and full original path (Django-style API rules; super admins always match).
    ApiRule,
}

impl Requirement {
    /// Whether the guard must resolve the caller before deciding.
    pub fn needs_caller(self) -> bool {
        self != Requirement::Public
    }
}

/// The facts of the request a requirement may look at.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    /// The HTTP method as sent.
    pub method: &'a str,
    /// The request path as sent, prefix included (before any normalisation), so a rule about
    /// `/account/user/1/` is matched against what the client actually asked for.
    pub original_path: &'a str,
}

/// The answer of [`authorize`]; each dialect renders the refusals in its own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// The route needs a caller and there is none.
    Unauthenticated,
    /// The caller does not meet the requirement.
    Forbidden,
}

/// Decides whether `principal` (none when no one is logged in) may make a request with these
/// `facts` to a route that declares `requirement`.
pub async fn authorize(
    db: &Db,
    principal: Option<&Principal>,
    requirement: Requirement,
    facts: &RequestFacts<'_>,
) -> Result<Decision> {
    let Some(p) = principal else {
        return Ok(if requirement.needs_caller() {
            Decision::Unauthenticated
        } else {
            Decision::Allow
        });
    };
    let allowed = match requirement {
        Requirement::Public | Requirement::Login => true,
        Requirement::Level(Level::Admin) => p.is_admin(),
        Requirement::Level(Level::SuperAdmin) => p.is_super_admin(),
        Requirement::Permission(code) => check::may(db, p, code).await?,
        Requirement::ApiRule => api_rules::allows(db, p, facts.method, facts.original_path).await?,
    };
    Ok(if allowed {
        Decision::Allow
    } else {
        Decision::Forbidden
    })
}
