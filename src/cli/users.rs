//! `ops-server user list|grant|revoke`: who has an account and which roles they hold.

use anyhow::{Context, bail};

use super::explain::explain;
use crate::db::Db;
use crate::domain::access::roles::{self, RoleFilter};
use crate::domain::accounts::holdings;
use crate::domain::accounts::manage::operator;
use crate::domain::identity::directory::{self, UserFilter};
use crate::domain::identity::user::{self, User};
use crate::domain::paging::Page;

/// One line per user: id, login name, email, state, enabled role codes.
pub async fn list(db: &Db) -> anyhow::Result<()> {
    let (users, total) = directory::list(db, &UserFilter::default(), None)
        .await
        .map_err(explain)?;
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let holdings = holdings::of_users(db, &ids).await.map_err(explain)?;
    println!(
        "{:>6}  {:<24} {:<32} {:<9} roles",
        "id", "name", "email", "state"
    );
    for u in users {
        let roles = holdings
            .get(&u.id)
            .map(|h| h.role_codes.join(","))
            .unwrap_or_default();
        println!(
            "{:>6}  {:<24} {:<32} {:<9} {}",
            u.id,
            u.username,
            u.email.as_deref().unwrap_or("-"),
            if u.is_active { "active" } else { "disabled" },
            if roles.is_empty() { "-" } else { &roles }
        );
    }
    println!("{total} users");
    Ok(())
}

async fn find(db: &Db, name: &str) -> anyhow::Result<User> {
    user::find_by_username(db, name)
        .await
        .map_err(explain)?
        .with_context(|| format!("no user named {name:?}"))
}

/// Gives `name` the role `code`; the operator acts with a super admin's authority.
pub async fn grant(db: &Db, name: &str, code: &str) -> anyhow::Result<()> {
    let u = find(db, name).await?;
    require_role(db, code).await?;
    let changed = operator::grant_role(db, u.id, code)
        .await
        .map_err(explain)?;
    if changed {
        println!("{} now holds the role {code}", u.username);
    } else {
        println!(
            "{} already holds the role {code}; nothing changed",
            u.username
        );
    }
    Ok(())
}

/// Takes the role `code` away from `name`.
pub async fn revoke(db: &Db, name: &str, code: &str) -> anyhow::Result<()> {
    let u = find(db, name).await?;
    require_role(db, code).await?;
    let changed = operator::revoke_role(db, u.id, code)
        .await
        .map_err(|e| explain(e).context(format!("revoking {code} from {}", u.username)))?;
    if changed {
        println!("{} no longer holds the role {code}", u.username);
    } else {
        println!(
            "{} did not hold the role {code}; nothing changed",
            u.username
        );
    }
    Ok(())
}

/// An unknown role code is answered with the codes there are.
async fn require_role(db: &Db, code: &str) -> anyhow::Result<()> {
    if roles::find_by_code(db, code)
        .await
        .map_err(explain)?
        .is_some()
    {
        return Ok(());
    }
    let (all, _) = roles::list(db, &RoleFilter::default(), Page::new(1, 1000))
        .await
        .map_err(explain)?;
    let codes: Vec<String> = all.into_iter().map(|r| r.role.code).collect();
    bail!(
        "there is no role {code:?}; the roles are: {}",
        codes.join(", ")
    )
}
