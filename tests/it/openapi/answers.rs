//! The `admin_v1` document against what the server answers: every operation with a JSON
//! success is driven on seeded data, and each body is validated against the schema the
//! document gives for that route and status (required fields, nullability, closed objects),
//! so a document that drifts from a handler's `Serialize` type fails here.

use std::collections::BTreeSet;
use std::io::Cursor;

use image::{ImageBuffer, ImageFormat, Rgb};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::admin_common::{AdminResp, path};
use crate::db_test;
use crate::support::http::Resp;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

/// The document, and the operations whose answers were checked against it.
struct Conformance {
    doc: Value,
    checked: BTreeSet<(String, String)>,
}

impl Conformance {
    async fn fetch(app: &TestApp) -> Self {
        let resp = app.get(&path("/openapi.json")).send().await;
        resp.assert_status(200);
        Self {
            doc: resp.json.clone(),
            checked: BTreeSet::new(),
        }
    }

    /// The schema of `method template`'s JSON answer at `status`, with the document's
    /// components beside it so that its `$ref`s resolve.
    fn schema(&self, method: &str, template: &str, status: u16) -> Value {
        let op = &self.doc["paths"][template][method.to_ascii_lowercase()];
        assert!(op.is_object(), "{method} {template} is not documented");
        let schema = &op["responses"][status.to_string()]["content"]["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "{method} {template} documents no JSON answer at {status}"
        );
        json!({ "components": self.doc["components"], "allOf": [schema] })
    }

    /// Problems of `body` as an answer of `method template` at `status`.
    fn problems(&self, method: &str, template: &str, status: u16, body: &Value) -> Vec<String> {
        let schema = self.schema(method, template, status);
        let validator = jsonschema::draft202012::new(&schema).expect("the schema compiles");
        validator
            .iter_errors(body)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect()
    }

    /// Asserts that `resp` is a documented success of `method template` and conforms to it;
    /// answers `data`.
    #[track_caller]
    fn check(&mut self, method: &str, template: &str, resp: &Resp) -> Value {
        let status = resp.status.as_u16();
        assert!(
            status < 300,
            "{method} {template}: {status} {}",
            resp.text()
        );
        let problems = self.problems(method, template, status, &resp.json);
        assert!(
            problems.is_empty(),
            "{method} {template} answered what the document does not admit: {problems:#?}\n{}",
            resp.text()
        );
        self.checked
            .insert((method.to_ascii_uppercase(), template.to_owned()));
        resp.json["data"].clone()
    }

    /// The operations that document a JSON success answer.
    fn json_operations(&self) -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        for (template, item) in self.doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                let json_success = op["responses"].as_object().is_some_and(|r| {
                    r.iter().any(|(status, answer)| {
                        status.starts_with('2') && answer["content"]["application/json"].is_object()
                    })
                });
                if json_success {
                    out.insert((method.to_ascii_uppercase(), template.clone()));
                }
            }
        }
        out
    }
}

fn id(data: &Value) -> i64 {
    data["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {data}"))
}

