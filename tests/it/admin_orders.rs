//! admin_v1 §7 订单: list, detail, create/update/delete, the actions and their postings.

use serde_json::{Value, json};

use crate::admin_common::{AdminResp, create_user, login, path, role_id, root};
use crate::admin_livestock::{like, listed};
use crate::db_test;
use crate::support::{Backend, TestApp};

/// A user with a name and phone, through the API; answers the id.
pub async fn person(
    app: &TestApp,
    token: &str,
    username: &str,
    real_name: &str,
    phone: &str,
) -> i64 {
    let r = app
        .post(&path("/users"))
        .bearer(token)
        .json(&json!({"username": username, "password": "secret12", "real_name": real_name, "phone": phone}))
        .send()
        .await;
    r.admin(201, 201)["id"].as_i64().unwrap()
}

/// Runs one statement against the test database (set-up of farms, animals and health
/// records, which the farms part's routes own).
pub async fn exec(app: &TestApp, sql: &str) -> i64 {
    let db = app.db().await;
    let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("{sql} RETURNING id")))
        .fetch_one(db.pool())
        .await
        .unwrap();
    db.close().await;
    id
}

pub async fn farm(app: &TestApp, owner: i64, name: &str) -> i64 {
    exec(
        app,
        &format!(
            "INSERT INTO farms (user_id, name, code, type, address, created_at, updated_at) \
             VALUES ({owner}, '{name}', 'F{owner}{}', 'pig', '北京市朝阳区某某村123号', 0, 0)",
            name.len()
        ),
    )
    .await
}

pub async fn animal(app: &TestApp, farm_id: i64, code: &str) -> i64 {
    let cat = exec(
        app,
        &format!(
            "INSERT INTO animal_categories (name, code, created_at, updated_at) \
             VALUES ('猪{code}', 'pig{code}', 0, 0)"
        ),
    )
    .await;
    exec(
        app,
        &format!(
            "INSERT INTO animals (farm_id, category_id, code, name, breed, created_at, updated_at) \
             VALUES ({farm_id}, {cat}, '{code}', '', '杜洛克猪', 0, 0)"
        ),
    )
    .await
}

/// A treatment whose withdrawal period ends (exclusive) on `ends`.
pub async fn withdrawal(app: &TestApp, animal_id: i64, ends: &str) {
    exec(
        app,
        &format!(
            "INSERT INTO health_records (animal_id, record_type, record_date, withdrawal_days, \
             withdrawal_ends, images, created_at) VALUES ({animal_id}, 'treatment', '2000-01-01', 7, \
             '{ends}', '[]', 0)"
        ),
    )
    .await;
}

pub struct World {
    pub app: TestApp,
    pub token: String,
    pub buyer: i64,
    pub seller: i64,
    pub farm: i64,
    pub animal: i64,
}

pub async fn world(b: Backend) -> World {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let buyer = person(&app, &token, "buyer001", "李四", "13900139000").await;
    let seller = person(&app, &token, "farmer001", "张三", "13800138000").await;
    let farm = farm(&app, seller, "张三养猪场").await;
    let animal = animal(&app, farm, "PIG001").await;
    World {
        app,
        token,
        buyer,
        seller,
        farm,
        animal,
    }
}

impl World {
    pub fn order(&self) -> Value {
        json!({
            "order_type": "animal",
            "buyer_id": self.buyer,
            "seller_id": self.seller,
            "farm_id": self.farm,
            "items": [{
                "item_type": "animal", "item_id": self.animal, "item_spec": "体重85kg6月龄",
                "unit_price": 1200.00, "quantity": 2, "unit": "头", "notes": "健康状况良好"
            }],
            "discount_amount": 0,
            "shipping_fee": "100",
            "shipping_address": {
                "name": "李四", "phone": "13900139000", "province": "上海市", "city": "上海市",
                "district": "浦东新区", "address": "张江镇某某路123号"
            },
            "shipping_method": "express",
            "notes": "请尽快发货"
        })
    }

    pub async fn create(&self, body: &Value) -> Value {
        let r = self
            .app
            .post(&path("/orders"))
            .bearer(&self.token)
            .json(body)
            .send()
            .await;
        r.admin(201, 201).clone()
    }

    pub async fn act(&self, id: i64, action: &str, body: &Value) -> crate::support::http::Resp {
        self.app
            .post(&path(&format!("/orders/{id}/{action}")))
            .bearer(&self.token)
            .json(body)
            .send()
            .await
    }

    pub async fn get(&self, p: &str) -> Value {
        let r = self.app.get(&path(p)).bearer(&self.token).send().await;
        r.admin(200, 200).clone()
    }

