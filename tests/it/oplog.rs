//! The operation log across every dialect (decisions §3): every data-changing route, every
//! login (failed ones too), refresh and logout leaves one entry with its secrets masked;
//! 401/403 refusals and reads leave none; retention; and an answered request's entry
//! survives a `kill -9` of the server.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::admin_common::{self, AdminResp};
use crate::db_test;
use crate::support::http::Resp;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

/// Every secret sent in the walk starts with this, so one search finds a leak.
const SECRET: &str = "SECRET-";

/// Adds secrets at several depths of an object body.
fn with_secrets(mut body: Value) -> Value {
    if let Some(map) = body.as_object_mut() {
        map.insert(
            "extra".into(),
            json!({"token": "SECRET-tok", "deep": [{"refresh_token": "SECRET-ref", "Cookie": "SECRET-c"}]}),
        );
        map.insert("captcha".into(), json!("SECRET-captcha"));
    }
    body
}

/// One request of the walk and the naming its entry must carry.
struct Step {
    method: Method,
    path: String,
    module: &'static str,
    action: &'static str,
}

struct Walk<'a> {
    app: &'a TestApp,
    steps: Vec<Step>,
}

impl Walk<'_> {
    /// Sends a JSON body (hanzi: as `text/plain`, like its client) with a bearer token.
    async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
        named: (&'static str, &'static str),
    ) -> Resp {
        let mut call = self.app.call(method.clone(), path);
        if let Some(b) = body {
            call = if path.starts_with("/hanzi") {
                call.body("text/plain;charset=UTF-8", b.to_string())
            } else {
                call.json(&b)
            };
        }
        if let Some(t) = token {
            call = call.bearer(t);
        }
        let r = call.send().await;
        assert!(
            !matches!(r.status.as_u16(), 401 | 403 | 500) || named.1 == "login",
            "{method} {path} answered {}: {}",
            r.status,
            r.text()
        );
        self.steps.push(Step {
            method,
            path: path.to_owned(),
            module: named.0,
            action: named.1,
        });
        r
    }
}

/// `data.id` of an answer, or an id that exists nowhere.
fn id_of(r: &Resp) -> i64 {
    r.json["data"]["id"]
        .as_i64()
        .or_else(|| r.json["id"].as_i64())
        .unwrap_or(999_999)
}

/// Every entry, newest first, through the API.
async fn all_entries(app: &TestApp, admin: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let r = app
            .get("/admin/v1/system/operation-logs")
            .bearer(admin)
            .query(&[("page", page.to_string().as_str()), ("page_size", "100")])
            .send()
            .await;
        let d = r.admin(200, 200);
        let list = d["list"].as_array().unwrap();
        out.extend(list.iter().cloned());
        if list.len() < 100 {
            break;
        }
    }
    out
}

/// Sends every write route of `admin_v1`'s route table but the auth ones (walked above, and
/// logout must come last), each with secrets in its body; uploads as real multipart forms.
async fn admin_route_sweep(w: &mut Walk<'_>, admin: &str, png: Vec<u8>) {
    use ops::dialects::admin_v1::{Access, ROUTES};
    for rule in ROUTES {
        if !matches!(rule.method, "POST" | "PUT" | "PATCH" | "DELETE")
            || rule.path.starts_with("/auth/")
        {
            continue;
        }
        // The names the admin document gives: the permission's module and action; the
        // login-only writes (marking notifications read) named here.
        let named: (&'static str, &'static str) = match rule.access {
            Access::Permission(code) => {
                let parts: Vec<&'static str> = code.split(':').collect();
                (parts[1], parts[2])
            }
            Access::Login => match rule.path {
                "/notifications/read-all" => ("notification", "read-all"),
                "/notifications/{id}/read" => ("notification", "read"),
                other => panic!("name the login-only write {other} here"),
            },
            Access::Public => panic!("a public write {}", rule.path),
        };
        let path = format!("/admin/v1{}", rule.path.replace("{id}", "999999"));
        let method = Method::from_bytes(rule.method.as_bytes()).unwrap();
        if rule.path.starts_with("/upload/") {
            let field = if rule.path == "/upload/files" {
                "files"
            } else {
                "file"
            };
            let form = Form::new()
                .part(
                    field,
                    Part::bytes(png.clone())
                        .file_name("sweep.png")
                        .mime_str("image/png")
                        .unwrap(),
                )
                .text("password", "SECRET-upload");
            let r = w.app.post(&path).bearer(admin).multipart(form).send().await;
            assert!(
                !matches!(r.status.as_u16(), 401 | 403 | 500),
                "{path}: {}",
                r.status
            );
            w.steps.push(Step {
                method,
                path,
                module: named.0,
                action: named.1,
            });
            continue;
        }
        let body = with_secrets(json!({"name": "走查", "password": "SECRET-sweep"}));
        w.send(method, &path, Some(body), Some(admin), named).await;
    }
    for walked in [
        "/admin/v1/farms/999999/audit",
        "/admin/v1/animals/999999/health-records",
        "/admin/v1/orders/999999/refund",
        "/admin/v1/export/operation-logs",
        "/admin/v1/upload/files",
        "/admin/v1/notifications/read-all",
        "/admin/v1/notifications/999999/read",
    ] {
        assert!(
            w.steps.iter().any(|s| s.path == walked),
            "{walked} not walked"
        );
    }
}

