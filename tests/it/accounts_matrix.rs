//! Who may act on whom (decisions §7), checked as one generated matrix: every account write
//! path of every dialect × acting level (user, admin, super admin, a custom role holding the
//! user-management permissions) × target (self, user, admin, super admin), on both engines.
//! The expected answer of every cell comes from [`expected`], one table of the rules; every
//! refused cell reads the target back to show nothing changed. The three reported
//! escalations are named tests at the end.

use std::fmt;

use reqwest::Method;
use serde_json::{Value, json};

use crate::db_test;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};
use ops::db::Db;
use ops::domain::access::user_roles;
use ops::domain::access::{api_rules, roles};
use ops::domain::accounts::holdings;
use ops::domain::identity::user::{self, CreatePolicy, NewUser};

const PW: &str = "secret12";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    User,
    Custom,
    Admin,
    Super,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Me,
    User,
    Admin,
    Super,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    HanziProfile,
    HanziPassword,
    HanziDelete,
    HanziPromote,
    HanziDisable,
    AdminEmail,
    AdminResetPassword,
    AdminToggle,
    AdminAddRole,
    AdminDelete,
    AccountProfile,
    AccountPassword,
    AccountAddGroup,
    AccountStaff,
    AccountPermissions,
    AccountDelete,
    OpsProfile,
}

const OPS: &[Op] = &[
    Op::HanziProfile,
    Op::HanziPassword,
    Op::HanziDelete,
    Op::HanziPromote,
    Op::HanziDisable,
    Op::AdminEmail,
    Op::AdminResetPassword,
    Op::AdminToggle,
    Op::AdminAddRole,
    Op::AdminDelete,
    Op::AccountProfile,
    Op::AccountPassword,
    Op::AccountAddGroup,
    Op::AccountStaff,
    Op::AccountPermissions,
    Op::AccountDelete,
    Op::OpsProfile,
];

/// What a write does to the target, as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Profile, email or password.
    Own,
    /// Status, roles, permissions or delete.
    Privilege,
}

impl Op {
    fn kind(self) -> Kind {
        match self {
            Op::HanziProfile
            | Op::HanziPassword
            | Op::AdminEmail
            | Op::AdminResetPassword
            | Op::AccountProfile
            | Op::AccountPassword
            | Op::OpsProfile => Kind::Own,
            _ => Kind::Privilege,
        }
    }
}

/// The one table: whether `actor` acting on `target` with `op` succeeds.
fn expected(op: Op, actor: Level, target: Who) -> bool {
    let me = target == Who::Me;
    let target_level = match target {
        Who::Me => actor,
        Who::User => Level::User,
        Who::Admin => Level::Admin,
        Who::Super => Level::Super,
    };
    // The route's own requirement (each dialect's route table).
    let route = match op {
        // hanzi: one's own record, or admins (role >= 1); delete admins; promote and disable
        // super admins and never on oneself.
        Op::HanziProfile | Op::HanziPassword => me || actor >= Level::Admin,
        Op::HanziDelete => actor >= Level::Admin,
        Op::HanziPromote | Op::HanziDisable => actor == Level::Super && !me,
        // admin_v1: the user-management permission codes (admin, custom role, super admin).
        Op::AdminEmail
        | Op::AdminResetPassword
        | Op::AdminToggle
        | Op::AdminAddRole
        | Op::AdminDelete => actor != Level::User,
        // account: an API rule on ^/account/user/ (admin, custom role); plain users hold
        // PATCH of their own record only.
        Op::AccountDelete => actor != Level::User,
        Op::AccountProfile
        | Op::AccountPassword
        | Op::AccountAddGroup
        | Op::AccountStaff
        | Op::AccountPermissions => actor != Level::User || me,
        // ops_v1: one's own profile only.
        Op::OpsProfile => me,
    };
    if !route {
        return false;
    }
    if me {
        return op.kind() == Kind::Own;
    }
    // Custom-role holders are users by level.
    let level = |l: Level| if l == Level::Custom { Level::User } else { l };
    if level(target_level) > level(actor) {
        return false;
    }
    match op {
        // Giving `admin` (staff) or the admin role: only admins and above.
        Op::AccountStaff | Op::HanziPromote => level(actor) >= Level::Admin,
        // The helpers group / direct permission: held by everyone who reaches the route.
        _ => true,
    }
}

