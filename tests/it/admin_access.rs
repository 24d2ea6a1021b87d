//! The `access` domain module (issue 5): roles, the permission tree, the one check, menus.
//! Exercised through its functions against a real database (SQLite and PostgreSQL).

use ops::db::Db;
use ops::domain::access::permissions::{
    self, NewPermission, PermissionFilter, PermissionPatch, PermissionType,
};
use ops::domain::access::roles::{self, NewRole, RoleFilter, RolePatch};
use ops::domain::access::{catalog, check};
use ops::domain::identity::{ClientInfo, NewUser, Principal, SessionKind, session};
use ops::domain::paging::Page;
use ops::error::{Entity, Error};

use crate::db_test;
use crate::support::{Backend, TestApp};
use ops::domain::access::user_roles;
use ops::domain::accounts::memberships;

/// A user holding exactly the roles with these codes, as an authenticated principal.
pub async fn principal_with(db: &Db, name: &str, role_codes: &[&str]) -> Principal {
    let mut new = NewUser::new(name, "secret12");
    new.roles = role_codes.iter().map(|c| (*c).to_owned()).collect();
    let user = ops::domain::accounts::enrol::create(db, new, Default::default())
        .await
        .unwrap();
    if role_codes.is_empty() {
        let mut tx = db.begin().await.unwrap();
        user_roles::revoke_codes(&mut tx, user.id, &["user".to_owned()])
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    fresh(db, user.id).await
}

/// A new session for the user: what their next request sees.
pub async fn fresh(db: &Db, user_id: i64) -> Principal {
    let (s, _) = session::create(
        db,
        user_id,
        SessionKind::Admin,
        3_600_000_000,
        &ClientInfo::default(),
    )
    .await
    .unwrap();
    session::authenticate_id(db, s.id).await.unwrap()
}

async fn perm_id(db: &Db, code: &str) -> i64 {
    permissions::list(db, &PermissionFilter::default())
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.code.as_deref() == Some(code))
        .unwrap_or_else(|| panic!("no permission {code}"))
        .id
}

async fn role_with(db: &Db, name: &str, codes: &[&str]) -> roles::Role {
    let mut ids = Vec::new();
    for c in codes {
        ids.push(perm_id(db, c).await);
    }
    roles::create(
        db,
        NewRole {
            name: name.to_owned(),
            permission_ids: ids,
            ..NewRole::default()
        },
    )
    .await
    .unwrap()
}