/// Whether a walked `path` (query and trailing slash aside) is an instance of the route
/// pattern `prefix` + `pattern`, whose `{…}` segments match any one segment.
fn instance_of(path: &str, prefix: &str, pattern: &str) -> bool {
    let Some(rest) = path.split('?').next().and_then(|p| p.strip_prefix(prefix)) else {
        return false;
    };
    let segments = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (got, want) = (segments(rest), segments(pattern));
    got.len() == want.len()
        && got
            .iter()
            .zip(&want)
            .all(|(g, w)| w.starts_with('{') || g == w)
}

/// Every route of a dialect's route table that may change data (`POST`, `PUT`, `PATCH`,
/// `DELETE`; the read sent as `POST` too, which must leave nothing) was `sent` in the walk.
fn assert_every_write_walked<'a>(
    sent: &[(Method, String)],
    prefix: &str,
    routes: impl Iterator<Item = (&'a str, &'a str)>,
) {
    let missed: Vec<String> = routes
        .filter(|(method, _)| matches!(*method, "POST" | "PUT" | "PATCH" | "DELETE"))
        .filter(|(method, pattern)| {
            !sent
                .iter()
                .any(|(m, path)| m.as_str() == *method && instance_of(path, prefix, pattern))
        })
        .map(|(method, pattern)| format!("{method} {prefix}{pattern}"))
        .collect();
    assert!(
        missed.is_empty(),
        "write routes the walk misses: {missed:#?}"
    );
}

