//! Serving a dialect's document (`<prefix>/openapi.json`) and its Swagger UI page
//! (`<prefix>/docs`) from the assets compiled into the binary (no CDN: the page works offline).
//!
//! These two routes are about the dialect, not part of it: they are merged after the
//! dialect's route guard (public, like the document's own `servers`), and they are not in the
//! route table or the document.

use std::sync::Arc;

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

/// The routes serving `document` for a dialect mounted at `prefix`.
pub fn router<S: Clone + Send + Sync + 'static>(prefix: &str, document: Value) -> Router<S> {
    let json = Arc::new(serde_json::to_vec(&document).unwrap_or_default());
    let url = format!("{prefix}/openapi.json");
    let base = format!("{prefix}/docs/");
    let config = Arc::new(utoipa_swagger_ui::Config::new([url]));
    let page_config = config.clone();
    Router::new()
        .route(
            "/openapi.json",
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        (*json).clone(),
                    )
                }
            }),
        )
        .route(
            "/docs",
            get(move || {
                let config = page_config.clone();
                let base = base.clone();
                async move { index(&base, config) }
            }),
        )
        .route(
            "/docs/{file}",
            get(move |Path(file): Path<String>| {
                let config = config.clone();
                async move { asset(&file, config) }
            }),
        )
}

/// Swagger UI's index page with a `<base>` so that its relative asset links resolve under
/// `/docs/` (the server trims trailing slashes, so the page itself is served at `/docs`).
fn index(base: &str, config: Arc<utoipa_swagger_ui::Config<'static>>) -> Response {
    match utoipa_swagger_ui::serve("index.html", config) {
        Ok(Some(file)) => {
            let html = String::from_utf8_lossy(&file.bytes).replacen(
                "<head>",
                &format!("<head><base href=\"{base}\">"),
                1,
            );
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn asset(file: &str, config: Arc<utoipa_swagger_ui::Config<'static>>) -> Response {
    match utoipa_swagger_ui::serve(file, config) {
        Ok(Some(file)) => (
            [(header::CONTENT_TYPE, file.content_type)],
            file.bytes.into_owned(),
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
