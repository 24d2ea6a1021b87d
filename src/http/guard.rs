//! The route guard every dialect mounts: it looks the matched route up in the dialect's route
//! table, resolves the caller when the route needs one, and asks the one decision
//! ([`crate::domain::access::authorize`]) before the handler runs and before its body is read.
//! The dialect ([`Dialect`]) resolves the caller and renders every refusal in its words.

use axum::extract::{MatchedPath, NestedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::domain::access::authorize::{self, Decision, RequestFacts, Requirement};
use crate::domain::access::routes::{RouteRule, lookup};
use crate::error::Error;
use crate::http::extract::{Dialect, caller};
use crate::state::AppState;

/// A dialect's route table and how its guard answers around it.
pub struct Table<A: 'static> {
    pub routes: &'static [RouteRule<A>],
    /// This request's requirement for a declared access (an access kind may depend on the
    /// configuration).
    pub resolve: fn(&A, &AppState) -> Requirement,
}

/// The matched route's path relative to the dialect's mount point.
fn routed_path(req: &Request) -> Option<String> {
    let matched = req.extensions().get::<MatchedPath>()?.as_str();
    let nested = req
        .extensions()
        .get::<NestedPath>()
        .map_or("", |n| n.as_str());
    let relative = matched.strip_prefix(nested).unwrap_or(matched);
    Some(if relative.is_empty() { "/" } else { relative }.to_owned())
}

/// Enforces `table` on `req`. The caller, when the route needs one, is resolved by `D` and left
/// in the request extensions (for the handler's [`crate::http::extract::Auth`]); every refusal
/// is `D`'s answer.
pub async fn enforce<D: Dialect, A>(
    table: &Table<A>,
    state: &AppState,
    req: Request,
    next: Next,
) -> Response {
    let refuse = |e: Error| D::Rejection::from(e).into_response();
    // The guard is a route layer: it only sees methods that have a handler (the router
    // answers the others), so anything it cannot find is a route someone forgot to declare.
    let declared =
        routed_path(&req).and_then(|path| lookup(table.routes, req.method().as_str(), &path));
    let Some(access) = declared else {
        return refuse(Error::Forbidden);
    };
    let requirement = (table.resolve)(access, state);
    let (mut parts, body) = req.into_parts();
    let mut principal = None;
    if requirement.needs_caller() {
        match caller::<D>(&mut parts, state).await {
            Ok(p) => principal = Some(p),
            Err(rejection) => return rejection.into_response(),
        }
    }
    let original = parts
        .extensions
        .get::<crate::http::path::OriginalPath>()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.0.clone());
    let facts = RequestFacts {
        method: parts.method.as_str(),
        original_path: &original,
    };
    match authorize::authorize(&state.db, principal.as_ref(), requirement, &facts).await {
        Ok(Decision::Allow) => next.run(Request::from_parts(parts, body)).await,
        Ok(Decision::Unauthenticated) => refuse(Error::Unauthenticated),
        Ok(Decision::Forbidden) => refuse(Error::Forbidden),
        Err(e) => refuse(e),
    }
}