async fn every_write_of_every_dialect_is_logged_with_secrets_masked(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut w = Walk {
        app: &app,
        steps: Vec::new(),
    };
    let login_names = ("user", "login");

    // ---- ops_v1 ----
    let r = w
        .send(
            Method::POST,
            "/api/v1/users/login",
            Some(json!({"name": "admin", "password": ADMIN_PASSWORD})),
            None,
            login_names,
        )
        .await;
    let ops = r.json["data"]["cookie_value"].as_str().unwrap().to_owned();
    let o = Some(ops.as_str());
    w.send(
        Method::POST,
        "/api/v1/users/login",
        Some(json!({"name": "admin", "password": "SECRET-wrong"})),
        None,
        login_names,
    )
    .await;
    w.send(
        Method::POST,
        "/api/v1/users/register",
        Some(with_secrets(json!({"name": "walker", "password": "SECRET-pass-1", "password_confirm": "SECRET-pass-1", "email": "walker@example.com"}))),
        None,
        ("user", "register"),
    )
    .await;
    w.send(
        Method::PUT,
        "/api/v1/users/profile",
        Some(with_secrets(
            json!({"email": "admin@example.com", "userCookieValue": ops}),
        )),
        o,
        ("user", "update-profile"),
    )
    .await;
    w.send(
        Method::POST,
        "/api/v1/users/forgot-password",
        Some(json!({"email": "nobody@example.com"})),
        None,
        ("user", "forgot-password"),
    )
    .await;
    w.send(
        Method::POST,
        "/api/v1/users/reset-password",
        Some(json!({"token": "SECRET-reset", "new_password": "SECRET-pass-2", "new_password_confirm": "SECRET-pass-2"})),
        None,
        ("user", "reset-password"),
    )
    .await;
    let order = json!({"title": "交换机", "costs": [{"cost": 100, "int": 2, "costt": 200, "currencytype": "CNY", "type": "硬件"}]});
    let r = w
        .send(
            Method::POST,
            "/api/v1/purchase/orders",
            Some(with_secrets(order.clone())),
            o,
            ("purchase", "create"),
        )
        .await;
    let order_id = r.json["data"]["order_id"]
        .as_i64()
        .or_else(|| r.json["data"]["id"].as_i64())
        .unwrap_or(999_999);
    w.send(
        Method::POST,
        "/api/v1/purchase/addorder",
        Some(with_secrets(order.clone())),
        o,
        ("purchase", "create"),
    )
    .await;
    w.send(
        Method::PUT,
        &format!("/api/v1/purchase/orders/{order_id}"),
        Some(order),
        o,
        ("purchase", "update"),
    )
    .await;
    w.send(
        Method::DELETE,
        &format!("/api/v1/purchase/orders/{order_id}"),
        None,
        o,
        ("purchase", "delete"),
    )
    .await;
    let png = crate::ops_files::png_of(3000, 9);
    let form = Form::new()
        .part(
            "file",
            Part::bytes(png.clone())
                .file_name("walk.png")
                .mime_str("image/png")
                .unwrap(),
        )
        .text("description", "走查")
        .text("password", "SECRET-form");
    let r = app
        .post("/api/v1/files/upload")
        .bearer(&ops)
        .multipart(form)
        .send()
        .await;
    let file_id = r.ops(200, "0")["file_id"].as_i64().unwrap_or(999_999);
    w.steps.push(Step {
        method: Method::POST,
        path: "/api/v1/files/upload".into(),
        module: "file",
        action: "upload",
    });
    w.send(
        Method::DELETE,
        &format!("/api/v1/files/{file_id}"),
        None,
        o,
        ("file", "delete"),
    )
    .await;
    w.send(
        Method::PUT,
        "/api/v1/system/config",
        Some(json!({"site_name": "Walk", "userCookieValue": ops})),
        o,
        ("config", "update"),
    )
    .await;

    // ---- admin_v1 ----
    let r = w
        .send(
            Method::POST,
            "/admin/v1/auth/login",
            Some(with_secrets(
                json!({"username": "admin", "password": ADMIN_PASSWORD}),
            )),
            None,
            ("auth", "login"),
        )
        .await;
    let refresh = r.json["data"]["refresh_token"].as_str().unwrap().to_owned();
    let first_admin = r.json["data"]["token"].as_str().unwrap().to_owned();
    w.send(
        Method::POST,
        "/admin/v1/auth/login",
        Some(json!({"username": "admin", "password": "SECRET-wrong"})),
        None,
        ("auth", "login"),
    )
    .await;
    let r = w
        .send(
            Method::POST,
            "/admin/v1/auth/refresh",
            Some(json!({"refresh_token": refresh})),
            None,
            ("auth", "refresh"),
        )
        .await;
    let admin = r.json["data"]["token"].as_str().unwrap().to_owned();
    let new_refresh = r.json["data"]["refresh_token"].as_str().unwrap().to_owned();
    let a = Some(admin.as_str());
    let r = w
        .send(
            Method::POST,
            "/admin/v1/users",
            Some(with_secrets(
                json!({"username": "walker2", "password": "SECRET-pass-1", "real_name": "走"}),
            )),
            a,
            ("user", "create"),
        )
        .await;
    let uid = id_of(&r);
    w.send(
        Method::PUT,
        &format!("/admin/v1/users/{uid}"),
        Some(json!({"real_name": "走二"})),
        a,
        ("user", "update"),
    )
    .await;
    w.send(
        Method::POST,
        &format!("/admin/v1/users/{uid}/reset-password"),
        Some(json!({"new_password": "SECRET-pass-3"})),
        a,
        ("user", "reset-password"),
    )
    .await;
    w.send(
        Method::POST,
        &format!("/admin/v1/users/{uid}/toggle-status"),
        Some(json!({"status": 0})),
        a,
        ("user", "toggle-status"),
    )
    .await;
    w.send(
        Method::DELETE,
        "/admin/v1/users",
        Some(json!({"ids": [999_999]})),
        a,
        ("user", "delete"),
    )
    .await;
    w.send(
        Method::DELETE,
        &format!("/admin/v1/users/{uid}"),
        None,
        a,
        ("user", "delete"),
    )
    .await;
    let r = w
        .send(
            Method::POST,
            "/admin/v1/roles",
            Some(json!({"name": "walkrole", "permission_ids": []})),
            a,
            ("role", "create"),
        )
        .await;
    let rid = id_of(&r);
    w.send(
        Method::PUT,
        &format!("/admin/v1/roles/{rid}"),
        Some(json!({"name": "walkrole2"})),
        a,
        ("role", "update"),
    )
    .await;
    w.send(
        Method::DELETE,
        &format!("/admin/v1/roles/{rid}"),
        None,
        a,
        ("role", "delete"),
    )
    .await;
    w.send(
        Method::POST,
        "/admin/v1/permissions",
        Some(with_secrets(json!({"name": "走查"}))),
        a,
        ("permission", "create"),
    )
    .await;
    w.send(
        Method::PUT,
        "/admin/v1/system/configs/1",
        Some(json!({"config_value": "Walk2"})),
        a,
        ("config", "update"),
    )
    .await;
    // Every other write of the route table (livestock, trade, finance, exports, uploads,
    // notifications, …), so a route added later is walked too. Most answer 404 or 422 for
    // these made-up ids and bodies; an entry is kept for every answer but 401/403.
    admin_route_sweep(&mut w, &admin, png.clone()).await;

    // ---- hanzi ----
    let r = w
        .send(
            Method::POST,
            "/hanzi/login",
            Some(json!({"username": "admin", "password": ADMIN_PASSWORD})),
            None,
            login_names,
        )
        .await;
    let hanzi = r.json["token"].as_str().unwrap().to_owned();
    let h = Some(hanzi.as_str());
    w.send(
        Method::POST,
        "/hanzi/login",
        Some(json!({"username": "admin", "password": "SECRET-wrong"})),
        None,
        login_names,
    )
    .await;
    w.send(
        Method::POST,
        "/hanzi/users",
        Some(with_secrets(json!({"id": "walker3", "name": "走三", "email": "walker3@example.com", "password": "SECRET-pass-1"}))),
        None,
        ("user", "register"),
    )
    .await;
    w.send(
        Method::PUT,
        "/hanzi/users/walker3",
        Some(json!({"name": "走三", "password": "SECRET-pass-4"})),
        h,
        ("user", "update"),
    )
    .await;
    w.send(
        Method::PUT,
        "/hanzi/users/walker3/promote",
        Some(json!({"role": 1})),
        h,
        ("user", "promote"),
    )
    .await;
    w.send(
        Method::PUT,
        "/hanzi/users/walker3/disable",
        Some(json!({"state": 1})),
        h,
        ("user", "disable"),
    )
    .await;
    w.send(
        Method::DELETE,
        "/hanzi/users/walker3",
        None,
        h,
        ("user", "delete"),
    )
    .await;
    let r = w
        .send(
            Method::POST,
            "/hanzi/repertoire",
            Some(json!({"type": "component", "name": "走查"})),
            h,
            ("repertoire", "allocate"),
        )
        .await;
    let pua = r.json.as_i64().unwrap_or(57_344);
    w.send(
        Method::POST,
        "/hanzi/repertoire/19968",
        Some(with_secrets(json!({"unicode": 19968}))),
        h,
        ("repertoire", "create"),
    )
    .await;
    w.send(
        Method::PUT,
        "/hanzi/repertoire/19968",
        Some(json!({"unicode": 19968})),
        h,
        ("repertoire", "update"),
    )
    .await;
    w.send(
        Method::PUT,
        "/hanzi/repertoire",
        Some(json!({"old": pua, "new": pua + 1})),
        h,
        ("repertoire", "renumber"),
    )
    .await;
    w.send(
        Method::DELETE,
        &format!("/hanzi/repertoire/{}", pua + 1),
        None,
        h,
        ("repertoire", "delete"),
    )
    .await;
    w.send(
        Method::POST,
        "/hanzi/repertoire/batch",
        Some(json!([{"password": "SECRET-b"}])),
        h,
        ("repertoire", "create-batch"),
    )
    .await;
    w.send(
        Method::PUT,
        "/hanzi/repertoire/batch",
        Some(json!([])),
        h,
        ("repertoire", "update-batch"),
    )
    .await;
    w.send(
        Method::DELETE,
        "/hanzi/repertoire/batch",
        Some(json!([99_999])),
        h,
        ("repertoire", "delete-batch"),
    )
    .await;
    w.send(
        Method::POST,
        "/hanzi/equivalence",
        Some(json!({"user": "walk", "model": "m", "data": [{"password": "SECRET-eq"}]})),
        h,
        ("equivalence", "create"),
    )
    .await;

    // ---- account ----
    let r = w
        .send(
            Method::POST,
            "/account/login/",
            Some(json!({"username": "admin", "password": ADMIN_PASSWORD})),
            None,
            ("auth", "login"),
        )
        .await;
    let account = r.json["data"]["token"].as_str().unwrap().to_owned();
    let c = Some(account.as_str());
    w.send(
        Method::POST,
        "/account/login/",
        Some(json!({"username": "admin", "password": "SECRET-wrong"})),
        None,
        ("auth", "login"),
    )
    .await;
    let r = w
        .send(
            Method::POST,
            "/account/user/",
            Some(with_secrets(
                json!({"username": "walker4", "password": "SECRET-pass-1"}),
            )),
            c,
            ("user", "create"),
        )
        .await;
    let pk = id_of(&r);
    w.send(
        Method::PUT,
        &format!("/account/user/{pk}/"),
        Some(json!({"username": "walker4", "password": "SECRET-pass-5"})),
        c,
        ("user", "update"),
    )
    .await;
    w.send(
        Method::PATCH,
        &format!("/account/user/{pk}/"),
        Some(json!({"first_name": "走"})),
        c,
        ("user", "update"),
    )
    .await;
    w.send(
        Method::DELETE,
        &format!("/account/user/{pk}/"),
        None,
        c,
        ("user", "delete"),
    )
    .await;
    w.send(
        Method::DELETE,
        "/account/user/multiple_delete/?ids=999998",
        None,
        c,
        ("user", "multiple_delete"),
    )
    .await;
    w.send(
        Method::DELETE,
        "/account/usr/multiple_delete/?ids=999997",
        None,
        c,
        ("user", "multiple_delete"),
    )
    .await;
    let r = w
        .send(
            Method::POST,
            "/account/group/",
            Some(json!({"name": "walkgroup"})),
            c,
            ("group", "create"),
        )
        .await;
    let gid = id_of(&r);
    w.send(
        Method::PUT,
        &format!("/account/group/{gid}/"),
        Some(json!({"name": "walkgroup2"})),
        c,
        ("group", "update"),
    )
    .await;
    w.send(
        Method::PATCH,
        &format!("/account/group/{gid}/"),
        Some(json!({"name": "walkgroup3"})),
        c,
        ("group", "update"),
    )
    .await;
    w.send(
        Method::POST,
        &format!("/account/group/{gid}/permission/?user_ids=999999"),
        None,
        c,
        ("group", "add-permission"),
    )
    .await;
    w.send(
        Method::DELETE,
        &format!("/account/group/{gid}/permission/?user_ids=999999"),
        None,
        c,
        ("group", "remove-permission"),
    )
    .await;
    w.send(
        Method::DELETE,
        &format!("/account/group/{gid}/"),
        None,
        c,
        ("group", "delete"),
    )
    .await;
    w.send(
        Method::DELETE,
        "/account/group/multiple_delete/?ids=999996",
        None,
        c,
        ("group", "multiple_delete"),
    )
    .await;
    let r = w
        .send(
            Method::POST,
            "/account/backendapi/",
            Some(json!({"name": "walk", "pattern": "^/walk/", "app_name": "walk", "comment": ""})),
            c,
            ("backendapi", "create"),
        )
        .await;
    let api = id_of(&r);
    w.send(
        Method::PUT,
        &format!("/account/backendapi/{api}/"),
        Some(json!({"name": "walk2", "pattern": "^/walk2/", "app_name": "walk", "comment": ""})),
        c,
        ("backendapi", "update"),
    )
    .await;
    w.send(
        Method::PATCH,
        &format!("/account/backendapi/{api}/"),
        Some(json!({"comment": "c"})),
        c,
        ("backendapi", "update"),
    )
    .await;
    let r = w
        .send(
            Method::POST,
            "/account/permission/",
            Some(json!({"method": "GET", "api_id": api})),
            c,
            ("permission", "create"),
        )
        .await;
    let perm = id_of(&r);
    w.send(
        Method::PUT,
        &format!("/account/permission/{perm}/"),
        Some(json!({"method": "POST", "api_id": api})),
        c,
        ("permission", "update"),
    )
    .await;
    w.send(
        Method::PATCH,
        &format!("/account/permission/{perm}/"),
        Some(json!({"method": "PUT"})),
        c,
        ("permission", "update"),
    )
    .await;
    w.send(
        Method::DELETE,
        &format!("/account/permission/{perm}/"),
        None,
        c,
        ("permission", "delete"),
    )
    .await;
    w.send(
        Method::DELETE,
        "/account/permission/multiple_delete/?ids=999995",
        None,
        c,
        ("permission", "multiple_delete"),
    )
    .await;
    w.send(
        Method::DELETE,
        &format!("/account/backendapi/{api}/"),
        None,
        c,
        ("backendapi", "delete"),
    )
    .await;
    w.send(
        Method::DELETE,
        "/account/backendapi/multiple_delete/?ids=999994",
        None,
        c,
        ("backendapi", "multiple_delete"),
    )
    .await;

    // Reads, including the list sent as POST, leave nothing.
    let reads = [(Method::POST, "/api/v1/purchase/getorders")];
    app.post(reads[0].1)
        .bearer(&ops)
        .json(&json!({"page": 1}))
        .send()
        .await
        .assert_status(200);
    app.get("/api/v1/users/profile").bearer(&ops).send().await;
    app.get("/account/user/").bearer(&account).send().await;
    app.get("/hanzi/repertoire/all").send().await;

    // Logouts last: they end the sessions used above.
    w.send(
        Method::POST,
        "/api/v1/users/logout",
        None,
        o,
        ("user", "logout"),
    )
    .await;
    w.send(
        Method::POST,
        "/admin/v1/auth/logout",
        None,
        a,
        ("auth", "logout"),
    )
    .await;
    w.send(
        Method::POST,
        "/account/logout/",
        None,
        c,
        ("auth", "logout"),
    )
    .await;
    // Without a session, as Django's logout allows.
    w.send(
        Method::GET,
        "/account/logout/",
        None,
        None,
        ("auth", "logout"),
    )
    .await;

    // Every write route of every dialect's route table was walked above (the read sent as
    // POST among the reads).
    let mut sent: Vec<(Method, String)> = w
        .steps
        .iter()
        .map(|s| (s.method.clone(), s.path.clone()))
        .collect();
    sent.extend(reads.iter().map(|(m, p)| (m.clone(), (*p).to_owned())));
    assert_every_write_walked(
        &sent,
        "/api/v1",
        ops::dialects::ops_v1::ROUTES
            .iter()
            .map(|r| (r.method, r.path)),
    );
    assert_every_write_walked(
        &sent,
        "/admin/v1",
        ops::dialects::admin_v1::ROUTES
            .iter()
            .map(|r| (r.method, r.path)),
    );
    assert_every_write_walked(
        &sent,
        "/hanzi",
        ops::dialects::hanzi::ROUTES
            .iter()
            .map(|r| (r.method, r.path)),
    );
    assert_every_write_walked(
        &sent,
        "/account",
        ops::dialects::account::ROUTES
            .iter()
            .map(|r| (r.method, r.path)),
    );

    let root = admin_common::root(&app).await;
    let entries = all_entries(&app, &root).await;
    // The last login (to read the log) is an entry too.
    assert_eq!(entries.len(), w.steps.len() + 1, "one entry per step");
    let mut unmatched: Vec<&Value> = entries[1..].iter().collect();
    for step in &w.steps {
        let pos = unmatched
            .iter()
            .position(|e| {
                e["method"] == json!(step.method.as_str()) && e["url"] == json!(step.path)
            })
            .unwrap_or_else(|| panic!("no entry for {} {}", step.method, step.path));
        let e = unmatched.remove(pos);
        assert_eq!(
            (e["module"].as_str().unwrap(), e["action"].as_str().unwrap()),
            (step.module, step.action),
            "{} {}",
            step.method,
            step.path
        );
        assert!(e["status_code"].as_i64().unwrap() >= 200);
    }

    // No secret and no issued token anywhere in what was stored.
    let stored = serde_json::to_string(&entries).unwrap();
    assert!(!stored.contains(SECRET), "a secret leaked into the log");
    for t in [
        &ops,
        &first_admin,
        &admin,
        &new_refresh,
        &refresh,
        &hanzi,
        &account,
    ] {
        assert!(!stored.contains(t.as_str()), "a token leaked into the log");
    }
    assert!(!stored.contains(ADMIN_PASSWORD));
    let find = |method: &str, url: &str| {
        entries
            .iter()
            .find(|e| e["method"] == json!(method) && e["url"] == json!(url))
            .unwrap()
            .clone()
    };
    let profile = find("PUT", "/api/v1/users/profile");
    assert_eq!(profile["request_data"]["userCookieValue"], json!("***"));
    assert_eq!(
        profile["request_data"]["extra"]["deep"][0]["refresh_token"],
        json!("***")
    );
    assert_eq!(profile["request_data"]["captcha"], json!("***"));
    assert_eq!(profile["user"]["username"], json!("admin"));
    let upload = find("POST", "/api/v1/files/upload");
    assert_eq!(
        upload["request_data"],
        json!({
            "file": {"filename": "walk.png", "content_type": "image/png", "size": png.len()},
            "description": "走查",
            "password": "***",
        })
    );
    let refresh_entry = find("POST", "/admin/v1/auth/refresh");
    assert_eq!(refresh_entry["request_data"]["refresh_token"], json!("***"));
    assert_eq!(
        refresh_entry["response_data"]["data"]["token"],
        json!("***")
    );
    assert_eq!(
        refresh_entry["response_data"]["data"]["refresh_token"],
        json!("***")
    );
    let login = find("POST", "/hanzi/login");
    assert_eq!(login["dialect"], json!("hanzi"));
    let failed: Vec<&Value> = entries
        .iter()
        .filter(|e| {
            e["request_data"]["password"] == json!("***")
                && e["action"] == json!("login")
                && e["user"].is_null()
        })
        .collect();
    assert_eq!(failed.len(), 4, "one failed login per dialect");
    let multiple = find("DELETE", "/account/user/multiple_delete/?ids=999998");
    assert_eq!(multiple["request_data"], json!({"ids": "999998"}));
    assert_eq!(multiple["dialect"], json!("account"));
}

