//! `/login/` and `/logout/` — document "接口使用说明", first two routes.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse};
use serde::Serialize;

use super::error::{ApiError, ApiResult};
use super::extract::{Body, COOKIE, find_token};
use super::form::{Form, Mode, Text};
use super::reply::{self, NoContent};
use crate::domain::identity::{self, LoginName, LoginRequest, SessionKind, session, validate};
use crate::error::{Error, Problem};
use crate::http::client::Client;
use crate::http::token::session_cookie;
use crate::state::AppState;

#[derive(Serialize)]
pub struct LoginOut {
    token: String,
}

/// `POST /login/` — `{username, password}`; sets the `sessionid` cookie and answers the same
/// token in `data.token` for clients without cookies.
pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    Body(body): Body,
) -> ApiResult<impl IntoResponse> {
    let mut form = Form::new(body, Mode::Full)?;
    let username = form.text("username", Text::required(validate::USERNAME_MAX));
    let password = form.text(
        "password",
        Text {
            trim: false,
            ..Text::required(validate::PASSWORD_MAX)
        },
    );
    form.finish()?;
    let (Some(Some(username)), Some(Some(password))) = (username, password) else {
        return Err(Error::invalid("username", Problem::Required).into());
    };
    let settings = state.settings().await?;
    let ttl_secs = settings.session_ttl_hours * 3600;
    let result = identity::login(
        &state.db,
        state.throttle_policy(&settings),
        LoginRequest {
            login: &username,
            password: &password,
            name_kind: LoginName::Username,
            session_kind: SessionKind::Account,
            ttl_micros: ttl_secs * 1_000_000,
            client: &client,
        },
    )
    .await;
    let (_, _, token) = match result {
        // One answer for an unknown name, a wrong password and a disabled account, as
        // Django's `authenticate`.
        Err(Error::NotFound(_) | Error::BadCredentials | Error::UserDisabled) => {
            return Err(ApiError::LoginFailed);
        }
        other => other?,
    };
    let cookie = session_cookie(COOKIE, &token, ttl_secs, state.config.server.tls_enable);
    Ok((
        AppendHeaders([(SET_COOKIE, cookie)]),
        reply::envelope(
            axum::http::StatusCode::OK,
            LoginOut { token },
            "Login Successful.",
        ),
    ))
}

/// `GET /logout/` — ends the caller's session (when there is one) and clears the cookie.
/// Like Django's logout it succeeds without a session too.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<impl IntoResponse> {
    if let Some(token) = find_token(&headers)
        && let Ok(principal) = session::authenticate(&state.db, &token).await
    {
        session::revoke(&state.db, principal.session.id).await?;
    }
    let cookie = session_cookie(COOKIE, "", 0, state.config.server.tls_enable);
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), NoContent))
}
