//! `admin_v1` §6 动物管理: animals (list, detail, create, update, delete, parent rules),
//! animal categories, health records and withdrawal periods.

use serde_json::json;

use crate::admin_common::{AdminResp, path, root};
use crate::admin_livestock::{
    animal, category, farm, farmer, has_number, like, listed, scanned, stable,
};
use crate::db_test;
use crate::support::{Backend, TestApp};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

async fn animals_are_created_listed_shown_updated_and_deleted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let (fid, cat) = stable(&app, &token).await;
    let owner2 = farmer(&app, &token, "farmer002", "13900139000").await;
    let f2 = farm(
        &app,
        &token,
        owner2,
        "李四养牛场",
        "FARM002",
        json!({"type": "cattle"}),
    )
    .await;
    let f2 = f2["id"].as_i64().unwrap();
    let cattle = category(&app, &token, "牛", "cattle").await;
    let father = animal(
        &app,
        &token,
        fid,
        cat,
        "PIG010",
        json!({"name": "种猪公001", "gender": 1, "birth_date": "2021-01-01"}),
    )
    .await;
    let mother = animal(
        &app,
        &token,
        fid,
        cat,
        "PIG011",
        json!({"name": "种猪母001", "gender": 2, "birth_date": "2021-02-01"}),
    )
    .await;
    let birth = (today() - chrono::Days::new(219))
        .format("%Y-%m-%d")
        .to_string();
    let d = animal(
        &app,
        &token,
        fid,
        cat,
        "PIG001",
        json!({"name": "小猪001", "breed": "杜洛克猪", "gender": 1, "birth_date": birth, "weight": 85.5,
               "health_status": "healthy", "status": 1, "father_id": father["id"], "mother_id": mother["id"],
               "purchase_price": 800, "purchase_date": "2023-06-15", "purchase_source": "本地养殖场",
               "current_value": "1200.00", "notes": "生长良好,无疾病史"}),
    )
    .await;
    let id = d["id"].as_i64().unwrap();
    assert_eq!(d["code"], "PIG001");
    assert_eq!(d["age_days"], 219);
    assert_eq!(d["weight"], 85.5);
    assert_eq!(
        d["farm"],
        json!({"id": fid, "name": "张三养猪场", "code": "FARM001",
               "user": {"id": d["farm"]["user"]["id"], "username": "farmer001", "real_name": "张三"}})
    );
    assert_eq!(
        d["category"],
        json!({"id": cat, "name": "猪", "code": "pig"})
    );
    assert_eq!(
        d["parents"],
        json!({"father": {"id": father["id"], "code": "PIG010", "name": "种猪公001"},
               "mother": {"id": mother["id"], "code": "PIG011", "name": "种猪母001"}})
    );
    assert_eq!(
        d["purchase_info"],
        json!({"price": 800.0, "date": "2023-06-15", "source": "本地养殖场"})
    );
    let r = app
        .get(&path(&format!("/animals/{id}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(200, 200);
    has_number(&r, "price", "800.00");
    has_number(&r, "current_value", "1200.00");
    assert_eq!(d["notes"], "生长良好,无疾病史");
    assert_eq!(d["health_records_count"], 0);
    assert_eq!(d["vaccination_records_count"], 0);
    assert_eq!(d["updated_at"].as_str().unwrap().len(), 19);
    animal(&app, &token, f2, cattle, "COW001", json!({"name": "西门塔尔牛1号", "breed": "西门塔尔牛", "gender": 2, "health_status": "sick", "status": 2})).await;

    let r = app.get(&path("/animals")).bearer(&token).send().await;
    let d = r.admin(200, 200);
    assert_eq!(d["pagination"]["total"], 4);
    let item = &d["list"][1];
    assert_eq!(item["id"], id);
    assert_eq!(
        item["farm"],
        json!({"id": fid, "name": "张三养猪场", "user": {"id": item["farm"]["user"]["id"], "real_name": "张三"}})
    );
    assert_eq!(
        item["category"],
        json!({"id": cat, "name": "猪", "code": "pig"})
    );
    has_number(&r, "purchase_price", "800.00");
    assert_eq!(item["age_days"], 219);
    for (k, v, total) in [
        ("keyword", "小猪", 1),
        ("keyword", "pig01", 2),
        ("farm_id", &f2.to_string(), 1),
        ("category_id", &cat.to_string(), 3),
        ("breed", "西门塔尔牛", 1),
        ("gender", "2", 2),
        ("health_status", "sick", 1),
        ("status", "2", 1),
    ] {
        let r = app
            .get(&path("/animals"))
            .bearer(&token)
            .query(&[(k, v)])
            .send()
            .await;
        assert_eq!(r.admin(200, 200)["pagination"]["total"], total, "{k}={v}");
    }
    for (k, v, status, code) in [
        ("health_status", "ill", 422, 10006),
        ("gender", "5", 422, 10006),
        ("gender", "male", 400, 10001),
        ("farm_id", "x", 400, 10001),
    ] {
        let r = app
            .get(&path("/animals"))
            .bearer(&token)
            .query(&[(k, v)])
            .send()
            .await;
        r.admin(status, code);
    }

    let r = app
        .put(&path(&format!("/animals/{id}")))
        .bearer(&token)
        .json(&json!({"weight": 90.25, "father_id": null, "health_status": "treating", "farm_id": f2}))
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(d["weight"], 90.25);
    assert_eq!(d["parents"]["father"], json!(null));
    assert_eq!(d["parents"]["mother"]["code"], "PIG011");
    assert_eq!(d["health_status"], "treating");
    assert_eq!(d["farm"]["id"], f2);
    has_number(&r, "current_value", "1200.00");

    let r = app
        .delete(&path(&format!("/animals/{}", mother["id"])))
        .bearer(&token)
        .send()
        .await;
    r.admin(200, 200);
    let r = app
        .get(&path(&format!("/animals/{id}")))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(
        r.admin(200, 200)["parents"],
        json!({"father": null, "mother": null})
    );
    let r = app
        .delete(&path(&format!("/animals/{id}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(200, 200);
    let r = app
        .get(&path(&format!("/animals/{id}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(404, 10004);
    let r = app
        .delete(&path(&format!("/animals/{id}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(404, 10004);
}

async fn animal_input_is_checked_and_nothing_is_stored_on_failure(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let (fid, cat) = stable(&app, &token).await;
    let post = |body: serde_json::Value| {
        let app = &app;
        let token = token.clone();
        async move {
            app.post(&path("/animals"))
                .bearer(&token)
                .json(&body)
                .send()
                .await
        }
    };
    let r =
        post(json!({"farm_id": fid, "category_id": cat, "code": "P1", "weight": "heavy"})).await;
    r.admin(400, 10001);
    assert_eq!(r.error_fields(), ["weight"]);
    let r = post(json!({"farm_id": fid, "category_id": cat, "code": "P1", "purchase_price": true}))
        .await;
    r.admin(400, 10001);
    let r = post(json!({})).await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["farm_id", "category_id", "code"]);
    let r = post(json!({"farm_id": 9999, "category_id": 9998, "code": "P1", "father_id": 9997, "mother_id": 9996})).await;
    r.admin(422, 10006);
    assert_eq!(
        r.error_fields(),
        ["farm_id", "category_id", "father_id", "mother_id"]
    );
    let tomorrow = (today() + chrono::Days::new(2))
        .format("%Y-%m-%d")
        .to_string();
    let r = post(json!({"farm_id": fid, "category_id": cat, "code": "P1", "gender": 3, "birth_date": tomorrow,
                        "health_status": "ill", "status": 9, "purchase_price": 1.234, "current_value": -1,
                        "purchase_date": "2024-13-01", "weight": -5})).await;
    r.admin(422, 10006);
    assert_eq!(
        r.error_fields(),
        [
            "gender",
            "birth_date",
            "weight",
            "health_status",
            "status",
            "purchase_price",
            "purchase_date",
            "current_value"
        ]
    );
    animal(&app, &token, fid, cat, "PIG001", json!({})).await;
    let r = post(json!({"farm_id": fid, "category_id": cat, "code": "PIG001"})).await;
    r.admin(400, 40001);
    let r = app.get(&path("/animals")).bearer(&token).send().await;
    assert_eq!(r.admin(200, 200)["pagination"]["total"], 1);

    let other = animal(&app, &token, fid, cat, "PIG002", json!({})).await;
    let oid = other["id"].as_i64().unwrap();
    let r = app
        .put(&path(&format!("/animals/{oid}")))
        .bearer(&token)
        .json(&json!({"code": "PIG001"}))
        .send()
        .await;
    r.admin(400, 40001);
    let r = app
        .put(&path(&format!("/animals/{oid}")))
        .bearer(&token)
        .json(&json!({"code": null, "category_id": 777}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["code", "category_id"]);
    let r = app
        .get(&path(&format!("/animals/{oid}")))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["code"], "PIG002");
    let r = app
        .put(&path("/animals/9999"))
        .bearer(&token)
        .json(&json!({}))
        .send()
        .await;
    r.admin(404, 10004);
    // Not a positive canonical id: an unknown record (decisions §8).
    let r = app.get(&path("/animals/0")).bearer(&token).send().await;
    r.admin(404, 10004);
}

async fn parents_must_fit_sex_age_and_lineage(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let (fid, cat) = stable(&app, &token).await;
    let id = |v: &serde_json::Value| v["id"].as_i64().unwrap();
    let boar = animal(
        &app,
        &token,
        fid,
        cat,
        "BOAR",
        json!({"gender": 1, "birth_date": "2020-01-01"}),
    )
    .await;
    let sow = animal(
        &app,
        &token,
        fid,
        cat,
        "SOW",
        json!({"gender": 2, "birth_date": "2020-01-01"}),
    )
    .await;
    let young = animal(
        &app,
        &token,
        fid,
        cat,
        "YOUNG",
        json!({"gender": 1, "birth_date": "2019-01-01"}),
    )
    .await;
    let post = |body: serde_json::Value| {
        let app = &app;
        let token = token.clone();
        async move {
            app.post(&path("/animals"))
                .bearer(&token)
                .json(&body)
                .send()
                .await
        }
    };
    // Swapped sexes.
    let r = post(
        json!({"farm_id": fid, "category_id": cat, "code": "P1", "birth_date": "2022-01-01",
                        "father_id": id(&sow), "mother_id": id(&boar)}),
    )
    .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["father_id", "mother_id"]);
    // A parent born after the child.
    let r = post(
        json!({"farm_id": fid, "category_id": cat, "code": "P1", "birth_date": "2019-06-01",
                        "father_id": id(&boar)}),
    )
    .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["father_id"]);
    let piglet = animal(
        &app,
        &token,
        fid,
        cat,
        "P1",
        json!({"gender": 1, "birth_date": "2022-01-01",
        "father_id": id(&boar), "mother_id": id(&sow)}),
    )
    .await;

    // Oneself, and one's own descendant, are no parent.
    let r = app
        .put(&path(&format!("/animals/{}", id(&boar))))
        .bearer(&token)
        .json(&json!({"father_id": id(&boar)}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["father_id"]);
    // Without birth dates only the lineage rule stops it.
    let r = app
        .put(&path(&format!("/animals/{}", id(&boar))))
        .bearer(&token)
        .json(&json!({"birth_date": null, "father_id": id(&piglet)}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["father_id"]);
    // A parent's sex and birth date stay consistent with its offspring.
    let r = app
        .put(&path(&format!("/animals/{}", id(&boar))))
        .bearer(&token)
        .json(&json!({"gender": 2, "birth_date": "2023-01-01"}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["gender", "birth_date"]);
    let r = app
        .get(&path(&format!("/animals/{}", id(&boar))))
        .bearer(&token)
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(
        (d["gender"].clone(), d["birth_date"].clone()),
        (json!(1), json!("2020-01-01"))
    );
    // An older animal may become the young one's father.
    let r = app
        .put(&path(&format!("/animals/{}", id(&boar))))
        .bearer(&token)
        .json(&json!({"father_id": id(&young)}))
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["parents"]["father"]["code"], "YOUNG");
}

async fn two_parallel_writes_cannot_close_a_cycle(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let (fid, cat) = stable(&app, &token).await;
    for round in 0..6 {
        let a = animal(
            &app,
            &token,
            fid,
            cat,
            &format!("A{round}"),
            json!({"gender": 1}),
        )
        .await;
        let b2 = animal(
            &app,
            &token,
            fid,
            cat,
            &format!("B{round}"),
            json!({"gender": 1}),
        )
        .await;
        let (a, b2) = (a["id"].as_i64().unwrap(), b2["id"].as_i64().unwrap());
        let set = |child: i64, father: i64| {
            let app = &app;
            let token = token.clone();
            async move {
                app.put(&path(&format!("/animals/{child}")))
                    .bearer(&token)
                    .json(&json!({"father_id": father}))
                    .send()
                    .await
            }
        };
        let (r1, r2) = tokio::join!(set(a, b2), set(b2, a));
        let mut statuses = [r1.status.as_u16(), r2.status.as_u16()];
        statuses.sort();
        assert_eq!(
            statuses,
            [200, 422],
            "round {round}: {} / {}",
            r1.text(),
            r2.text()
        );
        for r in [&r1, &r2] {
            if r.status.as_u16() == 422 {
                r.admin(422, 10006);
                assert_eq!(r.error_fields(), ["father_id"]);
            }
        }
        let db = app.db().await;
        let fathers: Vec<(i64, Option<i64>)> =
            sqlx::query_as("SELECT id, father_id FROM animals WHERE id IN ($1, $2) ORDER BY id")
                .bind(a)
                .bind(b2)
                .fetch_all(db.pool())
                .await
                .unwrap();
        let set_count = fathers.iter().filter(|(_, f)| f.is_some()).count();
        assert_eq!(set_count, 1, "round {round}: {fathers:?}");
        db.close().await;
    }
}

async fn categories_are_managed_and_kept_while_used(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let r = app
        .post(&path("/animal-categories"))
        .bearer(&token)
        .json(&json!({"name": "猪", "code": "pig", "description": "生猪"}))
        .send()
        .await;
    let d = r.admin(201, 201).clone();
    assert_eq!(
        (
            d["name"].clone(),
            d["code"].clone(),
            d["description"].clone()
        ),
        (json!("猪"), json!("pig"), json!("生猪"))
    );
    let pig = d["id"].as_i64().unwrap();
    let cattle = category(&app, &token, "牛", "cattle").await;
    let r = app
        .get(&path("/animal-categories"))
        .bearer(&token)
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(d["pagination"]["total"], 2);
    assert_eq!(d["list"][0]["code"], "pig");
    let r = app
        .get(&path("/animal-categories"))
        .bearer(&token)
        .query(&[("keyword", "CATT")])
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["list"][0]["id"], cattle);
    let r = app
        .get(&path(&format!("/animal-categories/{pig}")))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["name"], "猪");

    for (body, status, code) in [
        (json!({"name": "猪", "code": "pig2"}), 409, 10005),
        (json!({"name": "猪2", "code": "pig"}), 409, 10005),
        (json!({"name": "", "code": "a b"}), 422, 10006),
        (json!({"name": 1, "code": "x"}), 400, 10001),
    ] {
        let r = app
            .post(&path("/animal-categories"))
            .bearer(&token)
            .json(&body)
            .send()
            .await;
        r.admin(status, code);
    }
    let r = app
        .put(&path(&format!("/animal-categories/{cattle}")))
        .bearer(&token)
        .json(&json!({"name": "肉牛", "description": null}))
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(
        (d["name"].clone(), d["code"].clone()),
        (json!("肉牛"), json!("cattle"))
    );
    let r = app
        .put(&path(&format!("/animal-categories/{cattle}")))
        .bearer(&token)
        .json(&json!({"code": "pig"}))
        .send()
        .await;
    r.admin(409, 10005);

    let owner = farmer(&app, &token, "farmer001", "13800138000").await;
    let f = farm(&app, &token, owner, "张三养猪场", "FARM001", json!({})).await;
    animal(
        &app,
        &token,
        f["id"].as_i64().unwrap(),
        pig,
        "PIG001",
        json!({}),
    )
    .await;
    let r = app
        .delete(&path(&format!("/animal-categories/{pig}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(409, 10005);
    let r = app
        .delete(&path(&format!("/animal-categories/{cattle}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(200, 200);
    let r = app
        .delete(&path(&format!("/animal-categories/{cattle}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(404, 10004);
    let r = app
        .get(&path("/animal-categories"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["pagination"]["total"], 1);
}

async fn health_records_are_listed_filtered_and_created(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let (fid, cat) = stable(&app, &token).await;
    let a = animal(&app, &token, fid, cat, "PIG001", json!({})).await;
    let aid = a["id"].as_i64().unwrap();
    let url = path(&format!("/animals/{aid}/health-records"));
    let r = app
        .post(&url)
        .bearer(&token)
        .json(&json!({"record_type": "checkup", "record_date": "2024-01-15", "diagnosis": "健康状况良好",
                      "veterinarian": "李兽医", "cost": 50, "next_checkup_date": "2024-02-15",
                      "notes": "定期健康检查", "images": ["https://example.com/health1.jpg"]}))
        .send()
        .await;
    let d = r.admin(201, 201).clone();
    assert_eq!(d["record_type"], "checkup");
    assert_eq!(d["record_date"], "2024-01-15");
    assert_eq!(d["symptoms"], json!(null));
    has_number(&r, "cost", "50.00");
    assert_eq!(d["images"], json!(["https://example.com/health1.jpg"]));
    // The bootstrap super admin (the caller) recorded it.
    assert!(d["created_by"]["real_name"].is_string(), "{d}");
    assert_eq!(d["created_by"]["id"], 1);
    assert_eq!(d["withdrawal_days"], json!(null));
    for (t, date) in [
        ("vaccination", "2024-01-10"),
        ("vaccination", "2023-12-01"),
        ("treatment", "2024-01-16"),
    ] {
        let r = app
            .post(&url)
            .bearer(&token)
            .json(&json!({"record_type": t, "record_date": date}))
            .send()
            .await;
        r.admin(201, 201);
    }
    let r = app.get(&url).bearer(&token).send().await;
    let d = r.admin(200, 200);
    assert_eq!(
        d["pagination"],
        json!({"page": 1, "page_size": 20, "total": 4, "total_pages": 1})
    );
    assert_eq!(d["list"][0]["record_date"], "2024-01-16");
    assert_eq!(d["list"][3]["record_date"], "2023-12-01");
    for (q, total) in [
        (vec![("record_type", "vaccination")], 2),
        (vec![("start_date", "2024-01-10")], 3),
        (
            vec![("start_date", "2024-01-10"), ("end_date", "2024-01-15")],
            2,
        ),
        (
            vec![("record_type", "treatment"), ("end_date", "2024-01-01")],
            0,
        ),
    ] {
        let r = app.get(&url).bearer(&token).query(&q).send().await;
        assert_eq!(r.admin(200, 200)["pagination"]["total"], total, "{q:?}");
    }
    let r = app
        .get(&path(&format!("/animals/{aid}")))
        .bearer(&token)
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(
        (
            d["health_records_count"].clone(),
            d["vaccination_records_count"].clone()
        ),
        (json!(4), json!(2))
    );

    for (body, status, code, fields) in [
        (json!({}), 422, 10006, vec!["record_type"]),
        (
            json!({"record_type": "spa", "record_date": "2024/01/01", "cost": -1, "withdrawal_days": 5}),
            422,
            10006,
            vec!["record_type", "record_date", "cost"],
        ),
        (
            json!({"record_type": "checkup", "withdrawal_days": 5}),
            422,
            10006,
            vec!["withdrawal_days"],
        ),
        (
            json!({"record_type": "treatment", "withdrawal_days": -1}),
            422,
            10006,
            vec!["withdrawal_days"],
        ),
        (
            json!({"record_type": "checkup", "images": "a.jpg"}),
            400,
            10001,
            vec!["images"],
        ),
        (
            json!({"record_type": "checkup", "cost": 1.005}),
            422,
            10006,
            vec!["cost"],
        ),
    ] {
        let r = app.post(&url).bearer(&token).json(&body).send().await;
        r.admin(status, code);
        assert_eq!(r.error_fields(), fields, "{body}");
    }
    let r = app.get(&url).bearer(&token).send().await;
    assert_eq!(r.admin(200, 200)["pagination"]["total"], 4);
    let r = app
        .get(&url)
        .bearer(&token)
        .query(&[("start_date", "x")])
        .send()
        .await;
    r.admin(422, 10006);
    let r = app
        .get(&path("/animals/9999/health-records"))
        .bearer(&token)
        .send()
        .await;
    r.admin(404, 10004);
    let r = app
        .post(&path("/animals/9999/health-records"))
        .bearer(&token)
        .json(&json!({"record_type": "checkup"}))
        .send()
        .await;
    r.admin(404, 10004);
}

async fn a_treatment_with_withdrawal_days_blocks_sale_until_it_ends(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let (fid, cat) = stable(&app, &token).await;
    let a = animal(&app, &token, fid, cat, "PIG001", json!({})).await;
    let other = animal(&app, &token, fid, cat, "PIG002", json!({})).await;
    let aid = a["id"].as_i64().unwrap();
    let oid = other["id"].as_i64().unwrap();
    let day = |offset: i64| {
        let d = today();
        let d = if offset < 0 {
            d - chrono::Days::new(offset.unsigned_abs())
        } else {
            d + chrono::Days::new(offset as u64)
        };
        d.format("%Y-%m-%d").to_string()
    };
    // An old withdrawal has ended; a recent one has not; another animal is unaffected.
    for (date, days) in [(day(-30), 10), (day(-2), 7)] {
        let r = app
            .post(&path(&format!("/animals/{aid}/health-records")))
            .bearer(&token)
            .json(&json!({"record_type": "treatment", "record_date": date, "medicine": "青霉素", "withdrawal_days": days}))
            .send()
            .await;
        let d = r.admin(201, 201);
        assert_eq!(d["withdrawal_days"], days);
    }
    let r = app
        .get(&path(&format!("/animals/{aid}/health-records")))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["list"][0]["withdrawal_ends"], day(5));

    use ops::domain::livestock::health;
    let db = app.db().await;
    let mut conn = db.pool().acquire().await.unwrap();
    let w = health::active_withdrawal(&mut conn, &[oid, aid], today())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            w.animal_id,
            w.code.as_str(),
            w.ends.format("%Y-%m-%d").to_string()
        ),
        (aid, "PIG001", day(5))
    );
    let err = health::ensure_sellable(&mut conn, &[aid], today())
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("PIG001") && msg.contains(&day(5)), "{msg}");
    assert!(
        health::ensure_sellable(&mut conn, &[oid], today())
            .await
            .is_ok()
    );
    let later = today() + chrono::Days::new(5);
    assert!(
        health::ensure_sellable(&mut conn, &[aid], later)
            .await
            .is_ok()
    );
}

/// The list totals come from counts kept by triggers: they follow updates, deletes and the
/// cascade from a deleted owner, and agree with a counted two-filter query.
async fn list_totals_follow_every_write(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let (fid, cat) = stable(&app, &token).await;
    let owner2 = farmer(&app, &token, "farmer002", "13900139000").await;
    let f2 = farm(&app, &token, owner2, "李四养猪场", "FARM002", json!({})).await;
    let f2 = f2["id"].as_i64().unwrap();
    for i in 0..3 {
        animal(
            &app,
            &token,
            fid,
            cat,
            &format!("A{i}"),
            json!({"gender": 1}),
        )
        .await;
        animal(
            &app,
            &token,
            f2,
            cat,
            &format!("B{i}"),
            json!({"gender": 2}),
        )
        .await;
    }
    let total = |q: Vec<(&'static str, String)>| {
        let app = &app;
        let token = token.clone();
        async move {
            let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = app
                .get(&path("/animals"))
                .bearer(&token)
                .query(&q)
                .send()
                .await;
            r.admin(200, 200)["pagination"]["total"].as_i64().unwrap()
        }
    };
    assert_eq!(total(vec![]).await, 6);
    assert_eq!(total(vec![("gender", "2".into())]).await, 3);
    let r = app
        .get(&path("/animals"))
        .bearer(&token)
        .query(&[("keyword", "B0")])
        .send()
        .await;
    let b0 = r.admin(200, 200)["list"][0]["id"].as_i64().unwrap();
    let r = app
        .put(&path(&format!("/animals/{b0}")))
        .bearer(&token)
        .json(&json!({"gender": 1, "farm_id": fid}))
        .send()
        .await;
    r.admin(200, 200);
    assert_eq!(total(vec![("gender", "2".into())]).await, 2);
    assert_eq!(total(vec![("farm_id", fid.to_string())]).await, 4);
    assert_eq!(
        total(vec![("farm_id", fid.to_string()), ("gender", "1".into())]).await,
        4
    );
    let r = app
        .delete(&path(&format!("/animals/{b0}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(200, 200);
    assert_eq!(total(vec![("farm_id", fid.to_string())]).await, 3);
    // Deleting the second owner deletes their farm and its animals.
    let r = app
        .delete(&path(&format!("/users/{owner2}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(200, 200);
    assert_eq!(total(vec![]).await, 3);
    assert_eq!(total(vec![("gender", "2".into())]).await, 0);
    assert_eq!(total(vec![("farm_id", f2.to_string())]).await, 0);
    let r = app.get(&path("/farms")).bearer(&token).send().await;
    assert_eq!(r.admin(200, 200)["pagination"]["total"], 1);
    let r = app
        .get(&path("/farms"))
        .bearer(&token)
        .query(&[("status", "0")])
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["pagination"]["total"], 1);
}

/// The keyword filter (read through the gram table `animal_grams`, kept by triggers) answers
/// exactly what a scan of `lower(code)` and `lower(name)` answers — total and pages — for
/// terms of every length (`%` and `_` literal), after bulk inserts, renames, recodes and
/// deletes (cascaded from a farm too), alone and with another filter.
async fn keyword_search_answers_what_a_scan_answers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let (fid, cat) = stable(&app, &token).await;
    let owner2 = farmer(&app, &token, "farmer002", "13900139000").await;
    let f2 = farm(&app, &token, owner2, "李四养猪场", "FARM002", json!({})).await;
    let f2 = f2["id"].as_i64().unwrap();
    let db = app.db().await;
    let run = |sql: String| {
        let db = &db;
        async move {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .execute(db.pool())
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .rows_affected()
        }
    };
    let inserted = run(format!(
        "WITH RECURSIVE c(x) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT x + 1 FROM c WHERE x < 400) \
         INSERT INTO animals (farm_id, category_id, code, name, breed, gender, health_status, status, \
         created_at, updated_at) \
         SELECT CASE WHEN x % 4 = 0 THEN {f2} ELSE {fid} END, {cat}, 'PIG' || CAST(x AS TEXT), \
         CASE WHEN x % 3 = 0 THEN '小猪' || CAST(x AS TEXT) WHEN x % 3 = 1 THEN 'Big_' || CAST(x AS TEXT) ELSE '' END, \
         'b', 1 + x % 2, 'healthy', 1, 0, 0 FROM c"
    ))
    .await;
    assert_eq!(inserted, 400);
    run("UPDATE animals SET name = 'A fairly long name for ' || code WHERE CAST(id AS BIGINT) % 5 = 0".into()).await;
    run("UPDATE animals SET name = 'Renamed 100%' WHERE CAST(id AS BIGINT) % 7 = 0".into()).await;
    run("UPDATE animals SET code = code || 'X' WHERE CAST(id AS BIGINT) % 11 = 0".into()).await;
    run("DELETE FROM animals WHERE CAST(id AS BIGINT) % 13 = 0".into()).await;
    // A farm's animals go with it (the API refuses while it has animals; the cascade does not).
    run(format!("DELETE FROM farms WHERE id = {f2}")).await;
    db.close().await;
    let scan = "SELECT id FROM animals WHERE (lower(code) LIKE $1 ESCAPE '\\' OR lower(name) LIKE $1 ESCAPE '\\')";
    for k in [
        "pig1",
        "PIG12",
        "小猪1",
        "big_",
        "BIG",
        "1",
        "12",
        "x",
        "0x",
        "100%",
        "d 1",
        "g_1",
        "nothing",
        "小猪",
        "pig",
        "pig10",
        "%",
        "_",
        "e 1",
        "renamed 100%",
        "fairly long name",
        "a fairly long name for pig1",
        "a fairly long name for pig1x",
        "a fairly long name for pig",
    ] {
        let want = scanned(&app, scan, &like(k)).await;
        assert_eq!(
            listed(&app, &token, "/animals", &[("keyword", k)]).await,
            want,
            "{k}"
        );
        let want = scanned(&app, &format!("{scan} AND gender = 2"), &like(k)).await;
        assert_eq!(
            listed(&app, &token, "/animals", &[("keyword", k), ("gender", "2")]).await,
            want,
            "{k} and gender"
        );
    }
    assert!(scanned(&app, scan, &like("pig1")).await.0 > 50);
}

db_test!(
    list_totals_follow_every_write,
    animals_are_created_listed_shown_updated_and_deleted,
    animal_input_is_checked_and_nothing_is_stored_on_failure,
    parents_must_fit_sex_age_and_lineage,
    two_parallel_writes_cannot_close_a_cycle,
    categories_are_managed_and_kept_while_used,
    health_records_are_listed_filtered_and_created,
    a_treatment_with_withdrawal_days_blocks_sale_until_it_ends,
    keyword_search_answers_what_a_scan_answers,
);
