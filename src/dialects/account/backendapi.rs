//! `/backendapi/` — back-end API patterns (document data dictionary `backendapi`).

use serde::Serialize;
use serde_json::Value;

use super::form::{Form, Mode, Text};
use super::viewset::Resource;
use crate::db::Db;
use crate::domain::access::api_rules::{
    self, APP_NAME_MAX, BackendApi, BackendApiPatch, COMMENT_MAX, NAME_MAX, NewBackendApi,
    PATTERN_MAX,
};
use crate::domain::paging::Page;
use crate::error::Error;

#[derive(Serialize)]
pub struct BackendApiOut {
    id: i64,
    name: Option<String>,
    pattern: String,
    app_name: Option<String>,
    comment: Option<String>,
}

impl From<BackendApi> for BackendApiOut {
    fn from(a: BackendApi) -> Self {
        Self {
            id: a.id,
            name: a.name,
            pattern: a.pattern,
            app_name: a.app_name,
            comment: a.comment,
        }
    }
}

/// Reads a body; in full mode `pattern` is required. The regex itself is checked by the
/// domain.
fn read(value: Value, mode: Mode) -> Result<BackendApiPatch, Error> {
    let mut f = Form::new(value, mode)?;
    let patch = BackendApiPatch {
        name: f.text("name", Text::optional(NAME_MAX).nullable()),
        pattern: f
            .text(
                "pattern",
                Text {
                    trim: false,
                    ..Text::required(PATTERN_MAX)
                },
            )
            .flatten(),
        app_name: f.text("app_name", Text::optional(APP_NAME_MAX).nullable()),
        comment: f.text("comment", Text::optional(COMMENT_MAX).nullable()),
    };
    // Checked here as well as in the domain so one answer lists every bad field.
    if let Some(Err(Error::Invalid(fields))) =
        patch.pattern.as_deref().map(api_rules::validate_pattern)
    {
        for e in fields {
            f.fail(&e.field, e.problem);
        }
    }
    f.finish()?;
    Ok(patch)
}

/// `/backendapi/`: every route is the shared viewset's.
pub struct BackendApis;

impl Resource for BackendApis {
    type Item = BackendApi;
    type Out = BackendApiOut;
    type Input = BackendApiPatch;

    fn read(body: Value, mode: Mode) -> Result<BackendApiPatch, Error> {
        read(body, mode)
    }

    async fn list(db: &Db, page: Option<Page>) -> crate::error::Result<(Vec<BackendApi>, i64)> {
        api_rules::list_apis(db, page).await
    }

    async fn get(db: &Db, id: i64) -> crate::error::Result<BackendApi> {
        api_rules::get_api(db, id).await
    }

    async fn create(
        db: &Db,
        inputs: Vec<BackendApiPatch>,
    ) -> crate::error::Result<Vec<BackendApi>> {
        let news = inputs
            .into_iter()
            .map(|p| NewBackendApi {
                name: p.name.flatten(),
                pattern: p.pattern.unwrap_or_default(),
                app_name: p.app_name.flatten(),
                comment: p.comment.flatten(),
            })
            .collect();
        api_rules::create_apis(db, news).await
    }

    async fn update(db: &Db, id: i64, patch: BackendApiPatch) -> crate::error::Result<BackendApi> {
        api_rules::update_api(db, id, patch).await
    }

    /// The permissions on a pattern go with it.
    async fn delete(db: &Db, ids: &[i64]) -> crate::error::Result<()> {
        api_rules::delete_apis(db, ids).await
    }
}