/// The shared fixtures of one server.
struct World {
    db: Db,
    helpers: i64,
    /// A group carrying only the account API rule: what the "add a group" writes add.
    extras: i64,
    api_perm: i64,
    admin_role: i64,
    n: std::sync::atomic::AtomicUsize,
}

impl World {
    async fn new(app: &TestApp) -> Self {
        let db = app.db().await;
        let user_perms: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM permissions WHERE code LIKE 'system:user:%'")
                .fetch_all(db.pool())
                .await
                .unwrap();
        let api = api_rules::create_apis(
            &db,
            vec![api_rules::NewBackendApi {
                name: Some("users".into()),
                pattern: "^/account/user/".into(),
                app_name: None,
                comment: None,
            }],
        )
        .await
        .unwrap();
        let api_perm = api_rules::create_permissions(
            &db,
            vec![api_rules::NewApiPermission {
                method: "ALL".into(),
                api_id: api[0].id,
            }],
        )
        .await
        .unwrap()[0]
            .id;
        let mut perms = user_perms.clone();
        perms.push(api_perm);
        let helpers = roles::create(
            &db,
            roles::NewRole {
                name: "helpers".into(),
                code: Some("helpers".into()),
                description: None,
                enabled: None,
                permission_ids: perms,
            },
        )
        .await
        .unwrap()
        .id;
        let extras = roles::create(
            &db,
            roles::NewRole {
                name: "extras".into(),
                code: Some("extras".into()),
                description: None,
                enabled: None,
                permission_ids: vec![api_perm],
            },
        )
        .await
        .unwrap()
        .id;
        let admin_role = roles::find_by_code(&db, "admin").await.unwrap().unwrap().id;
        roles::add_permissions(&db, admin_role, "permission_ids", &[api_perm])
            .await
            .unwrap();
        Self {
            db,
            helpers,
            extras,
            api_perm,
            admin_role,
            n: Default::default(),
        }
    }

    /// A fresh account of `level`; plain users may PATCH their own account record.
    async fn account(&self, level: Level) -> (i64, String) {
        let n = self.n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let name = format!("m{n}{}", format!("{level:?}").to_lowercase());
        let mut new = NewUser::new(name.clone(), PW);
        new.email = Some(format!("{name}@example.com"));
        new.roles = vec![
            match level {
                Level::User => "user",
                Level::Custom => "helpers",
                Level::Admin => "admin",
                Level::Super => "super_admin",
            }
            .to_owned(),
        ];
        let u = ops::domain::accounts::enrol::create(&self.db, new, CreatePolicy::default())
            .await
            .unwrap();
        if level == Level::User {
            let api = api_rules::create_apis(
                &self.db,
                vec![api_rules::NewBackendApi {
                    name: None,
                    pattern: format!("^/account/user/{}/$", u.id),
                    app_name: None,
                    comment: None,
                }],
            )
            .await
            .unwrap();
            let p = api_rules::create_permissions(
                &self.db,
                vec![api_rules::NewApiPermission {
                    method: "PATCH".into(),
                    api_id: api[0].id,
                }],
            )
            .await
            .unwrap();
            sqlx::query("INSERT INTO user_permissions (user_id, permission_id) VALUES ($1, $2)")
                .bind(u.id)
                .bind(p[0].id)
                .execute(self.db.pool())
                .await
                .unwrap();
        }
        (u.id, name)
    }
}

/// Everything a write could change about an account (`None`: it is gone).
#[derive(Debug, PartialEq)]
struct Snapshot(Option<(user::User, Vec<i64>, Vec<i64>, String)>);

async fn snapshot(db: &Db, id: i64) -> Snapshot {
    let Ok(u) = user::get(db.pool(), id).await else {
        return Snapshot(None);
    };
    let roles = user_roles::ids_of(db, id).await.unwrap();
    let perms = holdings::of_user(db, id).await.unwrap().permission_ids;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap();
    Snapshot(Some((u, roles, perms, hash)))
}

struct Cell {
    op: Op,
    actor: Level,
    target: Who,
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} by {:?} on {:?}", self.op, self.actor, self.target)
    }
}

