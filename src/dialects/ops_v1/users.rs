//! `/users/*` — OPS manual "用户管理".

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult};
use super::extract::{Auth, COOKIE, Json};
use super::reply::Reply;
use crate::db::time::rfc3339;
use crate::domain::identity::{
    self, Gender, LoginName, LoginRequest, NewUser, SessionKind, User, UserPatch, reset, session,
    validate,
};
use crate::domain::platform::mail::MailText;
use crate::error::{Entity, Error, Format, Problem, Violations};
use crate::http::client::Client;
use crate::http::token::session_cookie;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct RegisterIn {
    name: String,
    password: String,
    password_confirm: String,
    #[serde(default)]
    email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RegisterOut {
    user_id: i64,
    name: String,
    email: Option<String>,
}

/// `POST /users/register`
pub async fn register(
    State(state): State<AppState>,
    Json(body): Json<RegisterIn>,
) -> ApiResult<Response> {
    // The manual's own rules for a login name: 3–50 characters.
    let mut v = Violations::new();
    let len = body.name.chars().count();
    if !(3..=50).contains(&len) {
        v.add("name", Problem::Length { min: 3, max: 50 });
    }
    v.check(validate::username("name", &body.name))?;
    v.check(validate::password("password", &body.password))?;
    if body.password != body.password_confirm {
        v.add("password_confirm", Problem::Mismatch);
    }
    let email = body.email.filter(|e| !e.trim().is_empty());
    if let Some(e) = &email {
        v.check(validate::email("email", e))?;
    }
    v.into_result()?;
    let mut new = NewUser::new(body.name, body.password);
    new.email = email;
    let user = match crate::domain::accounts::register(&state.db, new, state.create_policy()).await
    {
        Ok(user) => user,
        // Still the manual's -6, but saying why rather than 权限不足.
        Err(Error::Forbidden) => return Ok(super::error::registration_closed()),
        Err(e) => return Err(rename_fields(e).into()),
    };
    Ok(Reply(
        "注册成功",
        RegisterOut {
            user_id: user.id,
            name: user.username,
            email: user.email,
        },
    )
    .into_response())
}

/// The domain names the login field `username`; this dialect calls it `name`.
fn rename_fields(err: Error) -> Error {
    match err {
        Error::Invalid(mut fields) => {
            for f in &mut fields {
                if f.field == "username" {
                    f.field = "name".to_owned();
                }
            }
            Error::Invalid(fields)
        }
        other => other,
    }
}

#[derive(Deserialize, ToSchema)]
pub struct LoginIn {
    name: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginOut {
    user_id: i64,
    name: String,
    cookie_value: String,
    expires_at: String,
}

/// `POST /users/login`
pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    Json(body): Json<LoginIn>,
) -> ApiResult<impl IntoResponse> {
    let settings = state.settings().await?;
    let ttl = settings.session_ttl_hours * 3_600_000_000;
    let result = identity::login(
        &state.db,
        state.throttle_policy(&settings),
        LoginRequest {
            login: &body.name,
            password: &body.password,
            name_kind: LoginName::UsernameOrEmail,
            session_kind: SessionKind::Ops,
            ttl_micros: ttl,
            client: &client,
        },
    )
    .await;
    let (user, session, token) = match result {
        // One answer for an unknown name and a wrong password.
        Err(Error::NotFound(Entity::User)) => return Err(Error::BadCredentials.into()),
        other => other?,
    };
    let cookie = session_cookie(
        COOKIE,
        &token,
        settings.session_ttl_hours * 3600,
        state.config.server.tls_enable,
    );
    Ok((
        AppendHeaders([(SET_COOKIE, cookie)]),
        Reply(
            "登录成功",
            LoginOut {
                user_id: user.id,
                name: user.username,
                cookie_value: token,
                expires_at: rfc3339(session.expires_at),
            },
        ),
    ))
}

/// `POST /users/logout` — ends this session only.
pub async fn logout(State(state): State<AppState>, Auth(me): Auth) -> ApiResult<impl IntoResponse> {
    session::revoke(&state.db, me.session.id).await?;
    let cookie = session_cookie(COOKIE, "", 0, state.config.server.tls_enable);
    Ok((
        AppendHeaders([(SET_COOKIE, cookie)]),
        Reply("登出成功", Value::Null),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ProfileOut {
    user_id: i64,
    name: String,
    email: Option<String>,
    avatar: Option<String>,
    gender: &'static str,
    language: Option<String>,
    created_at: String,
    last_login: Option<String>,
}

impl From<User> for ProfileOut {
    fn from(u: User) -> Self {
        Self {
            user_id: u.id,
            name: u.username,
            email: u.email,
            avatar: u.avatar,
            gender: u.gender.as_str(),
            language: u.language,
            created_at: rfc3339(u.created_at),
            last_login: u.last_login_at.map(rfc3339),
        }
    }
}

/// `GET /users/profile`
pub async fn profile(Auth(me): Auth) -> ApiResult<impl IntoResponse> {
    Ok(Reply("Success", ProfileOut::from(me.user)))
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileIn {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    avatar_hash: Option<String>,
    #[serde(default)]
    gender: Option<String>,
    #[serde(default)]
    language: Option<String>,
}

/// `PUT /users/profile` — partial: absent fields stay; an empty `email` clears it.
pub async fn update_profile(
    State(state): State<AppState>,
    Auth(me): Auth,
    Json(body): Json<ProfileIn>,
) -> ApiResult<impl IntoResponse> {
    let mut v = Violations::new();
    let mut patch = UserPatch {
        email: body.email.map(Some),
        ..UserPatch::default()
    };
    if let Some(g) = body.gender {
        match Gender::parse(&g) {
            Some(g) => patch.gender = Some(g),
            None => v.add(
                "gender",
                Problem::NotOneOf {
                    allowed: &["male", "female", "other", "unknown"],
                    got: None,
                },
            ),
        }
    }
    if let Some(lang) = body.language {
        v.check(validate::text("language", &lang, 20))?;
        patch.language = Some(Some(lang));
    }
    if let Some(hash) = body.avatar_hash {
        if hash.is_empty() {
            patch.avatar = Some(None);
        } else if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            let prefix = &state.config.dialects.ops_v1.prefix;
            patch.avatar = Some(Some(format!(
                "{prefix}/files/get/{}",
                hash.to_ascii_lowercase()
            )));
        } else {
            v.add("avatar_hash", Problem::BadFormat(Format::Sha256Hex));
        }
    }
    v.into_result()?;
    let user = crate::domain::accounts::manage::update_profile(
        &state.db, &me, me.user.id, patch, None, None,
    )
    .await?;
    Ok(Reply("更新成功", ProfileOut::from(user)))
}

#[derive(Deserialize, ToSchema)]
pub struct ForgotIn {
    email: String,
}

/// The reset mail, in Chinese and English (the ops system's users read both).
fn reset_mail(link: &str, ttl_minutes: i64) -> MailText {
    MailText {
        subject: "密码重置 / Password reset".to_owned(),
        body: format!(
            "请在{ttl_minutes}分钟内打开以下链接重置密码:\n{link}\n\n\
             Open this link within {ttl_minutes} minutes to reset your password.\n"
        ),
    }
}

/// `POST /users/forgot-password` — always the same answer, whether or not the address is known.
pub async fn forgot_password(
    State(state): State<AppState>,
    Json(body): Json<ForgotIn>,
) -> ApiResult<impl IntoResponse> {
    let email = body.email.trim().to_owned();
    validate::email("email", &email)?;
    let ttl = state.config.security.password_reset_ttl_minutes;
    if let Some((user, token)) = reset::request(&state.db, &email, ttl).await? {
        let mailer = state.mailer.clone();
        let to = user.email.unwrap_or(email);
        // Sent in the background: the answer's timing must not reveal whether the account exists.
        tokio::spawn(async move {
            mailer
                .send_password_reset(&to, &token, |link| reset_mail(link, ttl))
                .await
        });
    }
    Ok(Reply("重置邮件已发送", Value::Null))
}

#[derive(Deserialize, ToSchema)]
pub struct ResetIn {
    token: String,
    new_password: String,
    new_password_confirm: String,
}

/// `POST /users/reset-password`
pub async fn reset_password(
    State(state): State<AppState>,
    Json(body): Json<ResetIn>,
) -> ApiResult<impl IntoResponse> {
    if body.new_password != body.new_password_confirm {
        return Err(ApiError(Error::invalid(
            "new_password_confirm",
            Problem::Mismatch,
        )));
    }
    reset::complete(&state.db, &body.token, &body.new_password).await?;
    Ok(Reply("密码重置成功", Value::Null))
}