fn png() -> Vec<u8> {
    let img = ImageBuffer::from_fn(40, 30, |x, y| Rgb([(x * 6) as u8, (y * 8) as u8, 77]));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

fn image_part(name: &str) -> Part {
    Part::bytes(png())
        .file_name(name.to_owned())
        .mime_str("image/png")
        .unwrap()
}

async fn every_admin_answer_matches_the_document(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = Conformance::fetch(&app).await;

    // §2 auth
    let r = app
        .post(&path("/auth/login"))
        .json(&json!({ "username": "admin", "password": ADMIN_PASSWORD }))
        .send()
        .await;
    let login = c.check("POST", "/auth/login", &r);
    let r = app
        .post(&path("/auth/refresh"))
        .json(&json!({ "refresh_token": login["refresh_token"] }))
        .send()
        .await;
    let t = c.check("POST", "/auth/refresh", &r)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let t = t.as_str();
    let r = app.get(&path("/auth/captcha")).send().await;
    c.check("GET", "/auth/captcha", &r);
    let r = app.get(&path("/auth/user")).bearer(t).send().await;
    let me = id(&c.check("GET", "/auth/user", &r));
    let r = app.get(&path("/auth/menus")).bearer(t).send().await;
    c.check("GET", "/auth/menus", &r);

    // §4 roles and permissions
    let r = app.get(&path("/permissions/tree")).bearer(t).send().await;
    c.check("GET", "/permissions/tree", &r);
    let r = app.get(&path("/permissions")).bearer(t).send().await;
    let perms = c.check("GET", "/permissions", &r);
    let perm_ids: Vec<i64> = perms.as_array().unwrap().iter().take(3).map(id).collect();
    let r = app
        .post(&path("/permissions"))
        .bearer(t)
        .json(&json!({ "name": "报表", "code": "report:view", "type": "menu", "path": "/report" }))
        .send()
        .await;
    c.check("POST", "/permissions", &r);
    let r = app
        .post(&path("/roles"))
        .bearer(t)
        .json(&json!({ "name": "审计员", "code": "auditor", "permission_ids": perm_ids }))
        .send()
        .await;
    let role = id(&c.check("POST", "/roles", &r));
    let r = app.get(&path("/roles")).bearer(t).send().await;
    c.check("GET", "/roles", &r);
    let r = app
        .put(&path(&format!("/roles/{role}")))
        .bearer(t)
        .json(&json!({ "description": "只读" }))
        .send()
        .await;
    c.check("PUT", "/roles/{id}", &r);

    // §3 users
    let user = |name: &str, phone: &str| json!({ "username": name, "password": "secret12", "real_name": "张三", "phone": phone, "email": format!("{name}@example.com"), "role_ids": [role] });
    let r = app
        .post(&path("/users"))
        .bearer(t)
        .json(&user("farmer001", "13800138000"))
        .send()
        .await;
    let farmer = id(&c.check("POST", "/users", &r));
    let r = app
        .post(&path("/users"))
        .bearer(t)
        .json(&user("buyer001", "13900139000"))
        .send()
        .await;
    let buyer = id(&c.check("POST", "/users", &r));
    let r = app.get(&path("/users")).bearer(t).send().await;
    c.check("GET", "/users", &r);
    let r = app
        .get(&path(&format!("/roles/{role}")))
        .bearer(t)
        .send()
        .await;
    c.check("GET", "/roles/{id}", &r);
    let r = app
        .put(&path(&format!("/users/{buyer}")))
        .bearer(t)
        .json(&json!({ "real_name": "李四", "gender": 2, "birthday": "1990-01-01", "address": "上海市" }))
        .send()
        .await;
    c.check("PUT", "/users/{id}", &r);
    let r = app
        .post(&path(&format!("/users/{buyer}/toggle-status")))
        .bearer(t)
        .json(&json!({ "status": 1 }))
        .send()
        .await;
    c.check("POST", "/users/{id}/toggle-status", &r);
    let r = app
        .post(&path(&format!("/users/{buyer}/reset-password")))
        .bearer(t)
        .json(&json!({ "new_password": "secret34" }))
        .send()
        .await;
    c.check("POST", "/users/{id}/reset-password", &r);
    let mut spare = Vec::new();
    for n in 0..2 {
        let r = app
            .post(&path("/users"))
            .bearer(t)
            .json(&json!({ "username": format!("spare{n}"), "password": "secret12" }))
            .send()
            .await;
        spare.push(id(r.admin(201, 201)));
    }
    let r = app
        .delete(&path(&format!("/users/{}", spare[0])))
        .bearer(t)
        .send()
        .await;
    c.check("DELETE", "/users/{id}", &r);
    let r = app
        .delete(&path("/users"))
        .bearer(t)
        .json(&json!({ "ids": [spare[1]] }))
        .send()
        .await;
    c.check("DELETE", "/users", &r);

    // §5 farms
    let farm_body = json!({
        "user_id": farmer, "name": "张三养猪场", "code": "FARM001", "type": "pig", "area": 120.5,
        "capacity": 300, "address": "某某村123号", "province": "北京市", "city": "北京市",
        "district": "朝阳区", "license_number": "L-001",
    });
    let r = app
        .post(&path("/farms"))
        .bearer(t)
        .json(&farm_body)
        .send()
        .await;
    let farm = id(&c.check("POST", "/farms", &r));
    let r = app
        .put(&path(&format!("/farms/{farm}")))
        .bearer(t)
        .json(&json!({ "description": "规模化养殖" }))
        .send()
        .await;
    c.check("PUT", "/farms/{id}", &r);
    let r = app
        .post(&path(&format!("/farms/{farm}/audit")))
        .bearer(t)
        .json(&json!({ "status": 1, "audit_notes": "资料齐全" }))
        .send()
        .await;
    c.check("POST", "/farms/{id}/audit", &r);
    let r = app.get(&path("/farms")).bearer(t).send().await;
    c.check("GET", "/farms", &r);
    let r = app
        .get(&path(&format!("/users/{farmer}")))
        .bearer(t)
        .send()
        .await;
    let owner = c.check("GET", "/users/{id}", &r);
    assert_eq!(owner["farms"][0]["id"], json!(farm), "{owner}");
    let r = app
        .post(&path("/farms"))
        .bearer(t)
        .json(&json!({ "user_id": farmer, "name": "临时场", "code": "FARM002", "type": "cattle" }))
        .send()
        .await;
    let gone = id(r.admin(201, 201));
    let r = app
        .delete(&path(&format!("/farms/{gone}")))
        .bearer(t)
        .send()
        .await;
    c.check("DELETE", "/farms/{id}", &r);

    // §6 categories, animals, health records
    let r = app
        .post(&path("/animal-categories"))
        .bearer(t)
        .json(&json!({ "name": "猪", "code": "pig", "description": "生猪" }))
        .send()
        .await;
    let cat = id(&c.check("POST", "/animal-categories", &r));
    let r = app
        .put(&path(&format!("/animal-categories/{cat}")))
        .bearer(t)
        .json(&json!({ "description": null }))
        .send()
        .await;
    c.check("PUT", "/animal-categories/{id}", &r);
    let r = app
        .get(&path(&format!("/animal-categories/{cat}")))
        .bearer(t)
        .send()
        .await;
    c.check("GET", "/animal-categories/{id}", &r);
    let r = app.get(&path("/animal-categories")).bearer(t).send().await;
    c.check("GET", "/animal-categories", &r);
    let r = app
        .post(&path("/animal-categories"))
        .bearer(t)
        .json(&json!({ "name": "临时", "code": "tmp" }))
        .send()
        .await;
    let gone = id(r.admin(201, 201));
    let r = app
        .delete(&path(&format!("/animal-categories/{gone}")))
        .bearer(t)
        .send()
        .await;
    c.check("DELETE", "/animal-categories/{id}", &r);
    let r = app
        .post(&path("/animals"))
        .bearer(t)
        .json(&json!({ "farm_id": farm, "category_id": cat, "code": "PIG000", "name": "大白", "breed": "杜洛克猪", "gender": 1 }))
        .send()
        .await;
    let father = id(&c.check("POST", "/animals", &r));
    let r = app
        .post(&path("/animals"))
        .bearer(t)
        .json(&json!({
            "farm_id": farm, "category_id": cat, "code": "PIG001", "breed": "杜洛克猪", "gender": 2,
            "birth_date": "2024-01-01", "weight": 85.5, "father_id": father,
            "purchase_price": "1200.00", "purchase_date": "2024-02-01", "purchase_source": "种猪场",
            "current_value": 1500, "notes": "健康",
        }))
        .send()
        .await;
    let pig = id(&c.check("POST", "/animals", &r));
    let r = app
        .put(&path(&format!("/animals/{pig}")))
        .bearer(t)
        .json(&json!({ "weight": 90 }))
        .send()
        .await;
    c.check("PUT", "/animals/{id}", &r);
    let r = app
        .get(&path(&format!("/animals/{pig}")))
        .bearer(t)
        .send()
        .await;
    c.check("GET", "/animals/{id}", &r);
    let r = app.get(&path("/animals")).bearer(t).send().await;
    c.check("GET", "/animals", &r);
    let r = app
        .post(&path(&format!("/animals/{pig}/health-records")))
        .bearer(t)
        .json(&json!({
            "record_type": "vaccination", "record_date": "2024-03-01", "medicine": "猪瘟疫苗",
            "cost": 12.5, "veterinarian": "王医生", "images": [],
        }))
        .send()
        .await;
    c.check("POST", "/animals/{id}/health-records", &r);
    let r = app
        .get(&path(&format!("/animals/{pig}/health-records")))
        .bearer(t)
        .send()
        .await;
    c.check("GET", "/animals/{id}/health-records", &r);
    let r = app
        .get(&path(&format!("/farms/{farm}")))
        .bearer(t)
        .send()
        .await;
    let farm_detail = r.json.clone();
    c.check("GET", "/farms/{id}", &r);
    let r = app
        .get(&path(&format!("/farms/{farm}/statistics")))
        .bearer(t)
        .send()
        .await;
    c.check("GET", "/farms/{id}/statistics", &r);
    let r = app
        .post(&path("/animals"))
        .bearer(t)
        .json(&json!({ "farm_id": farm, "category_id": cat, "code": "PIG999" }))
        .send()
        .await;
    let gone = id(r.admin(201, 201));
    let r = app
        .delete(&path(&format!("/animals/{gone}")))
        .bearer(t)
        .send()
        .await;
    c.check("DELETE", "/animals/{id}", &r);

    // §7 orders: one through to completion, one paid and refunded, one cancelled and deleted
    let order = json!({
        "order_type": "animal", "buyer_id": buyer, "seller_id": farmer, "farm_id": farm,
        "items": [{
            "item_type": "animal", "item_id": pig, "item_spec": "体重85kg", "unit_price": 1200.00,
            "quantity": 2, "unit": "头", "notes": "健康",
        }],
        "shipping_fee": "100",
        "shipping_address": {
            "name": "李四", "phone": "13900139000", "province": "上海市", "city": "上海市",
            "district": "浦东新区", "address": "张江镇某某路123号",
        },
        "notes": "请尽快发货",
    });
    let mut orders = Vec::new();
    for _ in 0..3 {
        let r = app
            .post(&path("/orders"))
            .bearer(t)
            .json(&order)
            .send()
            .await;
        orders.push(id(&c.check("POST", "/orders", &r)));
    }
    let r = app
        .put(&path(&format!("/orders/{}", orders[0])))
        .bearer(t)
        .json(&json!({ "notes": "改期" }))
        .send()
        .await;
    c.check("PUT", "/orders/{id}", &r);
    let steps = [
        ("audit", json!({ "action": "approve", "notes": "通过" })),
        ("pay", json!({ "payment_method": "alipay" })),
        (
            "ship",
            json!({ "shipping_method": "express", "tracking_number": "SF123" }),
        ),
        ("deliver", json!({})),
        ("complete", json!({})),
    ];
    for (action, body) in steps {
        let r = app
            .post(&path(&format!("/orders/{}/{action}", orders[0])))
            .bearer(t)
            .json(&body)
            .send()
            .await;
        c.check("POST", &format!("/orders/{{id}}/{action}"), &r);
    }
    let r = app
        .post(&path(&format!("/orders/{}/pay", orders[1])))
        .bearer(t)
        .json(&json!({ "payment_method": "wechat" }))
        .send()
        .await;
    r.admin(200, 200);
    let r = app
        .post(&path(&format!("/orders/{}/refund", orders[1])))
        .bearer(t)
        .json(&json!({ "refund_amount": "100.00", "refund_reason": "缺货" }))
        .send()
        .await;
    c.check("POST", "/orders/{id}/refund", &r);
    let r = app
        .post(&path(&format!("/orders/{}/cancel", orders[2])))
        .bearer(t)
        .json(&json!({ "reason": "不要了" }))
        .send()
        .await;
    c.check("POST", "/orders/{id}/cancel", &r);
    let r = app
        .delete(&path(&format!("/orders/{}", orders[2])))
        .bearer(t)
        .send()
        .await;
    c.check("DELETE", "/orders/{id}", &r);
    let r = app
        .get(&path(&format!("/orders/{}", orders[0])))
        .bearer(t)
        .send()
        .await;
    c.check("GET", "/orders/{id}", &r);
    let r = app.get(&path("/orders")).bearer(t).send().await;
    c.check("GET", "/orders", &r);

    // §8 financial records
    let r = app
        .post(&path("/financial-records"))
        .bearer(t)
        .json(&json!({ "record_type": "expense", "category": "feed", "amount": "350.50", "record_date": "2024-02-01", "farm_id": farm, "user_id": farmer, "description": "饲料" }))
        .send()
        .await;
    let rec = id(&c.check("POST", "/financial-records", &r));
    let r = app
        .put(&path(&format!("/financial-records/{rec}")))
        .bearer(t)
        .json(&json!({ "notes": "二月" }))
        .send()
        .await;
    c.check("PUT", "/financial-records/{id}", &r);
    let r = app
        .get(&path(&format!("/financial-records/{rec}")))
        .bearer(t)
        .send()
        .await;
    c.check("GET", "/financial-records/{id}", &r);
    let r = app.get(&path("/financial-records")).bearer(t).send().await;
    c.check("GET", "/financial-records", &r);
    let r = app
        .get(&path("/financial-records/statistics"))
        .bearer(t)
        .query(&[("start_date", "2024-01-01"), ("end_date", "2024-12-31")])
        .send()
        .await;
    c.check("GET", "/financial-records/statistics", &r);
    let r = app
        .delete(&path(&format!("/financial-records/{rec}")))
        .bearer(t)
        .send()
        .await;
    c.check("DELETE", "/financial-records/{id}", &r);

    // §10 statistics
    let r = app
        .get(&path("/dashboard/statistics"))
        .bearer(t)
        .send()
        .await;
    c.check("GET", "/dashboard/statistics", &r);
    let r = app
        .get(&path("/statistics/users"))
        .bearer(t)
        .query(&[("group_by", "day")])
        .send()
        .await;
    c.check("GET", "/statistics/users", &r);

    // §11 uploads
    let form = Form::new()
        .text("type", "avatar")
        .part("file", image_part("a.png"));
    let r = app
        .post(&path("/upload/file"))
        .bearer(t)
        .multipart(form)
        .send()
        .await;
    c.check("POST", "/upload/file", &r);
    let form = Form::new()
        .text("type", "license")
        .part("files[]", image_part("b.png"))
        .part(
            "files[]",
            Part::bytes(b"not an image".to_vec()).file_name("c.png"),
        );
    let r = app
        .post(&path("/upload/files"))
        .bearer(t)
        .multipart(form)
        .send()
        .await;
    c.check("POST", "/upload/files", &r);

    // §12 exports
    let mut task = String::new();
    for resource in [
        "users",
        "farms",
        "animals",
        "orders",
        "financial-records",
        "operation-logs",
    ] {
        let r = app
            .post(&path(&format!("/export/{resource}")))
            .bearer(t)
            .json(&json!({ "format": "csv" }))
            .send()
            .await;
        let route = format!("/export/{resource}");
        task = c.check("POST", &route, &r)["task_id"]
            .as_str()
            .unwrap()
            .to_owned();
    }
    let r = app
        .get(&path(&format!("/export/tasks/{task}")))
        .bearer(t)
        .send()
        .await;
    c.check("GET", "/export/tasks/{task_id}", &r);

    // §13 notifications
    let r = app
        .post(&path("/notifications"))
        .bearer(t)
        .json(
            &json!({ "title": "维护", "content": "今晚维护", "type": "system", "user_ids": [me] }),
        )
        .send()
        .await;
    let note = id(&c.check("POST", "/notifications", &r));
    let r = app
        .post(&path("/notifications"))
        .bearer(t)
        .json(&json!({ "title": "公告", "content": "全体", "type": "system" }))
        .send()
        .await;
    c.check("POST", "/notifications", &r);
    let r = app.get(&path("/notifications")).bearer(t).send().await;
    c.check("GET", "/notifications", &r);
    let r = app
        .post(&path(&format!("/notifications/{note}/read")))
        .bearer(t)
        .send()
        .await;
    c.check("POST", "/notifications/{id}/read", &r);
    let r = app
        .post(&path("/notifications/read-all"))
        .bearer(t)
        .send()
        .await;
    c.check("POST", "/notifications/read-all", &r);

    // §9 system
    let r = app.get(&path("/system/configs")).bearer(t).send().await;
    let configs = c.check("GET", "/system/configs", &r);
    let site = configs
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["config_type"] == "string")
        .expect("a string setting")
        .clone();
    let r = app
        .put(&path(&format!("/system/configs/{}", id(&site))))
        .bearer(t)
        .json(&json!({ "config_value": site["config_value"] }))
        .send()
        .await;
    c.check("PUT", "/system/configs/{id}", &r);
    for route in ["/system/operation-logs", "/operation-logs"] {
        let r = app.get(&path(route)).bearer(t).send().await;
        let logs = c.check("GET", route, &r);
        assert!(
            logs["list"].as_array().is_some_and(|l| !l.is_empty()),
            "{logs}"
        );
    }

    // Deleting the role and logging out last: both end what the rest used.
    let r = app
        .delete(&path(&format!("/roles/{role}")))
        .bearer(t)
        .send()
        .await;
    assert_eq!(r.status.as_u16(), 409, "a role in use stays: {}", r.text());
    let r = app
        .post(&path("/roles"))
        .bearer(t)
        .json(&json!({ "name": "临时角色" }))
        .send()
        .await;
    let spare_role = id(r.admin(201, 201));
    let r = app
        .delete(&path(&format!("/roles/{spare_role}")))
        .bearer(t)
        .send()
        .await;
    c.check("DELETE", "/roles/{id}", &r);
    let r = app.post(&path("/auth/logout")).bearer(t).send().await;
    c.check("POST", "/auth/logout", &r);

    // Every operation with a JSON success was driven.
    let missing: Vec<_> = c
        .json_operations()
        .difference(&c.checked)
        .cloned()
        .collect();
    assert!(missing.is_empty(), "not driven: {missing:#?}");

    // The check is not vacuous: a renamed field, a wrong type, an unknown field and a
    // missing nullable field are each refused.
    let tampered = |f: &dyn Fn(&mut Value)| {
        let mut body = farm_detail.clone();
        f(&mut body["data"]);
        c.problems("GET", "/farms/{id}", 200, &body)
    };
    let renamed = tampered(&|d| {
        let v = d["user"]
            .as_object_mut()
            .unwrap()
            .remove("real_name")
            .unwrap();
        d["user"]["realname"] = v;
    });
    assert!(!renamed.is_empty(), "a renamed field passed");
    assert!(!tampered(&|d| d["area"] = json!("120.5")).is_empty());
    assert!(!tampered(&|d| d["extra"] = json!(1)).is_empty());
    assert!(
        !tampered(&|d| {
            d.as_object_mut().unwrap().remove("audited_at");
        })
        .is_empty()
    );
    app.stop().await;
}

db_test!(every_admin_answer_matches_the_document);