async fn token(app: &TestApp, op: Op, name: &str) -> String {
    let (path, body) = match op {
        Op::HanziProfile
        | Op::HanziPassword
        | Op::HanziDelete
        | Op::HanziPromote
        | Op::HanziDisable => ("/hanzi/login", json!({"username": name, "password": PW})),
        Op::AdminEmail
        | Op::AdminResetPassword
        | Op::AdminToggle
        | Op::AdminAddRole
        | Op::AdminDelete => (
            "/admin/v1/auth/login",
            json!({"username": name, "password": PW}),
        ),
        Op::OpsProfile => ("/api/v1/users/login", json!({"name": name, "password": PW})),
        _ => ("/account/login/", json!({"username": name, "password": PW})),
    };
    let r = app.post(path).json(&body).send().await;
    let t = r.json["token"]
        .as_str()
        .or(r.json["data"]["token"].as_str())
        .or(r.json["data"]["cookie_value"].as_str());
    t.unwrap_or_else(|| panic!("login {name}: {}", r.text()))
        .to_owned()
}

/// Sends the cell's request; answers whether the dialect reported success.
async fn send(app: &TestApp, w: &World, op: Op, tok: &str, id: i64, name: &str) -> (bool, String) {
    let (ok, forbidden, text) = send_raw(app, w, op, tok, id, name).await;
    assert!(
        ok || forbidden,
        "refused with the dialect's forbidden answer: {text}"
    );
    (ok, text)
}

/// Sends the cell's request; answers success, whether a refusal had the dialect's forbidden
/// shape, and the answer.
async fn send_raw(
    app: &TestApp,
    w: &World,
    op: Op,
    tok: &str,
    id: i64,
    name: &str,
) -> (bool, bool, String) {
    let current = user_roles::ids_of(&w.db, id).await.unwrap_or_default();
    // Each write changes something: a group the target lacks, the opposite staff flag, a
    // permission added to the ones it has, another hanzi role.
    let mut with_extras = current.clone();
    with_extras.push(w.extras);
    let mut with_perm = holdings::of_user(&w.db, id)
        .await
        .map(|h| h.permission_ids)
        .unwrap_or_default();
    with_perm.push(w.api_perm);
    let staff = !holdings::of_user(&w.db, id)
        .await
        .map(|h| h.is_staff())
        .unwrap_or(false);
    let hanzi_role = if staff { 1 } else { 0 };
    let (method, path, body) = match op {
        Op::HanziProfile => (
            Method::PUT,
            format!("/hanzi/users/{name}"),
            json!({"name": "Renamed"}),
        ),
        Op::HanziPassword => (
            Method::PUT,
            format!("/hanzi/users/{name}"),
            json!({"password": "chosen-by-caller"}),
        ),
        Op::HanziDelete => (Method::DELETE, format!("/hanzi/users/{name}"), Value::Null),
        Op::HanziPromote => (
            Method::PUT,
            format!("/hanzi/users/{name}/promote"),
            json!({"role": hanzi_role}),
        ),
        Op::HanziDisable => (
            Method::PUT,
            format!("/hanzi/users/{name}/disable"),
            json!({"state": 1}),
        ),
        Op::AdminEmail => (
            Method::PUT,
            format!("/admin/v1/users/{id}"),
            json!({"email": format!("attacker{id}@example.net")}),
        ),
        Op::AdminResetPassword => (
            Method::POST,
            format!("/admin/v1/users/{id}/reset-password"),
            json!({"new_password": "chosen-by-caller"}),
        ),
        Op::AdminToggle => (
            Method::POST,
            format!("/admin/v1/users/{id}/toggle-status"),
            json!({"status": 0}),
        ),
        Op::AdminAddRole => (
            Method::PUT,
            format!("/admin/v1/users/{id}"),
            json!({"role_ids": with_extras}),
        ),
        Op::AdminDelete => (Method::DELETE, format!("/admin/v1/users/{id}"), Value::Null),
        Op::AccountProfile => (
            Method::PATCH,
            format!("/account/user/{id}/"),
            json!({"first_name": "Renamed"}),
        ),
        Op::AccountPassword => (
            Method::PATCH,
            format!("/account/user/{id}/"),
            json!({"password": "chosen-by-caller"}),
        ),
        Op::AccountAddGroup => (
            Method::PATCH,
            format!("/account/user/{id}/"),
            json!({"groups": with_extras}),
        ),
        Op::AccountStaff => (
            Method::PATCH,
            format!("/account/user/{id}/"),
            json!({"is_staff": staff}),
        ),
        Op::AccountPermissions => (
            Method::PATCH,
            format!("/account/user/{id}/"),
            json!({"permissions": with_perm}),
        ),
        Op::AccountDelete => (Method::DELETE, format!("/account/user/{id}/"), Value::Null),
        Op::OpsProfile => (
            Method::PUT,
            "/api/v1/users/profile".to_owned(),
            json!({"email": format!("new{id}@example.org")}),
        ),
    };
    let mut call = app.call(method.clone(), &path).bearer(tok);
    if !body.is_null() {
        call = call.json(&body);
    }
    let r = call.send().await;
    assert_ne!(r.status.as_u16(), 500, "{path}: {}", r.text());
    let ok = match op {
        Op::HanziProfile
        | Op::HanziPassword
        | Op::HanziDelete
        | Op::HanziPromote
        | Op::HanziDisable => r.json == json!(true),
        Op::OpsProfile => r.json["code"] == "0",
        _ => r.status.is_success() && r.json["code"].as_i64().is_some_and(|c| c < 300),
    };
    // A refusal is the dialect's "forbidden" answer (hanzi's own-account rule of
    // promote/disable answers RES-10000002 at 200, as the original).
    let forbidden = match op {
        Op::HanziPromote | Op::HanziDisable if r.status.as_u16() == 200 => {
            r.json["err"] == "RES-10000002"
        }
        Op::HanziProfile
        | Op::HanziPassword
        | Op::HanziDelete
        | Op::HanziPromote
        | Op::HanziDisable => r.status.as_u16() == 403 && r.json["err"] == "AUTH-10000002",
        Op::AdminEmail
        | Op::AdminResetPassword
        | Op::AdminToggle
        | Op::AdminAddRole
        | Op::AdminDelete => r.status.as_u16() == 403 && r.json["code"] == 10003,
        _ => r.status.as_u16() == 403,
    };
    (
        ok,
        forbidden,
        format!("{method} {path}: {} {}", r.status, r.text()),
    )
}