    pub async fn total(&self, p: &str) -> i64 {
        self.get(p).await["pagination"]["total"].as_i64().unwrap()
    }
}

fn today() -> String {
    chrono::Utc::now().format("%Y%m%d").to_string()
}

async fn create_answers_the_detail_and_the_list_shows_it(b: Backend) {
    let w = world(b).await;
    let r = w
        .app
        .post(&path("/orders"))
        .bearer(&w.token)
        .json(&w.order())
        .send()
        .await;
    let d = r.admin(201, 201).clone();
    // Amounts are JSON numbers with two decimals, exactly as the document shows.
    let text = r.text();
    for s in [
        "\"total_amount\":2400.00",
        "\"discount_amount\":0.00",
        "\"shipping_fee\":100.00",
        "\"actual_amount\":2500.00",
        "\"unit_price\":1200.00",
        "\"subtotal\":2400.00",
    ] {
        assert!(text.contains(s), "{s} in {text}");
    }
    assert_eq!(d["order_no"], json!(format!("ORD{}0001", today())));
    assert_eq!(d["order_status"], "pending");
    assert_eq!(d["payment_status"], "unpaid");
    assert_eq!(d["buyer"]["phone"], "139****9000");
    assert_eq!(d["seller"]["real_name"], "张三");
    assert_eq!(d["farm"]["address"], "北京市朝阳区某某村123号");
    assert_eq!(
        d["shipping_address"]["full_address"],
        "上海市上海市浦东新区张江镇某某路123号"
    );
    let item = &d["items"][0];
    assert_eq!(item["item_name"], "杜洛克猪", "animal name filled in");
    assert_eq!(item["item_code"], "PIG001");
    assert_eq!(item["quantity"], 2);
    assert!(d["paid_at"].is_null() && d["cancel_reason"].is_null());
    assert_eq!(d["created_at"].as_str().unwrap().len(), 19);
    let id = d["id"].as_i64().unwrap();

    let detail = w.get(&format!("/orders/{id}")).await;
    assert_eq!(detail, d);

    let list = w.get("/orders").await;
    assert_eq!(list["pagination"]["total"], 1);
    let e = &list["list"][0];
    assert_eq!(e["order_no"], d["order_no"]);
    assert_eq!(e["item_count"], 1);
    assert_eq!(
        e["buyer"],
        json!({"id": w.buyer, "username": "buyer001", "real_name": "李四"})
    );
    assert_eq!(e["farm"], json!({"id": w.farm, "name": "张三养猪场"}));
    assert_eq!(e["actual_amount"], json!(2500.0));

    let second = w.create(&w.order()).await;
    assert_eq!(second["order_no"], json!(format!("ORD{}0002", today())));
}

async fn the_list_filters_by_every_documented_parameter(b: Backend) {
    let w = world(b).await;
    let first = w.create(&w.order()).await;
    let other = person(&w.app, &w.token, "buyer002", "王五", "13700137000").await;
    let mut feed = w.order();
    feed["order_type"] = json!("feed");
    feed["buyer_id"] = json!(other);
    feed["items"] =
        json!([{"item_type": "feed", "item_name": "玉米", "unit_price": 10.5, "quantity": 3}]);
    feed["payment_status"] = json!("paid");
    feed["payment_method"] = json!("wechat");
    w.create(&feed).await;
    let no = first["order_no"].as_str().unwrap();
    let cases: Vec<(String, i64)> = vec![
        (format!("keyword={no}"), 1),
        (format!("keyword={}", &no[..11].to_lowercase()), 2),
        ("keyword=0002".into(), 1),
        ("keyword=nothing".into(), 0),
        ("order_type=feed".into(), 1),
        ("order_status=pending".into(), 2),
        ("order_status=confirmed".into(), 0),
        ("payment_status=paid".into(), 1),
        (format!("buyer_id={other}"), 1),
        (format!("seller_id={}", w.seller), 2),
        (format!("seller_id={}", w.buyer), 0),
        (format!("farm_id={}", w.farm), 2),
        ("start_date=2000-01-01&end_date=2000-12-31".into(), 0),
        (
            format!(
                "start_date={}&end_date={}",
                chrono::Utc::now().format("%Y-%m-%d"),
                chrono::Utc::now().format("%Y-%m-%d")
            ),
            2,
        ),
        ("page=2&page_size=1".into(), 2),
    ];
    for (q, n) in cases {
        assert_eq!(w.total(&format!("/orders?{q}")).await, n, "{q}");
    }
    let page = w.get("/orders?page=2&page_size=1").await;
    assert_eq!(page["list"][0]["order_no"], json!(no), "newest first");
    assert_eq!(page["pagination"]["total_pages"], 2);

    let r = w
        .app
        .get(&path("/orders?order_status=lost"))
        .bearer(&w.token)
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["order_status"]);
    let r = w
        .app
        .get(&path("/orders?buyer_id=abc"))
        .bearer(&w.token)
        .send()
        .await;
    r.admin(400, 10001);
    let r = w
        .app
        .get(&path("/orders?start_date=yesterday"))
        .bearer(&w.token)
        .send()
        .await;
    assert_eq!(r.error_fields(), ["start_date"]);
}

