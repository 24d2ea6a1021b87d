//! `/user/` — users (document "/user/" and data dictionary `ksuser`).

use std::sync::LazyLock;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use regex::Regex;
use serde::Serialize;
use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::extract::{Auth, Body, Ids, Pk};
use super::form::{self, Form, Mode, Text};
use super::page::Listing;
use super::reply::{Done, NoContent, created_answer};
use crate::db::time::local_micros;
use crate::domain::accounts::holdings::{self, AccountPatch, Grants, Holdings};
use crate::domain::identity::directory::{self, UserFilter};
use crate::domain::identity::{Gender, NewUser, User, UserPatch, validate};
use crate::error::{Error, Format, Problem};
use crate::state::AppState;

/// Django's username rule.
static USERNAME: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::unwrap_used, reason = "constant pattern")]
    Regex::new(r"^[\w.@+-]+$").unwrap()
});

/// What `gender` accepts.
const GENDERS: &[&str] = &["unknown", "male", "female", "other"];

/// A user as the document shows it; `password` is never included.
#[derive(Serialize)]
pub struct UserOut {
    id: i64,
    last_login: Option<String>,
    is_superuser: bool,
    username: String,
    first_name: String,
    last_name: String,
    email: String,
    is_staff: bool,
    is_active: bool,
    date_joined: String,
    gender: &'static str,
    phone: Option<String>,
    dingding: Option<String>,
    user_permissions: Vec<i64>,
    permissions: Vec<i64>,
    groups: Vec<i64>,
}

impl UserOut {
    fn new(u: User, h: Holdings, tz: chrono_tz::Tz) -> Self {
        Self {
            id: u.id,
            last_login: u.last_login_at.map(|t| local_micros(t, tz)),
            is_superuser: h.is_superuser(),
            username: u.username,
            first_name: u.first_name,
            last_name: u.last_name,
            email: u.email.unwrap_or_default(),
            // Django's createsuperuser makes superusers staff too.
            is_staff: h.is_staff() || h.is_superuser(),
            is_active: u.is_active,
            date_joined: local_micros(u.created_at, tz),
            gender: u.gender.as_str(),
            phone: u.phone,
            dingding: u.dingding,
            // Direct grants; Django's own name for them and this system's are the same list.
            user_permissions: h.permission_ids.clone(),
            permissions: h.permission_ids,
            groups: h.role_ids,
        }
    }
}

/// The output of users with their holdings.
async fn render(state: &AppState, users: Vec<User>) -> Result<Vec<UserOut>, Error> {
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let mut holdings = holdings::of_users(&state.db, &ids).await?;
    Ok(users
        .into_iter()
        .map(|u| {
            let h = holdings.remove(&u.id).unwrap_or_default();
            UserOut::new(u, h, state.tz)
        })
        .collect())
}

async fn render_one(state: &AppState, user: User) -> Result<UserOut, Error> {
    let mut out = render(state, vec![user]).await?;
    out.pop()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("rendered no user")))
}

/// A user body read field by field: `None` means absent.
#[derive(Default)]
struct UserIn {
    username: Option<String>,
    password: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    gender: Option<Gender>,
    phone: Option<Option<String>>,
    dingding: Option<Option<String>>,
    is_active: Option<bool>,
    grants: Grants,
}

/// Reads a body. `password` is required on create only.
fn read(value: Value, mode: Mode, creating: bool) -> Result<UserIn, Error> {
    let mut f = Form::new(value, mode)?;
    let username = f
        .text("username", Text::required(validate::USERNAME_MAX))
        .flatten();
    if let Some(name) = &username
        && !USERNAME.is_match(name)
    {
        f.fail("username", Problem::BadFormat(Format::Username));
    }
    let password = f
        .text(
            "password",
            Text {
                required: creating,
                trim: false,
                min: validate::PASSWORD_MIN,
                ..Text::required(validate::PASSWORD_MAX)
            },
        )
        .flatten();
    let first_name = f.text("first_name", Text::optional(30)).flatten();
    let last_name = f.text("last_name", Text::optional(150)).flatten();
    // Django keeps "no email" as ""; null reads the same.
    let email = f
        .text("email", Text::optional(254).nullable())
        .map(Option::unwrap_or_default);
    if let Some(e) = email.as_deref().filter(|e| !e.is_empty()) {
        f.check(validate::email("email", e))?;
    }
    let gender = match f.text("gender", Text::optional(7)).flatten() {
        None => None,
        Some(g) => match Gender::parse(&g) {
            Some(g) => Some(g),
            None => {
                f.fail(
                    "gender",
                    Problem::NotOneOf {
                        allowed: GENDERS,
                        got: Some(g),
                    },
                );
                None
            }
        },
    };
    let phone = f.text("phone", Text::optional(11).nullable());
    if let Some(Some(p)) = &phone
        && !p.is_empty()
    {
        f.check(validate::phone("phone", p))?;
    }
    let dingding = f.text("dingding", Text::optional(32).nullable());
    let input = UserIn {
        username,
        password,
        first_name,
        last_name,
        email,
        gender,
        phone,
        dingding,
        is_active: f.boolean("is_active"),
        grants: Grants {
            groups: f.ids("groups"),
            permissions: f.ids("permissions"),
            superuser: f.boolean("is_superuser"),
            staff: f.boolean("is_staff"),
        },
    };
    f.finish()?;
    Ok(input)
}