async fn refusals_with_401_or_403_leave_no_entry_but_failed_logins_do(b: Backend) {
    let app = TestApp::spawn(b).await;
    let root = admin_common::root(&app).await;
    admin_common::create_user(&app, &root, "plain", &[]).await;
    let (plain, _) = admin_common::login(&app, "plain", "secret12").await;
    let before = all_entries(&app, &root).await.len();
    // 401: no token, a bad token; 403: no permission.
    app.post("/admin/v1/users")
        .json(&json!({"username": "x1", "password": "secret12"}))
        .send()
        .await
        .admin(401, 10002);
    app.post("/admin/v1/roles")
        .bearer("nope")
        .json(&json!({"name": "r"}))
        .send()
        .await
        .admin(401, 10002);
    app.post("/admin/v1/roles")
        .bearer(&plain)
        .json(&json!({"name": "r"}))
        .send()
        .await
        .admin(403, 10003);
    app.put("/api/v1/system/config")
        .json(&json!({"site_name": "x"}))
        .send()
        .await
        .ops(401, "-3");
    app.post("/hanzi/repertoire")
        .body(
            "text/plain",
            json!({"type": "component", "name": "n"}).to_string(),
        )
        .send()
        .await
        .assert_status(401);
    app.post("/account/user/")
        .json(&json!({"username": "x2"}))
        .send()
        .await
        .assert_status(401);
    // A refresh with a spent or unknown token is recorded (a token use), like a failed login.
    app.post("/admin/v1/auth/refresh")
        .json(&json!({"refresh_token": "SECRET-none"}))
        .send()
        .await
        .admin(401, 10002);
    app.post("/account/login/")
        .json(&json!({"username": "plain", "password": "SECRET-bad"}))
        .send()
        .await
        .assert_status(401);
    let after = all_entries(&app, &root).await;
    assert_eq!(after.len(), before + 2, "{:?}", &after[..2]);
    assert_eq!(after[0]["url"], json!("/account/login/"));
    assert_eq!(after[0]["status_code"], json!(401));
    assert_eq!(after[1]["action"], json!("refresh"));
    assert_eq!(after[1]["request_data"]["refresh_token"], json!("***"));
}