async fn the_builtin_tree_is_seeded_once_and_granted_to_admin(b: Backend) {
    let app = TestApp::spawn(b).await;
    let db = app.db().await;
    let all = permissions::list(&db, &PermissionFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), catalog::BUILTIN.len());
    catalog::seed(&db).await.unwrap();
    let again = permissions::list(&db, &PermissionFilter::default())
        .await
        .unwrap();
    assert_eq!(again.len(), all.len());

    let tree = permissions::tree(&db).await.unwrap();
    let system = tree
        .iter()
        .find(|n| n.permission.code.as_deref() == Some("system"))
        .unwrap();
    assert_eq!(system.permission.kind, PermissionType::Menu);
    let users = &system.children[0];
    assert_eq!(users.permission.code.as_deref(), Some("system:user"));
    let buttons: Vec<_> = users
        .children
        .iter()
        .map(|n| n.permission.code.clone().unwrap())
        .collect();
    assert_eq!(&buttons[..2], ["system:user:view", "system:user:create"]);

    let admin = roles::find_by_code(&db, "admin").await.unwrap().unwrap();
    assert_eq!(
        roles::permission_ids(&db, admin.id).await.unwrap().len(),
        all.len()
    );
    // An administrator's edit survives a restart.
    let id = perm_id(&db, "system:user").await;
    permissions::update(
        &db,
        id,
        PermissionPatch {
            name: Some("账号".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    catalog::seed(&db).await.unwrap();
    assert_eq!(permissions::get(&db, id).await.unwrap().name, "账号");
}

async fn a_role_created_with_only_a_name_gets_a_unique_code(b: Backend) {
    let app = TestApp::spawn(b).await;
    let db = app.db().await;
    let a = roles::create(
        &db,
        NewRole {
            name: "editors".into(),
            ..NewRole::default()
        },
    )
    .await
    .unwrap();
    let b2 = roles::create(
        &db,
        NewRole {
            name: "viewers".into(),
            ..NewRole::default()
        },
    )
    .await
    .unwrap();
    assert!(a.code.starts_with("role_") && b2.code.starts_with("role_"));
    assert_ne!(a.code, b2.code);
    assert!(a.enabled && !a.is_builtin);

    let dup = roles::create(
        &db,
        NewRole {
            name: "editors".into(),
            ..NewRole::default()
        },
    )
    .await;
    assert!(matches!(dup, Err(Error::Conflict { ref field, .. }) if field == "name"));
    let dup = roles::create(
        &db,
        NewRole {
            name: "another".into(),
            code: Some("admin".into()),
            ..NewRole::default()
        },
    )
    .await;
    assert!(matches!(dup, Err(Error::Conflict { ref field, .. }) if field == "code"));
    let bad = roles::create(
        &db,
        NewRole {
            name: "ghost".into(),
            permission_ids: vec![999_999],
            ..NewRole::default()
        },
    )
    .await;
    assert_eq!(
        bad.unwrap_err().first_field().map(|f| f.field.clone()),
        Some("permission_ids".into())
    );
    let (list, total) = roles::list(
        &db,
        &RoleFilter {
            keyword: Some("ghost".into()),
            enabled: None,
        },
        Page::new(1, 20),
    )
    .await
    .unwrap();
    assert_eq!((list.len(), total), (0, 0));
}

async fn roles_list_filters_and_pages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let db = app.db().await;
    for i in 0..5 {
        roles::create(
            &db,
            NewRole {
                name: format!("运营{i}"),
                code: Some(format!("ops_{i}")),
                enabled: Some(i % 2 == 0),
                ..NewRole::default()
            },
        )
        .await
        .unwrap();
    }
    let (page, total) = roles::list(&db, &RoleFilter::default(), Page::new(2, 3))
        .await
        .unwrap();
    assert_eq!(total, 8);
    assert_eq!(
        page.iter()
            .map(|r| r.role.code.as_str())
            .collect::<Vec<_>>(),
        ["ops_0", "ops_1", "ops_2"]
    );
    let (found, total) = roles::list(
        &db,
        &RoleFilter {
            keyword: Some("OPS_".into()),
            enabled: Some(true),
        },
        Page::new(1, 20),
    )
    .await
    .unwrap();
    assert_eq!(total, 3);
    assert!(found.iter().all(|r| r.role.enabled));
    let (supers, _) = roles::list(
        &db,
        &RoleFilter {
            keyword: Some("super".into()),
            enabled: None,
        },
        Page::new(1, 20),
    )
    .await
    .unwrap();
    assert_eq!(supers[0].user_count, 1);
}

async fn may_follows_roles_status_and_direct_grants(b: Backend) {
    let app = TestApp::spawn(b).await;
    let db = app.db().await;
    let role = role_with(&db, "viewers", &["system:user:view"]).await;
    let p = principal_with(&db, "carol", &[]).await;
    assert!(!check::may(&db, &p, "system:user:view").await.unwrap());
    memberships::set_user_roles(
        &db,
        &principal_with(&db, "root2", &["super_admin"]).await,
        p.user.id,
        "role_ids",
        &[role.id],
    )
    .await
    .unwrap();
    // The next request sees the new role.
    let p = fresh(&db, p.user.id).await;
    assert!(check::may(&db, &p, "system:user:view").await.unwrap());
    assert!(!check::may(&db, &p, "system:user:delete").await.unwrap());
    assert!(!check::may(&db, &p, "no:such:code").await.unwrap());

    // A disabled role grants nothing.
    roles::update(
        &db,
        role.id,
        RolePatch {
            enabled: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(!check::may(&db, &p, "system:user:view").await.unwrap());
    roles::update(
        &db,
        role.id,
        RolePatch {
            enabled: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // A disabled permission grants nothing either.
    let id = perm_id(&db, "system:user:view").await;
    permissions::update(
        &db,
        id,
        PermissionPatch {
            enabled: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(!check::may(&db, &p, "system:user:view").await.unwrap());

    // Permissions held directly count.
    let del = perm_id(&db, "system:user:delete").await;
    sqlx::query("INSERT INTO user_permissions (user_id, permission_id) VALUES ($1, $2)")
        .bind(p.user.id)
        .bind(del)
        .execute(db.pool())
        .await
        .unwrap();
    assert!(check::may(&db, &p, "system:user:delete").await.unwrap());

    // Super admins may do everything, even what no permission names.
    let root = principal_with(&db, "root", &["super_admin"]).await;
    assert!(check::may(&db, &root, "anything:at:all").await.unwrap());
    let set = check::PermissionSet::load(&db, &root).await.unwrap();
    assert!(set.is_all() && set.allows("x"));
}

async fn a_role_still_held_cannot_be_deleted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let db = app.db().await;
    let role = role_with(&db, "temps", &[]).await;
    let root = principal_with(&db, "root", &["super_admin"]).await;
    let p = principal_with(&db, "dave", &[]).await;
    memberships::add_members(&db, &root, role.id, "user_ids", &[p.user.id])
        .await
        .unwrap();
    assert!(matches!(
        roles::delete(&db, role.id).await,
        Err(Error::Conflict { .. })
    ));
    let detail = roles::detail(&db, role.id).await.unwrap();
    assert_eq!(detail.users[0].username, "dave");
    memberships::remove_members(&db, &root, role.id, "user_ids", &[p.user.id])
        .await
        .unwrap();
    roles::delete(&db, role.id).await.unwrap();
    assert!(matches!(
        roles::get(&db, role.id).await,
        Err(Error::NotFound(Entity::Role))
    ));
    let builtin = roles::find_by_code(&db, "user").await.unwrap().unwrap();
    assert!(matches!(
        roles::delete(&db, builtin.id).await,
        Err(Error::Conflict { .. })
    ));
}

async fn only_a_super_admin_grants_or_removes_super_admin(b: Backend) {
    let app = TestApp::spawn(b).await;
    let db = app.db().await;
    let admin = principal_with(&db, "ann", &["admin"]).await;
    let root = principal_with(&db, "root", &["super_admin"]).await;
    let target = principal_with(&db, "tom", &["user"]).await;
    let sa = roles::find_by_code(&db, "super_admin")
        .await
        .unwrap()
        .unwrap();
    let user = roles::find_by_code(&db, "user").await.unwrap().unwrap();
    let r = memberships::set_user_roles(&db, &admin, target.user.id, "role_ids", &[sa.id]).await;
    assert!(matches!(r, Err(Error::Forbidden)));
    assert!(matches!(
        memberships::add_members(&db, &admin, sa.id, "user_ids", &[target.user.id]).await,
        Err(Error::Forbidden)
    ));
    memberships::set_user_roles(&db, &root, target.user.id, "role_ids", &[sa.id, user.id])
        .await
        .unwrap();
    assert!(fresh(&db, target.user.id).await.is_super_admin());
    // Removing it is guarded the same way.
    let r = memberships::set_user_roles(&db, &admin, target.user.id, "role_ids", &[user.id]).await;
    assert!(matches!(r, Err(Error::Forbidden)));
    let r = memberships::set_user_roles(&db, &root, target.user.id, "role_ids", &[424_242]).await;
    assert_eq!(
        r.unwrap_err().first_field().map(|f| f.field.clone()),
        Some("role_ids".into())
    );
    assert_eq!(
        user_roles::ids_of(&db, target.user.id).await.unwrap(),
        vec![sa.id, user.id]
    );
    // super_admin cannot be disabled, nor a built-in code changed.
    let r = roles::update(
        &db,
        sa.id,
        RolePatch {
            enabled: Some(false),
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(r, Err(Error::Invalid(_))));
    let r = roles::update(
        &db,
        user.id,
        RolePatch {
            code: Some("member".into()),
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(r, Err(Error::Invalid(_))));
}

async fn menus_show_held_menus_and_the_ancestors_of_held_buttons(b: Backend) {
    let app = TestApp::spawn(b).await;
    let db = app.db().await;
    let role = role_with(&db, "role-viewers", &["system:role:view"]).await;
    let root = principal_with(&db, "root", &["super_admin"]).await;
    let p = principal_with(&db, "erin", &[]).await;
    assert!(check::menus_of(&db, &p).await.unwrap().is_empty());
    memberships::set_user_roles(&db, &root, p.user.id, "role_ids", &[role.id])
        .await
        .unwrap();
    let menus = check::menus_of(&db, &fresh(&db, p.user.id).await)
        .await
        .unwrap();
    assert_eq!(menus.len(), 1);
    assert_eq!(menus[0].permission.code.as_deref(), Some("system"));
    let kids: Vec<_> = menus[0]
        .children
        .iter()
        .map(|n| n.permission.code.clone().unwrap())
        .collect();
    assert_eq!(kids, ["system:role"]);
    assert!(menus[0].children[0].children.is_empty());

    let all = check::menus_of(&db, &root).await.unwrap();
    let tops: Vec<_> = all
        .iter()
        .map(|n| n.permission.code.clone().unwrap())
        .collect();
    assert_eq!(tops, ["system", "dashboard", "livestock", "trade"]);
}

async fn permissions_refuse_unknown_parents_and_duplicate_codes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let db = app.db().await;
    let mut new = NewPermission::new("财务管理", PermissionType::Menu);
    new.code = Some("finance".into());
    new.path = Some("/finance".into());
    new.sort_order = 3;
    let created = permissions::create(&db, new.clone()).await.unwrap();
    assert_eq!(created.parent_id, None);
    assert!(created.enabled);
    assert!(matches!(
        permissions::create(&db, new.clone()).await,
        Err(Error::Conflict { ref field, .. }) if field == "code"
    ));
    let mut orphan = NewPermission::new("孤儿", PermissionType::Button);
    orphan.parent_id = Some(987_654);
    let err = permissions::create(&db, orphan).await.unwrap_err();
    assert_eq!(
        err.first_field().map(|f| f.field.clone()),
        Some("parent_id".into())
    );
    let mut child = NewPermission::new("查看财务", PermissionType::Button);
    child.parent_id = Some(created.id);
    child.code = Some("finance:view".into());
    let child = permissions::create(&db, child).await.unwrap();
    let buttons = permissions::list(
        &db,
        &PermissionFilter {
            kind: Some(PermissionType::Button),
            parent_id: Some(Some(created.id)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(buttons.len(), 1);
    assert_eq!(buttons[0].id, child.id);
    // No cycles.
    let r = permissions::update(
        &db,
        created.id,
        PermissionPatch {
            parent_id: Some(Some(child.id)),
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(r, Err(Error::Invalid(_))));
}

db_test!(
    the_builtin_tree_is_seeded_once_and_granted_to_admin,
    a_role_created_with_only_a_name_gets_a_unique_code,
    roles_list_filters_and_pages,
    may_follows_roles_status_and_direct_grants,
    a_role_still_held_cannot_be_deleted,
    only_a_super_admin_grants_or_removes_super_admin,
    menus_show_held_menus_and_the_ancestors_of_held_buttons,
    permissions_refuse_unknown_parents_and_duplicate_codes,
);
