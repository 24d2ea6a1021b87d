//! `/group/` — groups, which are the roles of every other dialect (document "/group/").

use axum::extract::State;
use axum::http::Uri;
use axum::response::IntoResponse;
use serde::Serialize;
use serde_json::Value;

use super::error::ApiResult;
use super::extract::{Auth, Pk, id_list};
use super::form::{Form, Mode, Text};
use super::reply::Done;
use super::viewset::Resource;
use crate::db::Db;
use crate::domain::access::groups::{self, Group};
use crate::domain::accounts::holdings;
use crate::domain::paging::Page;
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

pub struct GroupIn {
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

/// `/group/`: the shared viewset's routes, plus adding and removing members and permissions.
pub struct Groups;

impl Resource for Groups {
    type Item = Group;
    type Out = GroupOut;
    type Input = GroupIn;

    fn read(body: Value, mode: Mode) -> Result<GroupIn, Error> {
        read(body, mode)
    }

    async fn list(db: &Db, page: Option<Page>) -> crate::error::Result<(Vec<Group>, i64)> {
        groups::list_groups(db, page).await
    }

    async fn get(db: &Db, id: i64) -> crate::error::Result<Group> {
        groups::get_group(db, id).await
    }

    async fn create(db: &Db, inputs: Vec<GroupIn>) -> crate::error::Result<Vec<Group>> {
        let items = inputs
            .into_iter()
            .map(|i| {
                (
                    i.name.unwrap_or_default(),
                    i.permissions.unwrap_or_default(),
                )
            })
            .collect();
        groups::create_groups(db, items).await
    }

    async fn update(db: &Db, id: i64, i: GroupIn) -> crate::error::Result<Group> {
        groups::update_group(db, id, i.name, i.permissions).await
    }

    /// Refused while a group has members or is built in.
    async fn delete(db: &Db, ids: &[i64]) -> crate::error::Result<()> {
        groups::delete_groups(db, ids).await
    }
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