async fn entries_past_the_retention_are_purged_with_their_tallies(b: Backend) {
    use ops::domain::platform::oplog::{NewEntry, store};
    let app = TestApp::spawn(b).await;
    let root = admin_common::root(&app).await;
    let db = app.db().await;
    let day = 24 * 3_600_000_000_i64;
    let now = ops::db::now();
    let entry = |days_ago: i64| NewEntry {
        user_id: Some(1),
        username: Some("admin".into()),
        dialect: "admin_v1".into(),
        module: "farm".into(),
        action: "create".into(),
        method: "POST".into(),
        url: "/admin/v1/farms".into(),
        ip: "10.1.1.1".into(),
        user_agent: None,
        request_data: Some(json!({"name": "old"})),
        response_data: None,
        status_code: 201,
        execution_time: 3,
        created_at: now - days_ago * day,
    };
    let old: Vec<NewEntry> = (0..30).map(|i| entry(40 + i)).collect();
    store::insert(&db, &old).await.unwrap();
    store::insert(&db, &[entry(5), entry(10)]).await.unwrap();
    let total = |q: &'static [(&'static str, &'static str)]| {
        let app = &app;
        let root = root.clone();
        async move {
            let r = app
                .get("/admin/v1/system/operation-logs")
                .bearer(&root)
                .query(q)
                .send()
                .await;
            r.admin(200, 200)["pagination"]["total"].as_i64().unwrap()
        }
    };
    assert_eq!(total(&[("module", "farm")]).await, 32);
    // Retention through the admin API, then one maintenance pass.
    let days = app
        .get("/admin/v1/system/configs")
        .bearer(&root)
        .query(&[("config_key", "operation_log_retention_days")])
        .send()
        .await;
    let id = days.admin(200, 200)[0]["id"].as_i64().unwrap();
    app.put(&format!("/admin/v1/system/configs/{id}"))
        .bearer(&root)
        .json(&json!({"config_value": "30"}))
        .send()
        .await
        .admin(200, 200);
    let store_ = ops::domain::files::store(&app.config.file);
    ops::domain::platform::maintenance::run_once(&db, store_.as_ref())
        .await
        .unwrap();
    assert_eq!(total(&[("module", "farm")]).await, 2);
    assert_eq!(total(&[("ip", "10.1.1.1")]).await, 2);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM operation_logs WHERE module = 'farm'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(rows, 2);
    // Today's entries (the logins, the config change) are kept.
    assert!(total(&[]).await >= 4);
}