async fn the_lifecycle_posts_income_and_refuses_what_the_table_refuses(b: Backend) {
    let w = world(b).await;
    let id = w.create(&w.order()).await["id"].as_i64().unwrap();
    // Ship before approval and payment: refused, nothing changes.
    let r = w.act(id, "ship", &json!({})).await;
    r.admin(400, 50001);
    let d = w
        .act(
            id,
            "audit",
            &json!({"action": "approve", "notes": "订单审核通过"}),
        )
        .await;
    let d = d.admin(200, 200).clone();
    assert_eq!(d["order_status"], "confirmed");
    assert_eq!(d["audit_notes"], "订单审核通过");
    assert_eq!(d["audited_at"].as_str().unwrap().len(), 19);
    // A second audit is refused.
    w.act(id, "audit", &json!({"action": "approve"}))
        .await
        .admin(400, 50001);
    w.act(id, "ship", &json!({"shipping_method": "express"}))
        .await
        .admin(400, 50001);

    let r = w.act(id, "pay", &json!({"payment_method": "alipay"})).await;
    let d = r.admin(200, 200).clone();
    assert_eq!(
        (d["payment_status"].as_str(), d["order_status"].as_str()),
        (Some("paid"), Some("confirmed"))
    );
    // Paying posted the seller's income, linked to the order.
    let recs = w
        .get(&format!("/financial-records?user_id={}", w.seller))
        .await;
    assert_eq!(recs["pagination"]["total"], 1);
    let rec = &recs["list"][0];
    assert_eq!(
        (
            rec["record_type"].as_str(),
            rec["category"].as_str(),
            rec["related_type"].as_str()
        ),
        (Some("income"), Some("sale"), Some("order"))
    );
    assert_eq!(rec["related_id"], json!(id));
    assert_eq!(rec["amount"], json!(2500.0));
    assert_eq!(rec["farm"]["id"], json!(w.farm));
    w.act(id, "pay", &json!({"payment_method": "alipay"}))
        .await
        .admin(400, 50001);
    w.act(id, "cancel", &json!({"reason": "不要了"}))
        .await
        .admin(400, 50001);

    let d = w
        .act(
            id,
            "ship",
            &json!({"shipping_method": "express", "tracking_number": "SF1234567890"}),
        )
        .await;
    let d = d.admin(200, 200).clone();
    assert_eq!(d["order_status"], "shipped");
    assert_eq!(d["tracking_number"], "SF1234567890");
    w.act(id, "cancel", &json!({})).await.admin(400, 50001);
    w.act(id, "complete", &json!({})).await.admin(400, 50001);
    assert_eq!(
        w.act(id, "deliver", &json!({})).await.admin(200, 200)["order_status"],
        "delivered"
    );
    assert_eq!(
        w.act(id, "complete", &json!({})).await.admin(200, 200)["order_status"],
        "completed"
    );
    w.act(id, "refund", &json!({"refund_amount": 1}))
        .await
        .admin(400, 50001);
    let detail = w.get(&format!("/orders/{id}")).await;
    assert_eq!(detail["order_status"], "completed");
    for t in ["paid_at", "shipped_at", "delivered_at", "completed_at"] {
        assert!(detail[t].is_string(), "{t}");
    }
    assert!(detail["cancelled_at"].is_null());
    // Still one record: refused transitions posted nothing.
    assert_eq!(w.total("/financial-records").await, 1);
    // Unknown order: 404.
    w.act(99_999, "pay", &json!({"payment_method": "alipay"}))
        .await
        .admin(404, 10004);
}

