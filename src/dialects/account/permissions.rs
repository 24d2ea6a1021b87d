//! `/permission/` — API permissions: an HTTP method on a back-end API pattern (document data
//! dictionary `permission`).

use serde::Serialize;
use serde_json::Value;

use super::form::{Form, Mode, Text};
use super::viewset::Resource;
use crate::db::Db;
use crate::domain::access::api_rules::{self, ApiPermission, ApiPermissionPatch, NewApiPermission};
use crate::domain::paging::Page;
use crate::error::Error;

#[derive(Serialize)]
pub struct PermissionOut {
    id: i64,
    method: String,
    api_id: i64,
}

impl From<ApiPermission> for PermissionOut {
    fn from(p: ApiPermission) -> Self {
        Self {
            id: p.id,
            method: p.method,
            api_id: p.api_id,
        }
    }
}

/// Reads a body; `api` is accepted for `api_id` (the Django field's name).
fn read(value: Value, mode: Mode) -> Result<ApiPermissionPatch, Error> {
    let mut value = value;
    if let Value::Object(map) = &mut value
        && !map.contains_key("api_id")
        && let Some(api) = map.remove("api")
    {
        map.insert("api_id".to_owned(), api);
    }
    let mut f = Form::new(value, mode)?;
    let patch = ApiPermissionPatch {
        method: f.text("method", Text::required(10)).flatten(),
        api_id: f.integer("api_id", true),
    };
    f.finish()?;
    Ok(patch)
}

/// `/permission/`: every route is the shared viewset's.
pub struct ApiPermissions;

impl Resource for ApiPermissions {
    type Item = ApiPermission;
    type Out = PermissionOut;
    type Input = ApiPermissionPatch;

    fn read(body: Value, mode: Mode) -> Result<ApiPermissionPatch, Error> {
        read(body, mode)
    }

    async fn list(db: &Db, page: Option<Page>) -> crate::error::Result<(Vec<ApiPermission>, i64)> {
        api_rules::list_permissions(db, page).await
    }

    async fn get(db: &Db, id: i64) -> crate::error::Result<ApiPermission> {
        api_rules::get_permission(db, id).await
    }

    async fn create(
        db: &Db,
        inputs: Vec<ApiPermissionPatch>,
    ) -> crate::error::Result<Vec<ApiPermission>> {
        let news = inputs
            .into_iter()
            .map(|p| NewApiPermission {
                method: p.method.unwrap_or_default(),
                api_id: p.api_id.unwrap_or_default(),
            })
            .collect();
        api_rules::create_permissions(db, news).await
    }

    async fn update(
        db: &Db,
        id: i64,
        patch: ApiPermissionPatch,
    ) -> crate::error::Result<ApiPermission> {
        api_rules::update_permission(db, id, patch).await
    }

    async fn delete(db: &Db, ids: &[i64]) -> crate::error::Result<()> {
        api_rules::delete_permissions(db, ids).await
    }
}