/// What `store::count` answers for `f`, against a plain recount of the rows in memory.
async fn assert_totals_match_a_recount(db: &ops::db::Db, points: &[Option<i64>], when: &str) {
    use ops::domain::platform::oplog::{Filter, store};
    let rows: Vec<(Option<i64>, String, String, String, i64)> =
        sqlx::query_as("SELECT user_id, module, action, ip, created_at FROM operation_logs")
            .fetch_all(db.pool())
            .await
            .unwrap();
    let filters = [
        Filter::default(),
        Filter {
            module: Some("farm".into()),
            ..Filter::default()
        },
        Filter {
            action: Some("update".into()),
            ..Filter::default()
        },
        Filter {
            user_id: Some(3),
            ..Filter::default()
        },
        Filter {
            ip: Some("10.9.0.1".into()),
            ..Filter::default()
        },
        // Two equality filters: counted exactly, no tallies.
        Filter {
            module: Some("farm".into()),
            action: Some("create".into()),
            ..Filter::default()
        },
    ];
    for base in &filters {
        for &from in points {
            for &to in points {
                let f = Filter {
                    from,
                    to,
                    ..base.clone()
                };
                let want = rows
                    .iter()
                    .filter(|(u, m, a, ip, t)| {
                        f.user_id.is_none_or(|x| *u == Some(x))
                            && f.module.as_ref().is_none_or(|x| x == m)
                            && f.action.as_ref().is_none_or(|x| x == a)
                            && f.ip.as_ref().is_none_or(|x| x == ip)
                            && from.is_none_or(|x| *t >= x)
                            && to.is_none_or(|x| *t < x)
                    })
                    .count() as i64;
                let got = store::count(db, &f).await.unwrap();
                assert_eq!(got, want, "{when}: {f:?}");
            }
        }
    }
}