async fn a_refund_posts_the_matching_expense_and_cancels(b: Backend) {
    let w = world(b).await;
    let mut body = w.order();
    body["payment_status"] = json!("paid");
    body["payment_method"] = json!("cash");
    let d = w.create(&body).await;
    let id = d["id"].as_i64().unwrap();
    assert_eq!(d["payment_status"], "paid");
    assert!(d["paid_at"].is_string());
    // Created paid: the income is posted at once.
    assert_eq!(w.total("/financial-records?record_type=income").await, 1);
    let r = w
        .act(id, "refund", &json!({"refund_amount": 2500.01}))
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["refund_amount"]);
    let r = w.act(id, "refund", &json!({"refund_amount": -1})).await;
    assert_eq!(r.error_fields(), ["refund_amount"]);
    w.act(id, "refund", &json!({"refund_amount": true}))
        .await
        .admin(400, 10001);
    w.act(id, "cancel", &json!({})).await.admin(400, 50001);

    let r = w
        .act(id, "refund", &json!({"refund_amount": "2500.00", "refund_reason": "买家申请退款", "notes": "同意退款申请"}))
        .await;
    let d = r.admin(200, 200).clone();
    assert!(
        r.text().contains("\"refund_amount\":2500.00"),
        "{}",
        r.text()
    );
    assert_eq!(d["payment_status"], "refunded");
    assert_eq!(d["order_status"], "cancelled");
    assert_eq!(d["refund_reason"], "买家申请退款");
    assert_eq!(d["refunded_at"].as_str().unwrap().len(), 19);
    let exp = w.get("/financial-records?record_type=expense").await;
    assert_eq!(exp["pagination"]["total"], 1);
    assert_eq!(exp["list"][0]["category"], "refund");
    assert_eq!(exp["list"][0]["amount"], json!(2500.0));
    assert_eq!(exp["summary"]["total_expense"], json!(2500.0));
    w.act(id, "refund", &json!({})).await.admin(400, 50001);
    // A paid order is refunded, never deleted.
    let r = w
        .app
        .delete(&path(&format!("/orders/{id}")))
        .bearer(&w.token)
        .send()
        .await;
    r.admin(400, 50001);
}

async fn reject_cancels_with_the_notes_as_the_reason(b: Backend) {
    let w = world(b).await;
    let id = w.create(&w.order()).await["id"].as_i64().unwrap();
    let r = w.act(id, "audit", &json!({"action": "maybe"})).await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["action"]);
    let d = w
        .act(
            id,
            "audit",
            &json!({"action": "reject", "notes": "信息不全"}),
        )
        .await;
    let d = d.admin(200, 200).clone();
    assert_eq!(d["order_status"], "cancelled");
    let detail = w.get(&format!("/orders/{id}")).await;
    assert_eq!(detail["cancel_reason"], "信息不全");
    assert!(detail["cancelled_at"].is_string());
    // The audit notified buyer and seller, once each, with the order number.
    let db = w.app.db().await;
    for user in [w.buyer, w.seller] {
        let contents: Vec<String> = sqlx::query_scalar(
            "SELECT n.content FROM notifications n \
             JOIN notification_recipients r ON r.notification_id = n.id \
             WHERE r.user_id = $1 AND n.type = 'order'",
        )
        .bind(user)
        .fetch_all(db.pool())
        .await
        .unwrap();
        assert_eq!(contents.len(), 1, "{contents:?}");
        let order_no = detail["order_no"].as_str().unwrap();
        assert!(contents[0].contains(order_no), "{contents:?}");
        assert!(contents[0].contains("未通过审核"), "{contents:?}");
    }
    w.act(id, "audit", &json!({"action": "approve"}))
        .await
        .admin(400, 50001);
    w.act(id, "pay", &json!({"payment_method": "alipay"}))
        .await
        .admin(400, 50001);

    // Cancel from confirmed, with no body at all.
    let id = w.create(&w.order()).await["id"].as_i64().unwrap();
    w.act(id, "audit", &json!({"action": "approve"}))
        .await
        .admin(200, 200);
    let r = w
        .app
        .post(&path(&format!("/orders/{id}/cancel")))
        .bearer(&w.token)
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["order_status"], "cancelled");
}

