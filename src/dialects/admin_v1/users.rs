//! §3 用户管理.

use std::sync::LazyLock;

use axum::extract::State;
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::extract::{self, Auth, Id, Json, Query, required};
use super::reply::{Paged, Reply, mask_phone};
use crate::db::time::{self, local_seconds};
use crate::domain::access::user_roles::{self, RoleSummary};
use crate::domain::accounts::manage;
use crate::domain::identity::directory::{self, UserFilter};
use crate::domain::identity::{Gender, NewUser, User, UserPatch, user, validate};
use crate::domain::livestock::farm_list;
use crate::error::{Error, Format, Problem, Violations};
use crate::state::AppState;

static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::unwrap_used, reason = "constant pattern")]
    Regex::new(r"^1[0-9]{10}$").unwrap()
});
static ID_CARD: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::unwrap_used, reason = "constant pattern")]
    Regex::new(r"^([0-9]{15}|[0-9]{17}[0-9Xx])$").unwrap()
});

fn gender_code(g: Gender) -> i64 {
    match g {
        Gender::Male => 1,
        Gender::Female => 2,
        Gender::Unknown | Gender::Other => 0,
    }
}

fn gender_of(v: &mut Violations, value: Option<i64>) -> Option<Gender> {
    match value {
        None => None,
        Some(0) => Some(Gender::Unknown),
        Some(1) => Some(Gender::Male),
        Some(2) => Some(Gender::Female),
        Some(_) => {
            v.add(
                "gender",
                Problem::NotOneOf {
                    allowed: &["0", "1", "2"],
                    got: None,
                },
            );
            None
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = UserRoleOut)]
pub struct RoleOut {
    id: i64,
    name: String,
    code: String,
}

fn roles_out(roles: Option<Vec<RoleSummary>>) -> Vec<RoleOut> {
    roles
        .unwrap_or_default()
        .into_iter()
        .map(|r| RoleOut {
            id: r.id,
            name: r.name,
            code: r.code,
        })
        .collect()
}

#[derive(Deserialize)]
pub struct ListIn {
    page: Option<i64>,
    page_size: Option<i64>,
    keyword: Option<String>,
    status: Option<i64>,
    role_id: Option<i64>,
    created_start: Option<String>,
    created_end: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserItemOut {
    id: i64,
    username: String,
    real_name: String,
    phone: Option<String>,
    email: Option<String>,
    avatar: Option<String>,
    status: i64,
    roles: Vec<RoleOut>,
    last_login_at: Option<String>,
    created_at: String,
}

/// A date-time bound; a bare date as an end means the whole of that day.
fn bound(
    v: &mut Violations,
    state: &AppState,
    field: &str,
    raw: Option<&str>,
    end: bool,
) -> Option<i64> {
    let ts = time::bound(raw?, state.tz, end);
    if ts.is_none() {
        v.add(field, Problem::BadFormat(Format::DateTime));
    }
    ts
}

/// `GET /users`
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListIn>,
) -> ApiResult<Reply<Paged<UserItemOut>>> {
    let mut v = Violations::new();
    let page = extract::page(&mut v, q.page, q.page_size);
    let is_active = extract::status(&mut v, "status", q.status);
    let created_from = bound(
        &mut v,
        &state,
        "created_start",
        q.created_start.as_deref(),
        false,
    );
    let created_before = bound(
        &mut v,
        &state,
        "created_end",
        q.created_end.as_deref(),
        true,
    );
    v.into_result()?;
    let filter = UserFilter {
        keyword: q.keyword,
        is_active,
        role_id: q.role_id,
        created_from,
        created_before,
    };
    let (users, total) = directory::list(&state.db, &filter, Some(page)).await?;
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let mut roles = user_roles::summaries_of(&state.db, &ids).await?;
    let list = users
        .into_iter()
        .map(|u| UserItemOut {
            id: u.id,
            roles: roles_out(roles.remove(&u.id)),
            username: u.username,
            real_name: u.display_name,
            phone: u.phone.as_deref().map(mask_phone),
            email: u.email,
            avatar: u.avatar,
            status: i64::from(u.is_active),
            last_login_at: u.last_login_at.map(|t| local_seconds(t, state.tz)),
            created_at: local_seconds(u.created_at, state.tz),
        })
        .collect();
    Ok(Reply::ok("获取成功", Paged::new(list, page, total)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserDetailOut {
    id: i64,
    username: String,
    real_name: String,
    phone: Option<String>,
    email: Option<String>,
    avatar: Option<String>,
    gender: i64,
    birthday: Option<String>,
    address: Option<String>,
    id_card: Option<String>,
    status: i64,
    roles: Vec<RoleOut>,
    farms: Vec<UserFarmOut>,
    last_login_at: Option<String>,
    last_login_ip: Option<String>,
    created_at: String,
    updated_at: String,
}

/// One of the user's farms (§3.2.1).
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserFarmOut {
    id: i64,
    name: String,
    #[serde(rename = "type")]
    kind: String,
    status: i64,
}

/// `GET /users/{id}`
pub async fn detail(State(state): State<AppState>, Id(id): Id) -> ApiResult<Reply<UserDetailOut>> {
    let u = user::get(state.db.pool(), id).await?;
    let mut roles = user_roles::summaries_of(&state.db, &[id]).await?;
    let tz = state.tz;
    Ok(Reply::ok(
        "获取成功",
        UserDetailOut {
            id: u.id,
            roles: roles_out(roles.remove(&u.id)),
            username: u.username,
            real_name: u.display_name,
            phone: u.phone,
            email: u.email,
            avatar: u.avatar,
            gender: gender_code(u.gender),
            birthday: u.birthday,
            address: u.address,
            id_card: u.id_card,
            status: i64::from(u.is_active),
            farms: farm_list::of_owner(&state.db, id)
                .await?
                .into_iter()
                .map(|f| UserFarmOut {
                    id: f.id,
                    name: f.name,
                    kind: f.kind,
                    status: f.status,
                })
                .collect(),
            last_login_at: u.last_login_at.map(|t| local_seconds(t, tz)),
            last_login_ip: u.last_login_ip,
            created_at: local_seconds(u.created_at, tz),
            updated_at: local_seconds(u.updated_at, tz),
        },
    ))
}

/// The body of a create and an update (an update ignores `username` and `password`).
#[derive(Deserialize)]
pub struct UserIn {
    username: Option<String>,
    password: Option<String>,
    real_name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    gender: Option<i64>,
    birthday: Option<String>,
    address: Option<String>,
    id_card: Option<String>,
    avatar: Option<String>,
    status: Option<i64>,
    role_ids: Option<Vec<i64>>,
}

/// The checked profile fields; blank strings mean "none".
struct Profile {
    real_name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    gender: Option<Gender>,
    birthday: Option<String>,
    address: Option<String>,
    id_card: Option<String>,
    avatar: Option<String>,
    active: Option<bool>,
}

fn blank(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).map(str::to_owned)
}

/// The document's rules for profile fields (phone: mainland mobile, 11 digits).
fn check_profile(v: &mut Violations, p: &UserIn) -> crate::error::Result<Profile> {
    let real_name = blank(&p.real_name);
    if real_name.as_deref().is_some_and(|n| n.chars().count() > 50) {
        v.add("real_name", Problem::TooLong { max: 50 });
    }
    let phone = blank(&p.phone);
    if let Some(ph) = phone.as_deref().filter(|s| !s.is_empty())
        && !PHONE.is_match(ph)
    {
        v.add("phone", Problem::BadFormat(Format::Phone));
    }
    let email = blank(&p.email);
    if let Some(e) = email.as_deref().filter(|s| !s.is_empty()) {
        v.check(validate::email("email", e))?;
    }
    let gender = gender_of(v, p.gender);
    let birthday = blank(&p.birthday);
    if let Some(b) = birthday.as_deref().filter(|s| !s.is_empty())
        && chrono::NaiveDate::parse_from_str(b, "%Y-%m-%d").is_err()
    {
        v.add("birthday", Problem::BadFormat(Format::Date));
    }
    let address = blank(&p.address);
    if address.as_deref().is_some_and(|a| a.chars().count() > 200) {
        v.add("address", Problem::TooLong { max: 200 });
    }
    let id_card = blank(&p.id_card);
    if let Some(c) = id_card.as_deref().filter(|s| !s.is_empty())
        && !ID_CARD.is_match(c)
    {
        v.add("id_card", Problem::BadFormat(Format::IdCard));
    }
    let avatar = blank(&p.avatar);
    if avatar.as_deref().is_some_and(|a| a.chars().count() > 1000) {
        v.add("avatar", Problem::TooLong { max: 1000 });
    }
    let active = extract::status(v, "status", p.status);
    Ok(Profile {
        real_name,
        phone,
        email,
        gender,
        birthday,
        address,
        id_card,
        avatar,
        active,
    })
}

/// Codes of the roles `role_ids` names; an unknown id is a `role_ids` violation.
async fn role_codes(
    state: &AppState,
    v: &mut Violations,
    ids: &Option<Vec<i64>>,
) -> ApiResult<Option<Vec<String>>> {
    let Some(ids) = ids else { return Ok(None) };
    Ok(v.check(user_roles::codes_for_ids(&state.db, "role_ids", ids).await)?)
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = UserCreatedOut)]
pub struct CreatedOut {
    id: i64,
    username: String,
    real_name: String,
    phone: Option<String>,
    email: Option<String>,
    status: i64,
    created_at: String,
}

/// `POST /users` — answers 201.
pub async fn create(
    State(state): State<AppState>,
    Auth(me): Auth,
    Json(body): Json<UserIn>,
) -> ApiResult<Reply<CreatedOut>> {
    let mut v = Violations::new();
    let username = required(&mut v, "username", &body.username).map(str::to_owned);
    if let Some(name) = &username {
        let n = name.chars().count();
        if !(3..=20).contains(&n) {
            v.add("username", Problem::Length { min: 3, max: 20 });
        }
        v.check(validate::username("username", name))?;
    }
    match body.password.as_deref() {
        None | Some("") => v.add("password", Problem::Required),
        Some(pw) => {
            v.check(validate::password("password", pw))?;
        }
    }
    let p = check_profile(&mut v, &body)?;
    let codes = role_codes(&state, &mut v, &body.role_ids).await?;
    v.into_result()?;
    let codes = codes.unwrap_or_default();
    manage::may_create(
        &state.db,
        &me,
        body.role_ids.as_deref().unwrap_or_default(),
        &[],
    )
    .await?;
    let mut new = NewUser::new(
        username.unwrap_or_default(),
        body.password.unwrap_or_default(),
    );
    new.display_name = p.real_name.unwrap_or_default();
    new.phone = p.phone;
    new.email = p.email;
    new.gender = p.gender.unwrap_or_default();
    new.birthday = p.birthday;
    new.address = p.address;
    new.id_card = p.id_card;
    new.avatar = p.avatar;
    new.is_active = p.active.unwrap_or(true);
    new.roles = codes;
    let u = crate::domain::accounts::enrol::create(&state.db, new, state.create_policy()).await?;
    Ok(Reply::created(
        "创建成功",
        CreatedOut {
            id: u.id,
            username: u.username,
            real_name: u.display_name,
            phone: u.phone.as_deref().map(mask_phone),
            email: u.email,
            status: i64::from(u.is_active),
            created_at: local_seconds(u.created_at, state.tz),
        },
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = UserUpdatedOut)]
pub struct UpdatedOut {
    id: i64,
    username: String,
    real_name: String,
    phone: Option<String>,
    email: Option<String>,
    status: i64,
    updated_at: String,
}

fn patch_of(p: Profile) -> UserPatch {
    let opt = |s: Option<String>| s.map(|s| Some(s).filter(|s| !s.is_empty()));
    UserPatch {
        display_name: p.real_name,
        phone: opt(p.phone),
        email: opt(p.email),
        gender: p.gender,
        birthday: opt(p.birthday),
        address: opt(p.address),
        id_card: opt(p.id_card),
        avatar: opt(p.avatar),
        ..UserPatch::default()
    }
}

/// `PUT /users/{id}` — every field optional; `role_ids` replaces the user's roles, `status`
/// follows the rules of toggle-status.
pub async fn update(
    State(state): State<AppState>,
    Auth(me): Auth,
    Id(id): Id,
    Json(body): Json<UserIn>,
) -> ApiResult<Reply<UpdatedOut>> {
    user::get(state.db.pool(), id).await?;
    let mut v = Violations::new();
    let p = check_profile(&mut v, &body)?;
    role_codes(&state, &mut v, &body.role_ids).await?;
    v.into_result()?;
    let active = p.active;
    let roles = body.role_ids.as_deref().map(|ids| ("role_ids", ids));
    let u: User = manage::update(&state.db, &me, id, patch_of(p), roles, active).await?;
    Ok(Reply::ok(
        "更新成功",
        UpdatedOut {
            id: u.id,
            username: u.username,
            real_name: u.display_name,
            phone: u.phone.as_deref().map(mask_phone),
            email: u.email,
            status: i64::from(u.is_active),
            updated_at: local_seconds(u.updated_at, state.tz),
        },
    ))
}

/// `DELETE /users/{id}` — not oneself (10003).
pub async fn delete(
    State(state): State<AppState>,
    Auth(me): Auth,
    Id(id): Id,
) -> ApiResult<Reply<()>> {
    manage::delete(&state.db, &me, id).await?;
    Ok(Reply::done("删除成功"))
}

#[derive(Deserialize)]
pub struct IdsIn {
    ids: Option<Vec<i64>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DeletedOut {
    deleted_count: i64,
}

/// Most ids one batch delete takes.
const BATCH_MAX: usize = 1000;

/// `DELETE /users` `{ids}` — all or nothing; unknown ids are not counted.
pub async fn delete_many(
    State(state): State<AppState>,
    Auth(me): Auth,
    Json(body): Json<IdsIn>,
) -> ApiResult<Reply<DeletedOut>> {
    let mut v = Violations::new();
    match &body.ids {
        None => v.add("ids", Problem::Required),
        Some(ids) if ids.is_empty() => v.add("ids", Problem::Blank),
        Some(ids) if ids.len() > BATCH_MAX => v.add("ids", Problem::TooMany { max: BATCH_MAX }),
        Some(ids) if ids.iter().any(|i| *i < 1) => v.add("ids", Problem::AtLeast { min: 1 }),
        Some(_) => {}
    }
    v.into_result()?;
    let n = manage::delete_many(&state.db, &me, &body.ids.unwrap_or_default()).await?;
    Ok(Reply::ok("批量删除成功", DeletedOut { deleted_count: n }))
}

#[derive(Deserialize)]
pub struct ResetIn {
    new_password: Option<String>,
}

/// `POST /users/{id}/reset-password` — ends all of that user's sessions.
pub async fn reset_password(
    State(state): State<AppState>,
    Auth(me): Auth,
    Id(id): Id,
    Json(body): Json<ResetIn>,
) -> ApiResult<Reply<()>> {
    user::get(state.db.pool(), id).await?;
    let mut v = Violations::new();
    match body.new_password.as_deref() {
        None | Some("") => v.add("new_password", Problem::Required),
        Some(pw) => {
            v.check(validate::password("new_password", pw))?;
        }
    }
    v.into_result()?;
    manage::reset_password(&state.db, &me, id, &body.new_password.unwrap_or_default()).await?;
    Ok(Reply::done("密码重置成功"))
}

#[derive(Deserialize)]
pub struct ToggleIn {
    status: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = UserStatusOut)]
pub struct StatusOut {
    id: i64,
    status: i64,
}

/// `POST /users/{id}/toggle-status` `{status}` (required: absent or null is 10006) —
/// disabling ends the user's sessions; nobody disables themselves (10003).
pub async fn toggle_status(
    State(state): State<AppState>,
    Auth(me): Auth,
    Id(id): Id,
    Json(body): Json<ToggleIn>,
) -> ApiResult<Reply<StatusOut>> {
    user::get(state.db.pool(), id).await?;
    let mut v = Violations::new();
    // A toggle names the status it wants (decisions §8): a flip would make a retried
    // request undo itself.
    if body.status.is_none() {
        v.add("status", Problem::Required);
    }
    let wanted = extract::status(&mut v, "status", body.status);
    v.into_result()?;
    let active = wanted.ok_or_else(|| Error::invalid("status", Problem::Required))?;
    let u = manage::set_active(&state.db, &me, id, active).await?;
    Ok(Reply::ok(
        "状态更新成功",
        StatusOut {
            id: u.id,
            status: i64::from(u.is_active),
        },
    ))
}