async fn totals_equal_a_recount_across_days_and_after_retention(b: Backend) {
    use ops::domain::platform::oplog::{NewEntry, store};
    let app = TestApp::spawn(b).await;
    let db = app.db().await;
    let hour = 3_600_000_000_i64;
    let day = 24 * hour;
    // A UTC midnight ten days back; entries from 2.5 days before it to 2.5 days after,
    // every 37 minutes and 11 seconds, some exactly on hour and day boundaries.
    let midnight = (ops::db::now() / day - 10) * day;
    let modules = ["farm", "animal", "order"];
    let actions = ["create", "update", "delete", "audit"];
    let entry = |i: i64, at: i64| NewEntry {
        user_id: (i % 5 != 0).then_some(i % 4 + 1),
        username: Some(format!("u{}", i % 4 + 1)),
        dialect: "admin_v1".into(),
        module: modules[(i % 3) as usize].into(),
        action: actions[(i % 4) as usize].into(),
        method: "POST".into(),
        url: "/admin/v1/farms".into(),
        ip: format!("10.9.0.{}", i % 6),
        user_agent: None,
        request_data: None,
        response_data: None,
        status_code: 201,
        execution_time: 1,
        created_at: at,
    };
    let step = 37 * 60_000_000 + 11_000_000;
    let mut all: Vec<NewEntry> = (0..)
        .map(|i| (i, midnight - 5 * day / 2 + i * step))
        .take_while(|(_, at)| *at < midnight + 5 * day / 2)
        .map(|(i, at)| entry(i, at))
        .collect();
    for (k, at) in [
        midnight,
        midnight - day,
        midnight + day,
        midnight + hour,
        midnight - 1,
    ]
    .into_iter()
    .enumerate()
    {
        all.push(entry(k as i64, at));
    }
    // In batches, as the writer sends them (one statement each).
    for chunk in all.chunks(32) {
        store::insert(&db, chunk).await.unwrap();
    }
    let points = [
        None,
        Some(midnight - 2 * day),
        Some(midnight - day - 3 * hour),
        Some(midnight - day + 1),
        Some(midnight - 7 * hour - 90_000_000),
        Some(midnight - 1),
        Some(midnight),
        Some(midnight + hour),
        Some(midnight + 13 * hour + 17),
        Some(midnight + day),
        Some(midnight + 2 * day + 5 * hour),
    ];
    assert_totals_match_a_recount(&db, &points, "after inserts").await;

    // Retention: a pass as if a day and 7.5 hours after the midnight, keeping one day, cuts
    // at 07:00 of the midnight's day (inside a day, inside the entries).
    let purged = store::purge(&db, midnight + day + 15 * hour / 2, 1)
        .await
        .unwrap();
    assert!(purged > 100, "{purged}");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM operation_logs WHERE created_at < $1")
        .bind(midnight + 7 * hour)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_totals_match_a_recount(&db, &points, "after the retention purge").await;
    // No tally rows are left before the cutoff hour and day (they were all at zero).
    let stale: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM operation_log_tallies WHERE hour < $1) \
         + (SELECT COUNT(*) FROM operation_log_day_tallies WHERE day < $2)",
    )
    .bind((midnight + 7 * hour) / hour)
    .bind(midnight / day)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(stale, 0);

    // Any delete keeps them exact, not only the purge's.
    sqlx::query("DELETE FROM operation_logs WHERE id % 7 = 3")
        .execute(db.pool())
        .await
        .unwrap();
    assert_totals_match_a_recount(&db, &points, "after deleting every 7th entry").await;
}