async fn every_account_write_follows_the_one_table(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = World::new(&app).await;
    let _ = w.admin_role;
    let mut failures = Vec::new();
    let mut cells = 0;
    for &op in OPS {
        for actor in [Level::User, Level::Custom, Level::Admin, Level::Super] {
            for target in [Who::Me, Who::User, Who::Admin, Who::Super] {
                // ops_v1 has no route that names another account: its one write is the
                // caller's own profile.
                if op == Op::OpsProfile && target != Who::Me {
                    continue;
                }
                let cell = Cell { op, actor, target };
                let (actor_id, actor_name) = w.account(actor).await;
                let (target_id, target_name) = match target {
                    Who::Me => (actor_id, actor_name.clone()),
                    Who::User => w.account(Level::User).await,
                    Who::Admin => w.account(Level::Admin).await,
                    Who::Super => w.account(Level::Super).await,
                };
                let tok = token(&app, op, &actor_name).await;
                let before = snapshot(&w.db, target_id).await;
                let (ok, forbidden, body) =
                    send_raw(&app, &w, op, &tok, target_id, &target_name).await;
                let after = snapshot(&w.db, target_id).await;
                cells += 1;
                let want = expected(op, actor, target);
                if !ok && !forbidden {
                    failures.push(format!("{cell}: not the forbidden answer: {body}"));
                } else if ok != want {
                    failures.push(format!("{cell}: expected {want}, got {ok}: {body}"));
                } else if !ok && before != after {
                    failures.push(format!("{cell}: refused but the account changed"));
                } else if ok && before == after {
                    failures.push(format!("{cell}: succeeded but nothing changed"));
                }
            }
        }
    }
    assert_eq!(cells, (OPS.len() - 1) * 16 + 4);
    assert!(
        failures.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---- the three reported escalations, by name ---------------------------------------------

async fn hanzi_admin_cannot_set_or_delete_a_super_admin(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = World::new(&app).await;
    let (_, admin) = w.account(Level::Admin).await;
    let tok = token(&app, Op::HanziPassword, &admin).await;
    let root = user::find_by_username(&w.db, "admin")
        .await
        .unwrap()
        .unwrap();
    let before = snapshot(&w.db, root.id).await;
    let (ok, _) = send(&app, &w, Op::HanziPassword, &tok, root.id, "admin").await;
    assert!(!ok);
    let (ok, _) = send(&app, &w, Op::HanziDelete, &tok, root.id, "admin").await;
    assert!(!ok);
    assert_eq!(snapshot(&w.db, root.id).await, before);
    // The super admin's own password still opens the account.
    let r = app
        .post("/hanzi/login")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    assert!(r.json["token"].is_string(), "{}", r.text());
}

async fn admin_v1_admin_cannot_change_a_super_admins_email(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = World::new(&app).await;
    let (_, admin) = w.account(Level::Admin).await;
    let tok = token(&app, Op::AdminEmail, &admin).await;
    let before = snapshot(&w.db, 1).await;
    let r = app
        .put("/admin/v1/users/1")
        .bearer(&tok)
        .json(&json!({"email": "attacker@example.net"}))
        .send()
        .await;
    assert_eq!(
        (r.status.as_u16(), &r.json["code"]),
        (403, &json!(10003)),
        "{}",
        r.text()
    );
    assert_eq!(snapshot(&w.db, 1).await, before);
}

async fn account_self_rule_cannot_grant_groups_staff_or_permissions(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = World::new(&app).await;
    let (id, name) = w.account(Level::User).await;
    let tok = token(&app, Op::AccountProfile, &name).await;
    let all: Vec<i64> = sqlx::query_scalar("SELECT id FROM permissions ORDER BY id")
        .fetch_all(w.db.pool())
        .await
        .unwrap();
    let before = snapshot(&w.db, id).await;
    for body in [
        json!({"groups": [w.helpers, w.admin_role]}),
        json!({"is_staff": true, "permissions": all}),
        json!({"first_name": "Allowed", "is_superuser": true}),
    ] {
        let r = app
            .patch(&format!("/account/user/{id}/"))
            .bearer(&tok)
            .json(&body)
            .send()
            .await;
        r.assert_status(403);
        assert_eq!(snapshot(&w.db, id).await, before, "refused whole: {body}");
    }
    // The profile alone is theirs to edit.
    let r = app
        .patch(&format!("/account/user/{id}/"))
        .bearer(&tok)
        .json(&json!({"first_name": "Allowed"}))
        .send()
        .await;
    r.assert_status(200);
}

async fn the_last_active_super_admin_stays(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = World::new(&app).await;
    let root = user::find_by_username(&w.db, "admin")
        .await
        .unwrap()
        .unwrap();
    // A second super admin may remove the first ...
    let (other, other_name) = w.account(Level::Super).await;
    let tok = token(&app, Op::AdminDelete, &other_name).await;
    let (ok, _) = send(&app, &w, Op::AdminDelete, &tok, root.id, "admin").await;
    assert!(ok, "two super admins: one may go");
    // ... and is now the last one: nothing takes that away, in any dialect.
    let hz = token(&app, Op::HanziDisable, &other_name).await;
    let acc = token(&app, Op::AccountDelete, &other_name).await;
    let before = snapshot(&w.db, other).await;
    for (op, tok) in [
        (Op::AdminToggle, &tok),
        (Op::AdminDelete, &tok),
        (Op::AdminAddRole, &tok),
        (Op::HanziDisable, &hz),
        (Op::HanziPromote, &hz),
        (Op::AccountStaff, &acc),
        (Op::AccountDelete, &acc),
    ] {
        let (ok, text) = send(&app, &w, op, tok, other, &other_name).await;
        assert!(!ok, "{op:?}: {text}");
        assert_eq!(snapshot(&w.db, other).await, before, "{op:?}");
    }
    let batch = app
        .call(Method::DELETE, "/admin/v1/users")
        .bearer(&tok)
        .json(&json!({"ids": [other]}))
        .send()
        .await;
    batch.assert_status(403);
    assert_eq!(snapshot(&w.db, other).await, before);
}

db_test!(
    every_account_write_follows_the_one_table,
    hanzi_admin_cannot_set_or_delete_a_super_admin,
    admin_v1_admin_cannot_change_a_super_admins_email,
    account_self_rule_cannot_grant_groups_staff_or_permissions,
    the_last_active_super_admin_stays,
);
