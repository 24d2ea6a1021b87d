//! `admin_v1` access control end to end (issue 5): the permission matrix over the route
//! table, and a role built through the API giving exactly its routes and menus.

use ops::dialects::admin_v1::{Access, ROUTES};
use ops::domain::access::permissions::{self, PermissionFilter};
use ops::domain::access::roles;
use reqwest::Method;
use serde_json::{Value, json};

use crate::admin_common::{AdminResp, create_role, create_user, login, path, root};
use crate::db_test;
use crate::support::{Backend, TestApp};

fn call(app: &TestApp, method: &str, route: &str, token: &str) -> crate::support::Call {
    // A missing id: a request with the permission reaches the handler and changes nothing.
    let concrete = route.replace("{id}", "999999");
    let m = Method::from_bytes(method.as_bytes()).unwrap();
    let c = app.call(m, &path(&concrete)).bearer(token);
    if method == "GET" {
        c
    } else {
        c.json(&json!({}))
    }
}

async fn every_route_is_refused_without_its_permission_and_reached_with_it(b: Backend) {
    let app = TestApp::spawn(b).await;
    let root_token = root(&app).await;
    let db = app.db().await;
    let role = create_role(&app, &root_token, "matrix", &[]).await;
    create_user(&app, &root_token, "matrix_user", &[role]).await;
    let (token, _) = login(&app, "matrix_user", "secret12").await;
    let all = permissions::list(&db, &PermissionFilter::default())
        .await
        .unwrap();
    let mut checked = 0;
    for rule in ROUTES {
        match rule.access {
            Access::Permission(code) => {
                let this = all
                    .iter()
                    .find(|p| p.code.as_deref() == Some(code))
                    .unwrap()
                    .id;
                // Everything but this permission: refused. Role changes apply to the next
                // request of the same token.
                let others: Vec<i64> = all.iter().map(|p| p.id).filter(|id| *id != this).collect();
                roles::set_permissions(&db, role, "permission_ids", &others)
                    .await
                    .unwrap();
                let r = call(&app, rule.method, rule.path, &token).send().await;
                assert_eq!(
                    (r.status.as_u16(), r.json["code"].clone()),
                    (403, json!(10003)),
                    "{} {} without {code}: {}",
                    rule.method,
                    rule.path,
                    r.text()
                );
                // Exactly this permission: not refused.
                roles::set_permissions(&db, role, "permission_ids", &[this])
                    .await
                    .unwrap();
                let r = call(&app, rule.method, rule.path, &token).send().await;
                assert!(
                    ![401, 403].contains(&r.status.as_u16()) && r.json["code"] != json!(10003),
                    "{} {} with {code}: {}",
                    rule.method,
                    rule.path,
                    r.text()
                );
                checked += 1;
            }
            Access::Login => {
                let r = call(&app, rule.method, rule.path, "bad-token").send().await;
                r.admin(401, 10002);
            }
            Access::Public => {
                let r = call(&app, rule.method, rule.path, "").send().await;
                assert_ne!(r.status.as_u16(), 401, "{} {}", rule.method, rule.path);
            }
        }
    }
    assert!(checked >= 16, "{checked} permission routes checked");
}

fn menu_paths(menus: &Value) -> Vec<(String, Vec<String>)> {
    menus
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["path"].as_str().unwrap().to_owned(),
                m["children"]
                    .as_array()
                    .map(|c| {
                        c.iter()
                            .map(|x| x["path"].as_str().unwrap().to_owned())
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect()
}

async fn a_role_built_through_the_api_gives_exactly_its_routes_and_menus(b: Backend) {
    let app = TestApp::spawn(b).await;
    let root_token = root(&app).await;
    let role = create_role(
        &app,
        &root_token,
        "审核员",
        &["system:role", "system:role:view", "system:user:view"],
    )
    .await;
    let id = create_user(&app, &root_token, "auditor", &[role]).await;
    let (token, _) = login(&app, "auditor", "secret12").await;

    let me = app.get(&path("/auth/user")).bearer(&token).send().await;
    let mut codes: Vec<String> = me.admin(200, 200)["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        ["system:role", "system:role:view", "system:user:view"]
    );
    let menus = app.get(&path("/auth/menus")).bearer(&token).send().await;
    assert_eq!(
        menu_paths(menus.admin(200, 200)),
        [(
            "/system".to_owned(),
            vec!["/system/users".to_owned(), "/system/roles".to_owned()]
        )]
    );

    let allowed = [
        ("GET", "/users".to_owned()),
        ("GET", format!("/users/{id}")),
        ("GET", "/roles".to_owned()),
        ("GET", format!("/roles/{role}")),
    ];
    for (m, p) in &allowed {
        let r = call(&app, m, p, &token).send().await;
        r.admin(200, 200);
    }
    for rule in ROUTES {
        let Access::Permission(code) = rule.access else {
            continue;
        };
        if ["system:user:view", "system:role:view"].contains(&code) {
            continue;
        }
        let r = call(&app, rule.method, rule.path, &token).send().await;
        r.admin(403, 10003);
    }

    // Taking the role away applies to the next request of the same token.
    app.put(&path(&format!("/users/{id}")))
        .bearer(&root_token)
        .json(&json!({"role_ids": []}))
        .send()
        .await
        .admin(200, 200);
    app.get(&path("/users"))
        .bearer(&token)
        .send()
        .await
        .admin(403, 10003);
    let menus = app.get(&path("/auth/menus")).bearer(&token).send().await;
    assert_eq!(menus.admin(200, 200), &json!([]));
}

async fn a_disabled_role_grants_nothing_over_http(b: Backend) {
    let app = TestApp::spawn(b).await;
    let root_token = root(&app).await;
    let role = create_role(&app, &root_token, "viewer", &["system:user:view"]).await;
    create_user(&app, &root_token, "viewer1", &[role]).await;
    let (token, _) = login(&app, "viewer1", "secret12").await;
    app.get(&path("/users"))
        .bearer(&token)
        .send()
        .await
        .admin(200, 200);
    app.put(&path(&format!("/roles/{role}")))
        .bearer(&root_token)
        .json(&json!({"status": 0}))
        .send()
        .await
        .admin(200, 200);
    app.get(&path("/users"))
        .bearer(&token)
        .send()
        .await
        .admin(403, 10003);
}

db_test!(
    every_route_is_refused_without_its_permission_and_reached_with_it,
    a_role_built_through_the_api_gives_exactly_its_routes_and_menus,
    a_disabled_role_grants_nothing_over_http,
);