async fn bad_input_names_every_field_and_stores_nothing(b: Backend) {
    let w = world(b).await;
    let post = |body: Value| {
        let app = &w.app;
        let token = w.token.clone();
        async move {
            app.post(&path("/orders"))
                .bearer(&token)
                .json(&body)
                .send()
                .await
        }
    };
    let mut body = w.order();
    body["buyer_id"] = json!("x");
    post(body).await.admin(400, 10001);
    let mut body = w.order();
    body["items"][0]["quantity"] = json!("two");
    let r = post(body).await;
    r.admin(400, 10001);
    assert_eq!(r.error_fields(), ["items[0].quantity"]);

    let r = post(json!({"order_type": "car", "items": [{"item_type": "feed", "unit_price": 1.001, "quantity": 0}], "shipping_fee": -5})).await;
    r.admin(422, 10006);
    assert_eq!(
        r.error_fields(),
        [
            "order_type",
            "buyer_id",
            "seller_id",
            "items[0].item_name",
            "items[0].unit_price",
            "items[0].quantity",
            "shipping_fee"
        ]
    );
    // Unknown references: 10006 naming each field.
    let mut body = w.order();
    body["buyer_id"] = json!(9999);
    body["farm_id"] = json!(9999);
    body["items"][0]["item_id"] = json!(9999);
    let r = post(body).await;
    r.admin(422, 10006);
    assert_eq!(
        r.error_fields(),
        ["buyer_id", "farm_id", "items[0].item_id"]
    );
    let mut body = w.order();
    body["seller_id"] = json!(9999);
    assert_eq!(post(body).await.error_fields(), ["seller_id"]);
    let mut body = w.order();
    body["discount_amount"] = json!(3000);
    assert_eq!(post(body).await.error_fields(), ["discount_amount"]);
    let mut body = w.order();
    body["payment_status"] = json!("paid");
    assert_eq!(post(body).await.error_fields(), ["payment_method"]);
    post(json!([1, 2])).await.admin(400, 10001);
    let r = w
        .app
        .post(&path("/orders"))
        .bearer(&w.token)
        .body("application/json", "{")
        .send()
        .await;
    r.admin(400, 10001);

    // Nothing was stored, not even an order number.
    assert_eq!(w.total("/orders").await, 0);
    assert_eq!(w.total("/financial-records").await, 0);
    let d = w.create(&w.order()).await;
    assert_eq!(d["order_no"], json!(format!("ORD{}0001", today())));
    w.app
        .get(&path("/orders/0"))
        .bearer(&w.token)
        .send()
        .await
        .admin(404, 10004);
    w.app
        .get(&path("/orders/4242"))
        .bearer(&w.token)
        .send()
        .await
        .admin(404, 10004);
}

async fn an_animal_in_withdrawal_cannot_be_ordered_or_shipped(b: Backend) {
    let w = world(b).await;
    let id = w.create(&w.order()).await["id"].as_i64().unwrap();
    w.act(id, "audit", &json!({"action": "approve"}))
        .await
        .admin(200, 200);
    w.act(id, "pay", &json!({"payment_method": "alipay"}))
        .await
        .admin(200, 200);
    withdrawal(&w.app, w.animal, "2999-01-01").await;
    // A new order with the animal: refused, naming the animal and the date.
    let r = w
        .app
        .post(&path("/orders"))
        .bearer(&w.token)
        .json(&w.order())
        .send()
        .await;
    r.admin(400, 50001);
    let msg = r.json["message"].as_str().unwrap().to_owned();
    assert!(
        msg.contains("PIG001") && msg.contains("2999-01-01"),
        "{msg}"
    );
    // Shipping the existing order: refused, the order stays confirmed.
    let r = w
        .act(id, "ship", &json!({"shipping_method": "express"}))
        .await;
    r.admin(400, 50001);
    assert!(r.json["message"].as_str().unwrap().contains("2999-01-01"));
    assert_eq!(
        w.get(&format!("/orders/{id}")).await["order_status"],
        "confirmed"
    );
    // A period that has ended does not block.
    let other = animal(&w.app, w.farm, "PIG002").await;
    withdrawal(&w.app, other, "2000-01-08").await;
    let mut body = w.order();
    body["items"][0]["item_id"] = json!(other);
    w.create(&body).await;
    assert_eq!(w.total("/orders").await, 2);
}

