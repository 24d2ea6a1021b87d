//! `admin_v1` §4 角色权限管理 (issue 5): roles, the permission tree and list, permission create.

use serde_json::json;

use crate::admin_common::{AdminResp, create_user, path, perm_ids, root};
use crate::db_test;
use crate::support::{Backend, TestApp};

async fn roles_are_created_listed_shown_updated_and_deleted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let perms = perm_ids(&app, &token, &["system:user:view", "system:role:view"]).await;
    let r = app
        .post(&path("/roles"))
        .bearer(&token)
        .json(&json!({"name": "运营管理员", "code": "operator", "description": "负责平台运营管理", "permission_ids": perms}))
        .send()
        .await;
    let d = r.admin(201, 201).clone();
    assert_eq!(d["code"], "operator");
    assert_eq!(d["status"], 1);
    assert_eq!(d["description"], "负责平台运营管理");
    let id = d["id"].as_i64().unwrap();
    let user = create_user(&app, &token, "operator1", &[id]).await;

    let r = app
        .get(&path("/roles"))
        .bearer(&token)
        .query(&[("keyword", "运营"), ("status", "1")])
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(d["pagination"]["total"], 1);
    assert_eq!(d["list"][0]["user_count"], 1);
    assert_eq!(d["list"][0]["created_at"].as_str().unwrap().len(), 19);
    let r = app.get(&path("/roles")).bearer(&token).send().await;
    assert_eq!(r.admin(200, 200)["pagination"]["total"], 4);

    let r = app
        .get(&path(&format!("/roles/{id}")))
        .bearer(&token)
        .send()
        .await;
    let d = r.admin(200, 200);
    let codes: Vec<_> = d["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["system:user:view", "system:role:view"]);
    assert_eq!(d["permissions"][0]["type"], "button");
    assert_eq!(
        d["users"],
        json!([{"id": user, "username": "operator1", "real_name": ""}])
    );

    let more = perm_ids(&app, &token, &["system:permission:view"]).await;
    let r = app
        .put(&path(&format!("/roles/{id}")))
        .bearer(&token)
        .json(&json!({"name": "高级运营管理员", "description": "负责平台高级运营管理", "permission_ids": more}))
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(d["name"], "高级运营管理员");
    assert_eq!(d["code"], "operator");
    let r = app
        .get(&path(&format!("/roles/{id}")))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(
        r.admin(200, 200)["permissions"][0]["code"],
        "system:permission:view"
    );

    // Still held: refused with 10005.
    let r = app
        .delete(&path(&format!("/roles/{id}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(409, 10005);
    app.put(&path(&format!("/users/{user}")))
        .bearer(&token)
        .json(&json!({"role_ids": []}))
        .send()
        .await
        .admin(200, 200);
    let r = app
        .delete(&path(&format!("/roles/{id}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(200, 200);
    assert_eq!(r.json["message"], "删除成功");
    app.get(&path(&format!("/roles/{id}")))
        .bearer(&token)
        .send()
        .await
        .admin(404, 10004);
    app.delete(&path(&format!("/roles/{id}")))
        .bearer(&token)
        .send()
        .await
        .admin(404, 10004);
}

async fn role_input_is_checked(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let r = app
        .post(&path("/roles"))
        .bearer(&token)
        .json(&json!({"description": "x"}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["name"]);
    let r = app
        .post(&path("/roles"))
        .bearer(&token)
        .json(&json!({"name": "ghost", "permission_ids": [999999]}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["permission_ids"]);
    app.post(&path("/roles"))
        .bearer(&token)
        .json(&json!({"name": "ghost", "permission_ids": "all"}))
        .send()
        .await
        .admin(400, 10001);
    app.post(&path("/roles"))
        .bearer(&token)
        .json(&json!({"name": "dup", "code": "admin"}))
        .send()
        .await
        .admin(409, 10005);
    app.post(&path("/roles"))
        .bearer(&token)
        .json(&json!({"name": "管理员"}))
        .send()
        .await
        .admin(409, 10005);
    // Without a code one is generated.
    let r = app
        .post(&path("/roles"))
        .bearer(&token)
        .json(&json!({"name": "nocode"}))
        .send()
        .await;
    assert!(
        r.admin(201, 201)["code"]
            .as_str()
            .unwrap()
            .starts_with("role_")
    );
    // Built-in roles keep their code and cannot be deleted.
    let list = app.get(&path("/roles")).bearer(&token).send().await;
    let sa = list.admin(200, 200)["list"][0]["id"].as_i64().unwrap();
    app.put(&path(&format!("/roles/{sa}")))
        .bearer(&token)
        .json(&json!({"code": "boss"}))
        .send()
        .await
        .admin(422, 10006);
    app.delete(&path(&format!("/roles/{sa}")))
        .bearer(&token)
        .send()
        .await
        .admin(409, 10005);
    app.put(&path("/roles/999999"))
        .bearer(&token)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .admin(404, 10004);
}

async fn the_permission_tree_and_list_follow_the_document(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let r = app
        .get(&path("/permissions/tree"))
        .bearer(&token)
        .send()
        .await;
    let tree = r.admin(200, 200).as_array().unwrap().clone();
    let system = &tree[0];
    assert_eq!(system["code"], "system");
    assert_eq!(system["type"], "menu");
    assert_eq!(system["path"], "/system");
    assert_eq!(system["sort_order"], 1);
    let users = &system["children"][0];
    assert_eq!(users["code"], "system:user");
    assert_eq!(users["children"][0]["code"], "system:user:view");
    assert_eq!(users["children"][0]["type"], "button");
    assert_eq!(users["children"][1]["code"], "system:user:create");

    let r = app
        .get(&path("/permissions"))
        .bearer(&token)
        .query(&[("type", "menu"), ("parent_id", "0")])
        .send()
        .await;
    let list = r.admin(200, 200).as_array().unwrap().clone();
    assert!(
        list.iter()
            .all(|p| p["type"] == "menu" && p["parent_id"].is_null())
    );
    assert_eq!(list[0]["code"], "system");
    assert_eq!(list[0]["status"], 1);
    let system_id = list[0]["id"].as_i64().unwrap();
    let r = app
        .get(&path("/permissions"))
        .bearer(&token)
        .query(&[("parent_id", &system_id.to_string()), ("status", "1")])
        .send()
        .await;
    let kids = r.admin(200, 200).as_array().unwrap().clone();
    assert!(kids.iter().all(|p| p["parent_id"] == json!(system_id)));
    assert_eq!(kids[0]["code"], "system:user");
    app.get(&path("/permissions"))
        .bearer(&token)
        .query(&[("type", "page")])
        .send()
        .await
        .admin(422, 10006);
    app.get(&path("/permissions"))
        .bearer(&token)
        .query(&[("parent_id", "x")])
        .send()
        .await
        .admin(400, 10001);
}

async fn permissions_are_created_with_unknown_parents_and_duplicate_codes_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let body = json!({
        "name": "财务管理", "code": "finance", "type": "menu", "parent_id": null,
        "path": "/finance", "icon": "finance", "sort_order": 3
    });
    let r = app
        .post(&path("/permissions"))
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    let d = r.admin(201, 201).clone();
    assert_eq!(r.json["message"], "创建成功");
    assert_eq!(d["code"], "finance");
    assert_eq!(d["type"], "menu");
    assert_eq!(d["parent_id"], json!(null));
    assert_eq!(d["path"], "/finance");
    assert_eq!(d["icon"], "finance");
    assert_eq!(d["sort_order"], 3);
    assert_eq!(d["status"], 1);
    assert_eq!(d["created_at"].as_str().unwrap().len(), 19);
    app.post(&path("/permissions"))
        .bearer(&token)
        .json(&body)
        .send()
        .await
        .admin(409, 10005);
    let r = app
        .post(&path("/permissions"))
        .bearer(&token)
        .json(&json!({"name": "查看财务", "code": "finance:view", "type": "button", "parent_id": 987654}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["parent_id"]);
    let r = app
        .post(&path("/permissions"))
        .bearer(&token)
        .json(&json!({"name": "查看财务", "code": "finance:view", "type": "button", "parent_id": d["id"]}))
        .send()
        .await;
    assert_eq!(r.admin(201, 201)["parent_id"], d["id"]);
    let r = app
        .post(&path("/permissions"))
        .bearer(&token)
        .json(&json!({"code": "x y", "type": "page"}))
        .send()
        .await;
    r.admin(422, 10006);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, ["code", "name", "type"]);
    app.post(&path("/permissions"))
        .bearer(&token)
        .json(&json!({"name": "n", "type": "menu", "sort_order": "first"}))
        .send()
        .await
        .admin(400, 10001);
    // The new menu shows in the super admin's menus.
    let menus = app.get(&path("/auth/menus")).bearer(&token).send().await;
    let menus = menus.admin(200, 200).as_array().unwrap().clone();
    assert!(menus.iter().any(|m| m["path"] == "/finance"));
}

db_test!(
    roles_are_created_listed_shown_updated_and_deleted,
    role_input_is_checked,
    the_permission_tree_and_list_follow_the_document,
    permissions_are_created_with_unknown_parents_and_duplicate_codes_refused,
);
