//! `POST /login` and `/users/*` — document "登录 API" and "用户 API".

use std::sync::LazyLock;

use axum::extract::State;
use axum::response::IntoResponse;
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult, code};
use super::extract::{Auth, IdPath, Json, MaybeAuth, Query, TOKEN_TYPE};
use crate::db::Db;
use crate::domain::access::level::{self, AdminLevel};
use crate::domain::accounts::manage;
use crate::domain::identity::directory::{self, UserFilter};
use crate::domain::identity::{
    self, LoginName, LoginRequest, NewUser, SessionKind, User, UserPatch, jwt, user, validate,
};
use crate::domain::paging::Page;
use crate::error::{Entity, Error, Format, Problem, Result, Violations};
use crate::http::client::Client;
use crate::state::AppState;

/// The document's user id pattern: a letter first, `_` or `-` only between letters/digits.
static USER_ID: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::unwrap_used, reason = "constant pattern")]
    Regex::new(r"^[a-zA-Z]([_-]?[a-zA-Z0-9]+)*$").unwrap()
});

/// The document's `User` model. `id` is the login name; absent email/avatar are `""`.
#[derive(Debug, Serialize)]
pub struct UserOut {
    id: String,
    name: String,
    email: String,
    avatar: String,
    role: i64,
    state: i64,
}

impl UserOut {
    fn new(u: User, level: AdminLevel) -> Self {
        Self {
            id: u.username,
            name: u.display_name,
            email: u.email.unwrap_or_default(),
            avatar: u.avatar.unwrap_or_default(),
            role: level.as_number(),
            state: if u.is_active { 0 } else { 1 },
        }
    }

    async fn load(db: &Db, u: User) -> Result<Self> {
        let level = level::get(db, u.id).await?;
        Ok(Self::new(u, level))
    }
}

async fn find(db: &Db, id: &str) -> Result<User> {
    user::find_by_username(db, id)
        .await?
        .ok_or(Error::NotFound(Entity::User))
}

#[derive(Deserialize)]
pub struct LoginIn {
    username: String,
    password: String,
}

#[derive(Serialize)]
pub struct LoginOut {
    user: UserOut,
    token: String,
}

/// `POST /login` — `username` is the user id, or an email when it contains `@`.
pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    Json(body): Json<LoginIn>,
) -> ApiResult<impl IntoResponse> {
    let settings = state.settings().await?;
    let ttl_secs = settings.session_ttl_hours * 3600;
    let (u, session, _) = identity::login(
        &state.db,
        state.throttle_policy(&settings),
        LoginRequest {
            login: body.username.trim(),
            password: &body.password,
            name_kind: LoginName::UsernameOrEmail,
            session_kind: SessionKind::Hanzi,
            ttl_micros: ttl_secs * 1_000_000,
            client: &client,
        },
    )
    .await?;
    let token = jwt::issue(&state.jwt_secret, u.id, session.id, TOKEN_TYPE, ttl_secs)?;
    Ok(axum::Json(LoginOut {
        user: UserOut::load(&state.db, u).await?,
        token,
    }))
}

#[derive(Deserialize)]
pub struct PageIn {
    page: Option<i64>,
    size: Option<i64>,
}

/// The document's `DataList<T>`.
#[derive(Serialize)]
pub struct DataList<T> {
    pub total: i64,
    pub page: i64,
    pub size: i64,
    pub items: Vec<T>,
}

/// Largest page of `GET /users`.
const USER_PAGE_MAX: i64 = 1000;

/// `GET /users?page=1&size=20` — behind a login unless `public_users` (see the route table).
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<PageIn>,
) -> ApiResult<impl IntoResponse> {
    let (page, size) = (q.page.unwrap_or(1), q.size.unwrap_or(20));
    // The dialect's paging rules: 1-based pages of 1–1000 users.
    if page < 1 {
        return Err(Error::invalid("page", Problem::AtLeast { min: 1 }).into());
    }
    if !(1..=USER_PAGE_MAX).contains(&size) {
        return Err(Error::invalid(
            "size",
            Problem::OutOfRange {
                min: 1,
                max: USER_PAGE_MAX,
            },
        )
        .into());
    }
    let one_page = Some(Page::new(page, size));
    let (users, total) = directory::list(&state.db, &UserFilter::default(), one_page).await?;
    let mut items = Vec::with_capacity(users.len());
    for u in users {
        items.push(UserOut::load(&state.db, u).await?);
    }
    Ok(axum::Json(DataList {
        total,
        page,
        size,
        items,
    }))
}

/// `GET /users/:id` — behind a login unless `public_users` (see the route table).
pub async fn get(
    State(state): State<AppState>,
    IdPath(id): IdPath,
) -> ApiResult<impl IntoResponse> {
    let u = find(&state.db, &id).await?;
    Ok(axum::Json(UserOut::load(&state.db, u).await?))
}

#[derive(Deserialize)]
pub struct RegisterIn {
    id: String,
    #[serde(default)]
    name: Option<String>,
    email: String,
    password: String,
    #[serde(default)]
    avatar: Option<String>,
}