db_test!(
    every_write_of_every_dialect_is_logged_with_secrets_masked,
    refusals_with_401_or_403_leave_no_entry_but_failed_logins_do,
    entries_past_the_retention_are_purged_with_their_tallies,
    totals_equal_a_recount_across_days_and_after_retention,
);

/// The real binary, killed with SIGKILL the moment it has answered: the entry of the
/// answered request is in the database (committed before the answer left).
#[tokio::test]
async fn an_answered_request_keeps_its_entry_through_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let start = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ops-server"));
        c.env_remove("RUST_LOG");
        for (k, _) in std::env::vars() {
            if k.starts_with("OPS__") {
                c.env_remove(k);
            }
        }
        c.current_dir(dir.path())
            .env("OPS__SERVER__HOST", "127.0.0.1")
            .env("OPS__SERVER__PORT", port.to_string())
            .env("OPS__BOOTSTRAP__ADMIN_PASSWORD", ADMIN_PASSWORD)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    for round in 0..3 {
        let mut child = start();
        let deadline = Instant::now() + Duration::from_secs(30);
        while client.get(format!("{base}/healthz")).send().await.is_err() {
            assert!(Instant::now() < deadline, "server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let login: Value = client
            .post(format!("{base}/admin/v1/auth/login"))
            .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["data"]["token"].as_str().unwrap().to_owned();
        let name = format!("killed{round}");
        let r = client
            .post(format!("{base}/admin/v1/roles"))
            .bearer_auth(&token)
            .json(&json!({"name": name, "permission_ids": []}))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let _ = r.bytes().await.unwrap();
        // SIGKILL at once: no shutdown, no flush.
        child.kill().unwrap();
        let _ = child.wait();
        assert_eq!(status, 201);

        let mut cfg = ops::config::Config::defaults().unwrap();
        cfg.database.path = dir.path().join("data/db.db").display().to_string();
        let db = ops::db::Db::connect(&cfg.database).await.unwrap();
        let found: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM operation_logs WHERE method = 'POST' AND url = '/admin/v1/roles' \
             AND status_code = 201 AND request_data LIKE $1",
        )
        .bind(format!("%{name}%"))
        .fetch_one(db.pool())
        .await
        .unwrap();
        db.close().await;
        assert_eq!(found, 1, "round {round}: the answered create has its entry");
    }
}