async fn update_and_delete_only_pending_unpaid_orders(b: Backend) {
    let w = world(b).await;
    let id = w.create(&w.order()).await["id"].as_i64().unwrap();
    let r = w
        .app
        .put(&path(&format!("/orders/{id}")))
        .bearer(&w.token)
        .json(&json!({
            "items": [{"item_type": "feed", "item_name": "豆粕", "unit_price": "0.10", "quantity": 3},
                      {"item_type": "medicine", "item_name": "疫苗", "unit_price": 0.2, "quantity": 1}],
            "discount_amount": 0.05,
            "notes": "改单",
            "shipping_address": {"district": "徐汇区"}
        }))
        .send()
        .await;
    let d = r.admin(200, 200).clone();
    assert!(r.text().contains("\"total_amount\":0.50"), "{}", r.text());
    assert!(
        r.text().contains("\"actual_amount\":100.45"),
        "{}",
        r.text()
    );
    assert_eq!(d["items"].as_array().unwrap().len(), 2);
    assert_eq!(d["notes"], "改单");
    assert_eq!(d["order_type"], "animal", "absent fields keep their values");
    assert_eq!(
        d["shipping_address"]["full_address"],
        "上海市上海市徐汇区张江镇某某路123号"
    );
    let r = w
        .app
        .put(&path(&format!("/orders/{id}")))
        .bearer(&w.token)
        .json(&json!({"items": []}))
        .send()
        .await;
    assert_eq!(r.error_fields(), ["items"]);
    assert_eq!(
        w.get(&format!("/orders/{id}")).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    w.act(id, "audit", &json!({"action": "approve"}))
        .await
        .admin(200, 200);
    let r = w
        .app
        .put(&path(&format!("/orders/{id}")))
        .bearer(&w.token)
        .json(&json!({"notes": "x"}))
        .send()
        .await;
    r.admin(400, 50001);
    w.app
        .delete(&path(&format!("/orders/{id}")))
        .bearer(&w.token)
        .send()
        .await
        .admin(400, 50001);
    w.act(id, "cancel", &json!({"reason": "不要了"}))
        .await
        .admin(200, 200);
    w.app
        .delete(&path(&format!("/orders/{id}")))
        .bearer(&w.token)
        .send()
        .await
        .admin(200, 200);
    w.app
        .get(&path(&format!("/orders/{id}")))
        .bearer(&w.token)
        .send()
        .await
        .admin(404, 10004);
    w.app
        .put(&path("/orders/777"))
        .bearer(&w.token)
        .json(&json!({}))
        .send()
        .await
        .admin(404, 10004);
}

async fn ordinary_users_are_refused_and_admins_allowed(b: Backend) {
    let w = world(b).await;
    let id = w.create(&w.order()).await["id"].as_i64().unwrap();
    create_user(&w.app, &w.token, "plain", &[]).await;
    let admin_role = role_id(&w.app, &w.token, "admin").await;
    create_user(&w.app, &w.token, "manager", &[admin_role]).await;
    let (plain, _) = login(&w.app, "plain", "secret12").await;
    let (manager, _) = login(&w.app, "manager", "secret12").await;
    let routes: Vec<(reqwest::Method, String)> = vec![
        (reqwest::Method::GET, "/orders".into()),
        (reqwest::Method::POST, "/orders".into()),
        (reqwest::Method::GET, format!("/orders/{id}")),
        (reqwest::Method::PUT, format!("/orders/{id}")),
        (reqwest::Method::DELETE, format!("/orders/{id}")),
        (reqwest::Method::POST, format!("/orders/{id}/audit")),
        (reqwest::Method::POST, format!("/orders/{id}/pay")),
        (reqwest::Method::POST, format!("/orders/{id}/ship")),
        (reqwest::Method::POST, format!("/orders/{id}/deliver")),
        (reqwest::Method::POST, format!("/orders/{id}/complete")),
        (reqwest::Method::POST, format!("/orders/{id}/cancel")),
        (reqwest::Method::POST, format!("/orders/{id}/refund")),
        (reqwest::Method::GET, "/financial-records".into()),
        (reqwest::Method::POST, "/financial-records".into()),
        (reqwest::Method::GET, "/financial-records/statistics".into()),
        (reqwest::Method::GET, "/financial-records/1".into()),
        (reqwest::Method::PUT, "/financial-records/1".into()),
        (reqwest::Method::DELETE, "/financial-records/1".into()),
    ];
    for (m, p) in &routes {
        let r = w
            .app
            .call(m.clone(), &path(p))
            .bearer(&plain)
            .json(&json!({}))
            .send()
            .await;
        r.admin(403, 10003);
        let r = w
            .app
            .call(m.clone(), &path(p))
            .json(&json!({}))
            .send()
            .await;
        r.admin(401, 10002);
    }
    assert_eq!(
        w.get(&format!("/orders/{id}")).await["order_status"],
        "pending"
    );
    let r = w.app.get(&path("/orders")).bearer(&manager).send().await;
    assert_eq!(r.admin(200, 200)["pagination"]["total"], 1);
    let r = w
        .app
        .get(&path("/financial-records/statistics"))
        .bearer(&manager)
        .send()
        .await;
    r.admin(200, 200);
    let r = w
        .app
        .post(&path(&format!("/orders/{id}/audit")))
        .bearer(&manager)
        .json(&json!({"action": "approve"}))
        .send()
        .await;
    r.admin(200, 200);
    // The menus of the new sections are the admin's.
    let r = w
        .app
        .get(&path("/auth/menus"))
        .bearer(&manager)
        .send()
        .await;
    let menus = r.admin(200, 200).to_string();
    assert!(
        menus.contains("/trade/orders") && menus.contains("/trade/financial-records"),
        "{menus}"
    );
}

async fn twenty_parallel_creates_get_twenty_consecutive_numbers(b: Backend) {
    let w = world(b).await;
    let mut body = w.order();
    body["items"] =
        json!([{"item_type": "feed", "item_name": "玉米", "unit_price": 1, "quantity": 1}]);
    let calls = (0..20).map(|_| {
        let app = &w.app;
        let token = &w.token;
        let body = &body;
        async move {
            app.post(&path("/orders"))
                .bearer(token)
                .json(body)
                .send()
                .await
        }
    });
    let answers = futures_util::future::join_all(calls).await;
    let mut numbers: Vec<String> = answers
        .iter()
        .map(|r| r.admin(201, 201)["order_no"].as_str().unwrap().to_owned())
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=20).map(|n| format!("ORD{}{n:04}", today())).collect();
    assert_eq!(numbers, expected);
    assert_eq!(w.total("/orders").await, 20);
}

