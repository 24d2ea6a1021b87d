//! `/group/` — groups, which are the roles of every other dialect (document "/group/").

use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::extract::{Auth, Body, Ids, Pk, id_list};
use super::form::{self, Form, Mode, Text};
use super::page::Listing;
use super::reply::{Done, NoContent, created_answer};
use crate::domain::access::grants::{self, Group};
use crate::domain::accounts::holdings;
use crate::error::{Error, Problem, Violations};
use crate::state::AppState;

#[derive(Serialize)]
pub struct GroupOut {
    id: i64,
    name: String,
    /// Ids of the permissions the group holds.
    permissions: Vec<i64>,
    /// Ids of the group's members.
    users: Vec<i64>,
}

impl From<Group> for GroupOut {
    fn from(g: Group) -> Self {
        Self {
            id: g.role.id,
            name: g.role.name,
            permissions: g.permission_ids,
            users: g.user_ids,
        }
    }
}

struct GroupIn {
    name: Option<String>,
    permissions: Option<Vec<i64>>,
}

fn read(value: Value, mode: Mode) -> Result<GroupIn, Error> {
    let mut f = Form::new(value, mode)?;
    let input = GroupIn {
        name: f.text("name", Text::required(150)).flatten(),
        permissions: f.ids("permissions"),
    };
    f.finish()?;
    Ok(input)
}

/// `GET /group/`
pub async fn list(State(state): State<AppState>, listing: Listing) -> ApiResult<Response> {
    let (groups, total) = grants::list_groups(&state.db, listing.window()).await?;
    listing.respond(groups.into_iter().map(GroupOut::from).collect(), total)
}

/// `GET /group/<pk>/`
pub async fn retrieve(State(state): State<AppState>, Pk(id): Pk) -> ApiResult<impl IntoResponse> {
    Ok(Done(GroupOut::from(
        grants::get_group(&state.db, id).await?,
    )))
}

/// `POST /group/` — an object, or an array created all together or not at all.
pub async fn create(State(state): State<AppState>, Body(body): Body) -> ApiResult<Response> {
    let (inputs, batch) = form::read_all(body, |v| read(v, Mode::Full))?;
    let n = inputs.len();
    let items = inputs
        .into_iter()
        .map(|i| {
            (
                i.name.unwrap_or_default(),
                i.permissions.unwrap_or_default(),
            )
        })
        .collect();
    let created = grants::create_groups(&state.db, items)
        .await
        .map_err(|e| ApiError::for_create(e, batch, n))?;
    let out: Vec<GroupOut> = created.into_iter().map(Into::into).collect();
    Ok(created_answer(out, batch))
}

async fn update(state: &AppState, id: i64, body: Value, mode: Mode) -> ApiResult<Response> {
    let i = read(body, mode)?;
    let group = grants::update_group(&state.db, id, i.name, i.permissions).await?;
    Ok(Done(GroupOut::from(group)).into_response())
}

/// `PUT /group/<pk>/`
pub async fn replace(
    State(state): State<AppState>,
    Pk(id): Pk,
    Body(body): Body,
) -> ApiResult<Response> {
    update(&state, id, body, Mode::Full).await
}

/// `PATCH /group/<pk>/`
pub async fn patch(
    State(state): State<AppState>,
    Pk(id): Pk,
    Body(body): Body,
) -> ApiResult<Response> {
    update(&state, id, body, Mode::Partial).await
}

/// `DELETE /group/<pk>/` — refused while the group has members or is built in.
pub async fn destroy(State(state): State<AppState>, Pk(id): Pk) -> ApiResult<NoContent> {
    grants::delete_groups(&state.db, &[id]).await?;
    Ok(NoContent)
}

/// `DELETE /group/multiple_delete/?ids=1,2,3` — all or nothing.
pub async fn delete_many(State(state): State<AppState>, Ids(ids): Ids) -> ApiResult<NoContent> {
    grants::delete_groups(&state.db, &ids).await?;
    Ok(NoContent)
}

/// `?user_ids=` and `?perm_ids=`: at least one, every id numeric.
fn member_query(uri: &Uri) -> Result<(Vec<i64>, Vec<i64>), Error> {
    let mut v = Violations::new();
    let users = v.check(id_list(uri.query(), "user_ids"))?.flatten();
    let perms = v.check(id_list(uri.query(), "perm_ids"))?.flatten();
    v.into_result()?;
    if users.is_none() && perms.is_none() {
        return Err(Error::invalid(
            "non_field_errors",
            Problem::RequiredOneOf {
                fields: &["user_ids", "perm_ids"],
            },
        ));
    }
    Ok((users.unwrap_or_default(), perms.unwrap_or_default()))
}

/// `POST /group/<pk>/permission/?user_ids=..&perm_ids=..` — adds members and permissions.
pub async fn add(
    State(state): State<AppState>,
    Auth(me): Auth,
    Pk(id): Pk,
    uri: Uri,
) -> ApiResult<impl IntoResponse> {
    let (users, perms) = member_query(&uri)?;
    let group = holdings::change_group(&state.db, &me, id, true, &users, &perms).await?;
    Ok(Done(GroupOut::from(group)))
}

/// `DELETE /group/<pk>/permission/?user_ids=..&perm_ids=..` — removes them.
pub async fn remove(
    State(state): State<AppState>,
    Auth(me): Auth,
    Pk(id): Pk,
    uri: Uri,
) -> ApiResult<impl IntoResponse> {
    let (users, perms) = member_query(&uri)?;
    let group = holdings::change_group(&state.db, &me, id, false, &users, &perms).await?;
    Ok(Done(GroupOut::from(group)))
}