/// `GET /user/`
pub async fn list(State(state): State<AppState>, listing: Listing) -> ApiResult<Response> {
    let (users, total) = directory::list(&state.db, &UserFilter::default(), listing.page()).await?;
    listing.respond(render(&state, users).await?, total)
}

/// `GET /user/<pk>/`
pub async fn retrieve(State(state): State<AppState>, Pk(id): Pk) -> ApiResult<impl IntoResponse> {
    let user = crate::domain::identity::user::get(state.db.pool(), id).await?;
    Ok(Done(render_one(&state, user).await?))
}

/// `POST /user/` — an object, or an array created all together or not at all.
pub async fn create(
    State(state): State<AppState>,
    Auth(me): Auth,
    Body(body): Body,
) -> ApiResult<Response> {
    let (inputs, batch) = form::read_all(body, |v| read(v, Mode::Full, true))?;
    let n = inputs.len();
    let items = inputs
        .into_iter()
        .map(|i| {
            let mut new = NewUser::new(
                i.username.unwrap_or_default(),
                i.password.unwrap_or_default(),
            );
            new.first_name = i.first_name.unwrap_or_default();
            new.last_name = i.last_name.unwrap_or_default();
            new.email = i.email;
            new.gender = i.gender.unwrap_or_default();
            new.phone = i.phone.flatten();
            new.dingding = i.dingding.flatten();
            new.is_active = i.is_active.unwrap_or(true);
            (new, i.grants)
        })
        .collect();
    let created = holdings::create_users(&state.db, &me, items)
        .await
        .map_err(|e| ApiError::for_create(e, batch, n))?;
    let out = render(&state, created).await?;
    Ok(created_answer(out, batch))
}

async fn update(
    state: &AppState,
    me: &crate::domain::identity::Principal,
    id: i64,
    body: Value,
    mode: Mode,
) -> ApiResult<Response> {
    let i = read(body, mode, false)?;
    let patch = AccountPatch {
        user: UserPatch {
            username: i.username,
            email: i.email.map(Some),
            phone: i.phone,
            gender: i.gender,
            dingding: i.dingding,
            ..UserPatch::default()
        },
        first_name: i.first_name,
        last_name: i.last_name,
        password: i.password,
        is_active: i.is_active,
        grants: i.grants,
    };
    let user = holdings::update_user(&state.db, me, id, patch).await?;
    Ok(Done(render_one(state, user).await?).into_response())
}

/// `PUT /user/<pk>/` — `username` required; a `password` changes it and ends the user's
/// sessions.
pub async fn replace(
    State(state): State<AppState>,
    Auth(me): Auth,
    Pk(id): Pk,
    Body(body): Body,
) -> ApiResult<impl IntoResponse> {
    update(&state, &me, id, body, Mode::Full).await
}

/// `PATCH /user/<pk>/` — any subset of the PUT fields; unknown fields are ignored.
pub async fn patch(
    State(state): State<AppState>,
    Auth(me): Auth,
    Pk(id): Pk,
    Body(body): Body,
) -> ApiResult<impl IntoResponse> {
    update(&state, &me, id, body, Mode::Partial).await
}

/// `DELETE /user/<pk>/`
pub async fn destroy(
    State(state): State<AppState>,
    Auth(me): Auth,
    Pk(id): Pk,
) -> ApiResult<NoContent> {
    holdings::delete_users(&state.db, &me, &[id]).await?;
    Ok(NoContent)
}

/// `DELETE /user/multiple_delete/?ids=1,2,3` (also `/usr/multiple_delete/`) — all or nothing.
pub async fn delete_many(
    State(state): State<AppState>,
    Auth(me): Auth,
    Ids(ids): Ids,
) -> ApiResult<NoContent> {
    holdings::delete_users(&state.db, &me, &ids).await?;
    Ok(NoContent)
}