/// Rows of (key, n) with zero rows left out (a count at 0 may stay as a row).
async fn keyed(db: &ops::db::Db, sql: &str) -> std::collections::BTreeMap<String, i64> {
    let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter().filter(|(_, n)| *n != 0).collect()
}

/// Runs one statement; answers the rows it changed (the statement is named if it fails).
pub async fn run(db: &ops::db::Db, sql: &str) -> u64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows_affected()
}

/// The kept order counts equal a recount from `trade_orders`.
async fn assert_order_counts_match(db: &ops::db::Db, when: &str) {
    let kept = keyed(
        db,
        "SELECT dimension || '/' || value, CAST(n AS BIGINT) FROM trade_order_counts",
    )
    .await;
    let mut recount = keyed(db, "SELECT '/', CAST(COUNT(*) AS BIGINT) FROM trade_orders").await;
    for d in [
        "order_type",
        "order_status",
        "payment_status",
        "buyer_id",
        "seller_id",
        "farm_id",
    ] {
        recount.extend(
            keyed(
                db,
                &format!(
                    "SELECT '{d}/' || COALESCE(CAST({d} AS TEXT), ''), CAST(COUNT(*) AS BIGINT) \
                     FROM trade_orders GROUP BY COALESCE(CAST({d} AS TEXT), '')"
                ),
            )
            .await,
        );
    }
    assert_eq!(kept, recount, "{when}");
}

/// Multi-row INSERT … SELECT, UPDATE and DELETE (and `on delete set null` from deleted users)
/// keep the order counts equal to a recount (on PostgreSQL they are kept by statement-level
/// triggers, on SQLite by row triggers).
async fn multi_row_statements_keep_the_order_counts_equal_to_a_recount(bk: Backend) {
    let app = TestApp::spawn(bk).await;
    let db = app.db().await;
    let series = |n: i64| {
        format!(
            "WITH RECURSIVE c(x) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT x + 1 FROM c WHERE x < {n}) "
        )
    };
    run(
        &db,
        &format!(
            "{}INSERT INTO users (username, password_hash, created_at, updated_at) \
             SELECT 'ocount' || CAST(x AS TEXT), 'x', 0, 0 FROM c",
            series(30)
        ),
    )
    .await;
    let inserted = run(
        &db,
        &format!(
            "{}INSERT INTO trade_orders (order_no, order_type, buyer_id, seller_id, farm_id, \
             total_amount, actual_amount, payment_status, order_status, created_at, updated_at) \
             SELECT 'OCOUNT' || CAST(x AS TEXT), CASE WHEN x % 3 = 0 THEN 'feed' ELSE 'animal' END, \
             (SELECT MIN(id) FROM users WHERE username LIKE 'ocount%') + x % 30, \
             CASE WHEN x % 4 = 0 THEN NULL ELSE (SELECT MIN(id) FROM users WHERE username LIKE 'ocount%') + x % 7 END, \
             CASE WHEN x % 5 = 0 THEN NULL ELSE x % 11 END, x * 100, x * 100, \
             CASE WHEN x % 2 = 0 THEN 'paid' ELSE 'unpaid' END, \
             CASE WHEN x % 6 = 0 THEN 'completed' ELSE 'pending' END, x, x FROM c",
            series(1500)
        ),
    )
    .await;
    assert_eq!(inserted, 1500);
    assert_order_counts_match(&db, "after the insert").await;
    assert_eq!(
        keyed(
            &db,
            "SELECT value, CAST(n AS BIGINT) FROM trade_order_counts WHERE dimension = ''"
        )
        .await,
        [(String::new(), 1500)].into_iter().collect()
    );
    run(
        &db,
        "UPDATE trade_orders SET order_status = 'shipped', payment_status = 'paid' \
         WHERE CAST(id AS BIGINT) % 3 = 0",
    )
    .await;
    run(
        &db,
        "UPDATE trade_orders SET farm_id = 99, notes = 'moved' WHERE CAST(id AS BIGINT) % 7 = 0",
    )
    .await;
    run(&db, "UPDATE trade_orders SET notes = 'only notes'").await;
    assert_order_counts_match(&db, "after the updates").await;
    let gone = run(
        &db,
        "DELETE FROM users WHERE username LIKE 'ocount%' AND CAST(id AS BIGINT) % 2 = 0",
    )
    .await;
    assert!(gone >= 10, "{gone} users deleted");
    run(
        &db,
        "DELETE FROM trade_orders WHERE CAST(id AS BIGINT) % 4 = 1",
    )
    .await;
    assert_order_counts_match(&db, "after the deletes").await;
    db.close().await;
}

