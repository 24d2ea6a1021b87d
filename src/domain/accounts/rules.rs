//! Who may act on whom (decisions §7), as pure rules over facts the caller has loaded:
//! no database, so every rule is unit-tested here.
//!
//! * An actor acts only on accounts of their own level or below; so only a super admin
//!   acts on a super admin's account.
//! * No one grants or removes what they do not hold: a role (group) only when holding every
//!   permission it carries and, for `admin`/`super_admin`, that level; a direct permission
//!   only when holding it. Super admins hold everything.
//! * No one changes their own privileges (roles, groups, direct permissions, staff/superuser
//!   flags, hanzi role, active status) or deletes themselves.
//! * The last active super admin is never deleted, disabled or demoted.

use std::collections::BTreeSet;

use crate::error::{Error, Result};

/// Administrative level, lowest first (hanzi `role` 0/1/2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    User,
    Admin,
    SuperAdmin,
}

/// The permissions someone holds: all of them (super admin) or these ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    All,
    Some(BTreeSet<i64>),
}

impl Held {
    /// Whether everything `carried` brings is held.
    pub fn covers(&self, carried: &Carried) -> bool {
        match (self, carried) {
            (Held::All, _) => true,
            (Held::Some(_), Carried::All) => false,
            (Held::Some(held), Carried::Some(ids)) => ids.is_subset(held),
        }
    }
}

/// What a role carries: everything (`super_admin`) or these permission ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carried {
    All,
    Some(BTreeSet<i64>),
}

/// The acting user.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i64,
    pub level: Level,
    pub held: Held,
}

/// The account acted on, as it is now.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// `None` for an account being created.
    pub id: Option<i64>,
    pub level: Level,
    pub active: bool,
}

/// A role given or taken away, with what it brings.
#[derive(Debug, Clone)]
pub struct RoleChange {
    /// The level the role confers (`admin`, `super_admin`), if any.
    pub confers: Option<Level>,
    pub carries: Carried,
}

/// One write on an account; privilege writes list only what actually changes.
#[derive(Debug, Clone)]
pub enum Write {
    /// Profile fields, email, login name.
    Profile,
    Password,
    /// Enabling or disabling (only when it changes).
    Status {
        active: bool,
    },
    /// Roles (groups, staff/superuser flags, hanzi role) given or removed.
    Roles(Vec<RoleChange>),
    /// Direct permissions given or removed.
    Permissions(BTreeSet<i64>),
    Delete,
}

impl Write {
    fn is_privilege(&self) -> bool {
        matches!(
            self,
            Write::Status { .. } | Write::Roles(_) | Write::Permissions(_) | Write::Delete
        )
    }
}

