//! §2 认证授权: login, captcha, refresh, logout, the current user and their menus.

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::extract::{ACCESS, Auth, Json, required};
use super::reply::Reply;
use crate::db::time::local_seconds;
use crate::domain::access::permissions::PermissionNode;
use crate::domain::access::{self, PermissionSet};
use crate::domain::identity::{
    self, LoginName, LoginRequest, Principal, SessionKind, User, captcha, jwt, refresh, session,
};
use crate::error::{Entity, Error, Problem, Violations};
use crate::http::client::Client;
use crate::state::AppState;

const HOUR: i64 = 3_600_000_000;

fn access_ttl_secs(state: &AppState) -> i64 {
    state.config.security.admin_access_ttl_minutes * 60
}

fn refresh_ttl_micros(state: &AppState) -> i64 {
    state.config.security.admin_refresh_ttl_hours * HOUR
}

#[derive(Deserialize)]
pub struct LoginIn {
    username: Option<String>,
    password: Option<String>,
    captcha: Option<String>,
    captcha_key: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginUserOut {
    id: i64,
    username: String,
    real_name: String,
    avatar: Option<String>,
    roles: Vec<String>,
    permissions: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginOut {
    token: String,
    refresh_token: String,
    token_type: &'static str,
    expires_in: i64,
    user: LoginUserOut,
}

/// `["*"]` for super admins, otherwise the codes held.
fn permission_codes(set: &PermissionSet) -> Vec<String> {
    if set.is_all() {
        vec!["*".to_owned()]
    } else {
        set.codes()
    }
}

/// `POST /auth/login`
pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    Json(body): Json<LoginIn>,
) -> ApiResult<Reply<LoginOut>> {
    let mut v = Violations::new();
    let username = required(&mut v, "username", &body.username).map(str::to_owned);
    let password = body.password.filter(|p| !p.is_empty());
    if password.is_none() {
        v.add("password", Problem::Required);
    }
    v.into_result()?;
    let (Some(username), Some(password)) = (username, password) else {
        return Err(Error::invalid("username", Problem::Required).into());
    };
    let settings = state.settings().await?;
    if settings.captcha_enabled {
        let key = body.captcha_key.unwrap_or_default();
        let answer = body.captcha.unwrap_or_default();
        if !captcha::verify(&state.db, &key, &answer).await? {
            return Err(ApiError::Captcha);
        }
    }
    let result = identity::login(
        &state.db,
        state.throttle_policy(&settings),
        LoginRequest {
            login: &username,
            password: &password,
            name_kind: LoginName::Username,
            session_kind: SessionKind::Admin,
            ttl_micros: refresh_ttl_micros(&state),
            client: &client,
        },
    )
    .await;
    let (user, session, _) = match result {
        // One answer for an unknown name and a wrong password.
        Err(Error::NotFound(Entity::User) | Error::BadCredentials) => {
            return Err(ApiError::BadLogin);
        }
        other => other?,
    };
    let token = jwt::issue(
        &state.jwt_secret,
        user.id,
        session.id,
        ACCESS,
        access_ttl_secs(&state),
    )?;
    let refresh_token = refresh::issue(&state.db, session.id, refresh_ttl_micros(&state)).await?;
    let principal = session::authenticate_id(&state.db, session.id).await?;
    let set = PermissionSet::load(&state.db, &principal).await?;
    Ok(Reply::ok(
        "登录成功",
        LoginOut {
            token,
            refresh_token,
            token_type: "Bearer",
            expires_in: access_ttl_secs(&state),
            user: LoginUserOut {
                id: user.id,
                username: user.username.clone(),
                real_name: user.display_name.clone(),
                avatar: user.avatar.clone(),
                roles: principal.roles.clone(),
                permissions: permission_codes(&set),
            },
        },
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaptchaOut {
    captcha_key: String,
    image: String,
}

/// `GET /auth/captcha` — served whether or not captchas are required, so a front end that
/// always shows one keeps working; login checks it only when `captcha_enabled`.
pub async fn captcha(State(state): State<AppState>) -> ApiResult<Reply<CaptchaOut>> {
    let c = captcha::create(&state.db).await?;
    Ok(Reply::ok(
        "获取成功",
        CaptchaOut {
            captcha_key: c.key,
            image: c.image,
        },
    ))
}

#[derive(Deserialize)]
pub struct RefreshIn {
    refresh_token: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RefreshOut {
    token: String,
    refresh_token: String,
    token_type: &'static str,
    expires_in: i64,
}

/// `POST /auth/refresh` — spends the refresh token and answers a new pair; a spent token
/// used again ends the session (replay detection).
pub async fn refresh(
    State(state): State<AppState>,
    Json(body): Json<RefreshIn>,
) -> ApiResult<Reply<RefreshOut>> {
    let mut v = Violations::new();
    let presented = required(&mut v, "refresh_token", &body.refresh_token).map(str::to_owned);
    v.into_result()?;
    let presented = presented.unwrap_or_default();
    let (principal, refresh_token) =
        refresh::rotate(&state.db, &presented, refresh_ttl_micros(&state)).await?;
    if principal.session.kind != SessionKind::Admin.as_str() {
        return Err(Error::Unauthenticated.into());
    }
    let token = jwt::issue(
        &state.jwt_secret,
        principal.user.id,
        principal.session.id,
        ACCESS,
        access_ttl_secs(&state),
    )?;
    Ok(Reply::ok(
        "刷新成功",
        RefreshOut {
            token,
            refresh_token,
            token_type: "Bearer",
            expires_in: access_ttl_secs(&state),
        },
    ))
}

/// `POST /auth/logout` — ends this login's session (its access and refresh tokens).
pub async fn logout(State(state): State<AppState>, Auth(me): Auth) -> ApiResult<Reply<()>> {
    session::revoke(&state.db, me.session.id).await?;
    Ok(Reply::done("退出成功"))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CurrentUserOut {
    id: i64,
    username: String,
    real_name: String,
    avatar: Option<String>,
    email: Option<String>,
    roles: Vec<String>,
    permissions: Vec<String>,
    last_login_at: Option<String>,
    last_login_ip: Option<String>,
}

fn current_user_out(
    state: &AppState,
    user: &User,
    me: &Principal,
    set: &PermissionSet,
) -> CurrentUserOut {
    CurrentUserOut {
        id: user.id,
        username: user.username.clone(),
        real_name: user.display_name.clone(),
        avatar: user.avatar.clone(),
        email: user.email.clone(),
        roles: me.roles.clone(),
        permissions: permission_codes(set),
        last_login_at: user.last_login_at.map(|t| local_seconds(t, state.tz)),
        last_login_ip: user.last_login_ip.clone(),
    }
}

/// `GET /auth/user`
pub async fn current_user(
    State(state): State<AppState>,
    Auth(me): Auth,
) -> ApiResult<Reply<CurrentUserOut>> {
    let set = PermissionSet::load(&state.db, &me).await?;
    Ok(Reply::ok(
        "获取成功",
        current_user_out(&state, &me.user, &me, &set),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MenuOut {
    id: i64,
    name: String,
    code: Option<String>,
    path: Option<String>,
    icon: Option<String>,
    sort_order: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    children: Vec<MenuOut>,
}

impl From<PermissionNode> for MenuOut {
    fn from(n: PermissionNode) -> Self {
        let p = n.permission;
        MenuOut {
            id: p.id,
            name: p.name,
            code: p.code,
            path: p.path,
            icon: p.icon,
            sort_order: p.sort_order,
            children: n.children.into_iter().map(MenuOut::from).collect(),
        }
    }
}

/// `GET /auth/menus` — the menus the user may see, nested and sorted (see
/// [`access::menus_of`] for the visibility rule).
pub async fn menus(
    State(state): State<AppState>,
    Auth(me): Auth,
) -> ApiResult<Reply<Vec<MenuOut>>> {
    let menus = access::menus_of(&state.db, &me).await?;
    Ok(Reply::ok(
        "获取成功",
        menus.into_iter().map(MenuOut::from).collect(),
    ))
}
