//! Internal errors are logged once, at the edge, inside the request's span; the response
//! body stays generic. Renderers attach the error to the response extensions.

use std::sync::Arc;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// An internal error's description, carried from the renderer to [`log`].
#[derive(Debug, Clone)]
pub struct InternalError(pub Arc<String>);

impl InternalError {
    pub fn new(err: &anyhow::Error) -> Self {
        Self(Arc::new(format!("{err:#}")))
    }
}

pub async fn log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    if let Some(err) = response.extensions().get::<InternalError>() {
        tracing::error!(%method, %path, status = response.status().as_u16(), error = %err.0, "request failed");
    }
    response
}