/// Decides whether `actor` may make every one of `writes` on `target`; the first rule
/// broken refuses the whole request ([`Error::Forbidden`]). `active_super_admins` counts the
/// enabled super admins now (for the last-super-admin rule); `demotes` says whether the
/// writes take the target out of `super_admin`.
pub fn decide(
    actor: &Actor,
    target: &Target,
    writes: &[Write],
    active_super_admins: i64,
    demotes: bool,
) -> Result<()> {
    if writes.is_empty() {
        return Ok(());
    }
    let own = target.id == Some(actor.id);
    if own && writes.iter().any(Write::is_privilege) {
        return Err(Error::Forbidden);
    }
    if !own && target.level > actor.level {
        return Err(Error::Forbidden);
    }
    for w in writes {
        match w {
            Write::Roles(changes) => {
                for c in changes {
                    if c.confers.is_some_and(|l| l > actor.level) || !actor.held.covers(&c.carries)
                    {
                        return Err(Error::Forbidden);
                    }
                }
            }
            Write::Permissions(ids) => {
                if !actor.held.covers(&Carried::Some(ids.clone())) {
                    return Err(Error::Forbidden);
                }
            }
            Write::Profile | Write::Password | Write::Status { .. } | Write::Delete => {}
        }
    }
    let last_super = target.level == Level::SuperAdmin && target.active && active_super_admins <= 1;
    let removes_last = writes
        .iter()
        .any(|w| matches!(w, Write::Delete | Write::Status { active: false }))
        || demotes;
    if last_super && removes_last {
        return Err(Error::Forbidden);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[i64]) -> BTreeSet<i64> {
        v.iter().copied().collect()
    }
    fn actor(id: i64, level: Level, held: &[i64]) -> Actor {
        let held = if level == Level::SuperAdmin {
            Held::All
        } else {
            Held::Some(ids(held))
        };
        Actor { id, level, held }
    }
    fn target(id: i64, level: Level) -> Target {
        Target {
            id: Some(id),
            level,
            active: true,
        }
    }
    fn ok(a: &Actor, t: &Target, w: &[Write]) -> bool {
        decide(a, t, w, 2, false).is_ok()
    }

    #[test]
    fn only_a_super_admin_acts_on_a_super_admin() {
        let sup = target(1, Level::SuperAdmin);
        for w in [Write::Profile, Write::Password, Write::Delete] {
            assert!(!ok(
                &actor(2, Level::Admin, &[]),
                &sup,
                std::slice::from_ref(&w)
            ));
            assert!(!ok(
                &actor(3, Level::User, &[]),
                &sup,
                std::slice::from_ref(&w)
            ));
            assert!(ok(&actor(4, Level::SuperAdmin, &[]), &sup, &[w]));
        }
        assert!(ok(
            &actor(2, Level::Admin, &[]),
            &target(5, Level::Admin),
            &[Write::Password]
        ));
        assert!(!ok(
            &actor(3, Level::User, &[]),
            &target(5, Level::Admin),
            &[Write::Profile]
        ));
        assert!(ok(
            &actor(3, Level::User, &[]),
            &target(6, Level::User),
            &[Write::Profile]
        ));
    }

    #[test]
    fn no_one_changes_their_own_privileges_or_deletes_themselves() {
        let me = actor(7, Level::SuperAdmin, &[]);
        let t = target(7, Level::SuperAdmin);
        assert!(ok(&me, &t, &[Write::Profile, Write::Password]));
        for w in [
            Write::Delete,
            Write::Status { active: false },
            Write::Roles(vec![]),
            Write::Permissions(ids(&[1])),
        ] {
            assert!(!ok(&me, &t, &[Write::Profile, w]));
        }
    }

    #[test]
    fn no_one_grants_what_they_do_not_hold() {
        let admin = actor(2, Level::Admin, &[1, 2, 3]);
        let t = target(9, Level::User);
        let role = |confers, carried: &[i64]| RoleChange {
            confers,
            carries: Carried::Some(ids(carried)),
        };
        assert!(ok(&admin, &t, &[Write::Roles(vec![role(None, &[1, 2])])]));
        assert!(!ok(&admin, &t, &[Write::Roles(vec![role(None, &[1, 4])])]));
        assert!(ok(
            &admin,
            &t,
            &[Write::Roles(vec![role(Some(Level::Admin), &[3])])]
        ));
        let superuser = RoleChange {
            confers: Some(Level::SuperAdmin),
            carries: Carried::All,
        };
        assert!(!ok(&admin, &t, &[Write::Roles(vec![superuser.clone()])]));
        assert!(ok(
            &actor(1, Level::SuperAdmin, &[]),
            &t,
            &[Write::Roles(vec![superuser])]
        ));
        let custom = actor(3, Level::User, &[1, 2, 3]);
        assert!(!ok(
            &custom,
            &t,
            &[Write::Roles(vec![role(Some(Level::Admin), &[1])])]
        ));
        assert!(ok(&custom, &t, &[Write::Permissions(ids(&[2, 3]))]));
        assert!(!ok(&custom, &t, &[Write::Permissions(ids(&[73]))]));
    }

    #[test]
    fn the_last_active_super_admin_stays() {
        let other = actor(2, Level::SuperAdmin, &[]);
        let last = target(1, Level::SuperAdmin);
        for w in [Write::Delete, Write::Status { active: false }] {
            assert!(decide(&other, &last, std::slice::from_ref(&w), 1, false).is_err());
            assert!(decide(&other, &last, &[w], 2, false).is_ok());
        }
        assert!(decide(&other, &last, &[Write::Roles(vec![])], 1, true).is_err());
        assert!(decide(&other, &last, &[Write::Profile], 1, false).is_ok());
    }
}