/// `POST /users` — self-registration while `registration_open`; an admin's token may add
/// users even when it is closed. Answers `true`.
pub async fn register(
    State(state): State<AppState>,
    MaybeAuth(caller): MaybeAuth,
    Json(body): Json<RegisterIn>,
) -> ApiResult<impl IntoResponse> {
    let mut v = Violations::new();
    if !USER_ID.is_match(&body.id) {
        v.add("id", Problem::BadFormat(Format::UserId));
    }
    let name = body
        .name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| body.id.clone());
    v.check(validate::text("name", &name, 150))?;
    v.check(validate::email("email", body.email.trim()))?;
    v.into_result()?;
    let mut new = NewUser::new(body.id, body.password);
    new.display_name = name;
    new.email = Some(body.email.trim().to_owned());
    new.avatar = body.avatar;
    let result = match caller {
        Some(p) if p.is_admin() => {
            crate::domain::accounts::enrol::create(&state.db, new, state.create_policy()).await
        }
        _ => crate::domain::accounts::register(&state.db, new, state.create_policy()).await,
    };
    match result {
        Err(Error::Forbidden) => Err(ApiError::plain(code::FORBIDDEN, "注册已关闭")),
        Err(Error::Conflict { .. }) => Err(ApiError::plain(code::RECORD_EXISTS, "用户已存在")),
        Err(e) => Err(e.into()),
        Ok(_) => Ok(axum::Json(true)),
    }
}

#[derive(Deserialize)]
pub struct UpdateIn {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    avatar: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// `PUT /users/:id` — the caller's own record, or anyone's for admins (403 otherwise).
/// Absent, `null` and empty `name`/`email`/`password` leave the field alone (the client sends
/// the whole model back); an empty `avatar` clears it. A new password ends the user's other
/// sessions; the caller's own session stays. Answers `true`.
pub async fn update(
    State(state): State<AppState>,
    Auth(me): Auth,
    IdPath(id): IdPath,
    Json(body): Json<UpdateIn>,
) -> ApiResult<impl IntoResponse> {
    if id != me.user.username && !me.is_admin() {
        return Err(Error::Forbidden.into());
    }
    let target = find(&state.db, &id).await?;
    let non_empty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let name = non_empty(body.name);
    let email = non_empty(body.email);
    let password = body.password.filter(|p| !p.is_empty());
    let mut v = Violations::new();
    if let Some(n) = &name {
        v.check(validate::text("name", n, 150))?;
    }
    if let Some(p) = &password {
        v.check(validate::password("password", p))?;
    }
    if let Some(a) = &body.avatar {
        v.check(validate::text("avatar", a, 1000))?;
    }
    v.into_result()?;
    let patch = UserPatch {
        display_name: name,
        email: email.map(Some),
        avatar: body.avatar.map(Some),
        ..UserPatch::default()
    };
    let keep = (target.id == me.user.id).then_some(me.session.id);
    manage::update_profile(&state.db, &me, target.id, patch, password.as_deref(), keep).await?;
    Ok(axum::Json(true))
}

/// `DELETE /users/:id` — admins. Ends the user's sessions (they go with the user).
pub async fn delete(
    State(state): State<AppState>,
    Auth(me): Auth,
    IdPath(id): IdPath,
) -> ApiResult<impl IntoResponse> {
    let target = find(&state.db, &id).await?;
    manage::delete(&state.db, &me, target.id).await?;
    Ok(axum::Json(true))
}

#[derive(Deserialize)]
pub struct PromoteIn {
    role: serde_json::Value,
}

fn not_self(me: &identity::Principal, id: &str) -> ApiResult<()> {
    if me.user.username == id {
        return Err(ApiError::plain(code::BAD_PARAMETER, "不可修改当前登录用户"));
    }
    Ok(())
}

/// `PUT /users/:id/promote {role}` — super admins; role 0 user, 1 admin, 2 super admin, seen
/// by every dialect. Answers `true`.
pub async fn promote(
    State(state): State<AppState>,
    Auth(me): Auth,
    IdPath(id): IdPath,
    Json(body): Json<PromoteIn>,
) -> ApiResult<impl IntoResponse> {
    not_self(&me, &id)?;
    let level = body
        .role
        .as_i64()
        .and_then(AdminLevel::from_number)
        .ok_or_else(|| ApiError::plain(code::BAD_PARAMETER, "用户角色枚举不正确"))?;
    let target = find(&state.db, &id).await?;
    manage::set_level(&state.db, &me, target.id, level).await?;
    Ok(axum::Json(true))
}

#[derive(Deserialize)]
pub struct DisableIn {
    state: serde_json::Value,
}

/// `PUT /users/:id/disable {state}` — super admins; 1 disables (and ends the user's sessions),
/// 0 enables. Answers `true`.
pub async fn disable(
    State(state): State<AppState>,
    Auth(me): Auth,
    IdPath(id): IdPath,
    Json(body): Json<DisableIn>,
) -> ApiResult<impl IntoResponse> {
    not_self(&me, &id)?;
    let active = match body.state.as_i64() {
        Some(0) => true,
        Some(1) => false,
        _ => {
            return Err(ApiError::plain(code::BAD_PARAMETER, "用户状态枚举不正确"));
        }
    };
    let target = find(&state.db, &id).await?;
    manage::set_active(&state.db, &me, target.id, active).await?;
    Ok(axum::Json(true))
}