/// The ids of the orders whose upper-cased number is `LIKE $1` (newest first as the list
/// sorts: pages 1 and 2 of 20), with their number; `extra` narrows further.
async fn orders_scanned(app: &TestApp, k: &str, extra: &str) -> (i64, Vec<i64>) {
    let db = app.db().await;
    let sql = format!(
        "SELECT id FROM trade_orders WHERE UPPER(order_no) LIKE $1 ESCAPE '\\' {extra} \
         ORDER BY created_at DESC, id DESC"
    );
    let all: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(like(k).to_uppercase())
        .fetch_all(db.pool())
        .await
        .unwrap();
    db.close().await;
    (all.len() as i64, all.into_iter().take(40).collect())
}

/// The order keyword (an `ORD…` prefix range, else the gram table `trade_order_grams`, else a
/// scan for one character) answers exactly what a scan of `UPPER(order_no)` answers — total
/// and pages, newest first — for terms of every length, with `%` and `_` taken literally,
/// after bulk inserts, renumbering and deletes, alone and with another filter.
async fn order_keyword_search_answers_what_a_scan_answers(bk: Backend) {
    let w = world(bk).await;
    let (app, token) = (&w.app, &w.token);
    let db = app.db().await;
    // 600 orders over 9 days; created_at out of id order, with ties.
    let inserted = run(
        &db,
        "WITH RECURSIVE c(x) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT x + 1 FROM c WHERE x < 600) \
         INSERT INTO trade_orders (order_no, order_type, total_amount, actual_amount, created_at, updated_at) \
         SELECT 'ORD2024010' || CAST(1 + x % 9 AS TEXT) || CAST(1000 + x AS TEXT), \
         CASE WHEN x % 3 = 0 THEN 'feed' ELSE 'animal' END, x, x, (x * 7919) % 500, 0 FROM c",
    )
    .await;
    assert_eq!(inserted, 600);
    run(
        &db,
        "UPDATE trade_orders SET order_no = 'a%B_' || substr(order_no, 4) WHERE CAST(id AS BIGINT) % 7 = 0",
    )
    .await;
    run(
        &db,
        "DELETE FROM trade_orders WHERE CAST(id AS BIGINT) % 13 = 0",
    )
    .await;
    db.close().await;
    // A new order through the API after the bulk writes.
    let made = w.create(&w.order()).await;
    let made = made["order_no"].as_str().unwrap().to_owned();
    for k in [
        "1",
        "_",
        "%",
        "11",
        "01",
        "b_",
        "%b",
        "011",
        "a%b",
        "A%B_2",
        "1100",
        "01031",
        "20240103",
        "ORD2024010",
        "ord20240105",
        &made,
        &made[made.len() - 5..],
        "a%b_20240104110",
        "a%b_202401041106",
        "a%b_2024010411064",
        "a%b_20240104110x",
        "nothing",
    ] {
        let want = orders_scanned(app, k, "").await;
        assert_eq!(
            listed(app, token, "/orders", &[("keyword", k)]).await,
            want,
            "{k}"
        );
        let want = orders_scanned(app, k, "AND order_type = 'feed'").await;
        assert_eq!(
            listed(
                app,
                token,
                "/orders",
                &[("keyword", k), ("order_type", "feed")]
            )
            .await,
            want,
            "{k} and order_type"
        );
    }
    assert!(orders_scanned(app, "011", "").await.0 > 40);
    assert!(orders_scanned(app, "a%b_", "").await.0 > 40);
}

db_test!(
    create_answers_the_detail_and_the_list_shows_it,
    the_list_filters_by_every_documented_parameter,
    the_lifecycle_posts_income_and_refuses_what_the_table_refuses,
    a_refund_posts_the_matching_expense_and_cancels,
    reject_cancels_with_the_notes_as_the_reason,
    bad_input_names_every_field_and_stores_nothing,
    an_animal_in_withdrawal_cannot_be_ordered_or_shipped,
    update_and_delete_only_pending_unpaid_orders,
    ordinary_users_are_refused_and_admins_allowed,
    twenty_parallel_creates_get_twenty_consecutive_numbers,
    multi_row_statements_keep_the_order_counts_equal_to_a_recount,
    order_keyword_search_answers_what_a_scan_answers,
);
