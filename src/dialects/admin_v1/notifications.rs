//! §13 通知管理: a user's notifications, marking them read, administrators sending them, and
//! (beyond the document) `GET /notifications/stream`, the caller's new notifications and
//! unread count as server-sent events.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::extract::{self, Auth, Id, Json, Query};
use super::reply::{Paged, Reply};
use crate::db::time::local_seconds;
use crate::domain::identity::{SessionKind, session};
use crate::domain::platform::notifications::watch::Watcher;
use crate::domain::platform::notifications::{
    self as notes, Audience, InboxFilter, InboxItem, NewNotification, Notification, inbox,
};
use crate::error::{Problem, Violations};
use crate::http::token;
use crate::state::AppState;

/// One notification as lists and the stream show it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NotificationOut {
    id: i64,
    #[serde(rename = "type")]
    kind: String,
    title: String,
    content: String,
    is_read: i64,
    created_at: String,
    read_at: Option<String>,
}

fn item_out(state: &AppState, n: Notification, read_at: Option<i64>) -> NotificationOut {
    NotificationOut {
        id: n.id,
        kind: n.kind,
        title: n.title,
        content: n.content,
        is_read: i64::from(read_at.is_some()),
        created_at: local_seconds(n.created_at, state.tz),
        read_at: read_at.map(|t| local_seconds(t, state.tz)),
    }
}

#[derive(Deserialize)]
pub struct ListIn {
    page: Option<i64>,
    page_size: Option<i64>,
    #[serde(rename = "type")]
    kind: Option<String>,
    status: Option<String>,
    is_read: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = NotificationListOut)]
pub struct ListOut {
    #[serde(flatten)]
    page: Paged<NotificationOut>,
    unread_count: i64,
}

/// `status` names the caller's read state: `unread`/`read` (or `0`/`1`, as `is_read`).
fn read_state(v: &mut Violations, status: Option<&str>, is_read: Option<i64>) -> Option<bool> {
    let by_flag = match is_read {
        None => None,
        Some(0) => Some(false),
        Some(1) => Some(true),
        Some(_) => {
            v.add("is_read", Problem::OutOfRange { min: 0, max: 1 });
            None
        }
    };
    let by_status = match status.map(str::trim) {
        None => None,
        Some("unread" | "0") => Some(false),
        Some("read" | "1") => Some(true),
        Some(other) => {
            v.add(
                "status",
                Problem::NotOneOf {
                    allowed: &["unread", "read"],
                    got: Some(other.to_owned()),
                },
            );
            None
        }
    };
    if let (Some(a), Some(b)) = (by_flag, by_status)
        && a != b
    {
        v.add("status", Problem::Mismatch);
    }
    by_flag.or(by_status)
}

/// `GET /notifications` — the caller's notifications, newest first, with `unread_count`
/// (all the caller's unread ones, whatever the filters).
pub async fn list(
    State(state): State<AppState>,
    Auth(me): Auth,
    Query(q): Query<ListIn>,
) -> ApiResult<Reply<ListOut>> {
    let mut v = Violations::new();
    let page = extract::page(&mut v, q.page, q.page_size);
    let read = read_state(&mut v, q.status.as_deref(), q.is_read);
    v.into_result()?;
    let filter = InboxFilter {
        kind: q.kind.map(|k| k.trim().to_owned()),
        read,
    };
    let found = inbox::list(&state.db, me.user.id, &filter, page).await?;
    let list = found
        .items
        .into_iter()
        .map(
            |InboxItem {
                 notification,
                 read_at,
             }| item_out(&state, notification, read_at),
        )
        .collect();
    Ok(Reply::ok(
        "获取成功",
        ListOut {
            page: Paged::new(list, page, found.total),
            unread_count: found.unread_count,
        },
    ))
}

/// `POST /notifications/{id}/read` — another user's notification is 10004, like an unknown one.
pub async fn read(
    State(state): State<AppState>,
    Auth(me): Auth,
    Id(id): Id,
) -> ApiResult<Reply<()>> {
    inbox::mark_read(&state.db, me.user.id, id).await?;
    Ok(Reply::done("标记成功"))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReadAllOut {
    /// How many were unread before.
    updated_count: i64,
    unread_count: i64,
}

/// `POST /notifications/read-all` — every notification of the caller.
pub async fn read_all(
    State(state): State<AppState>,
    Auth(me): Auth,
) -> ApiResult<Reply<ReadAllOut>> {
    let updated_count = inbox::mark_all_read(&state.db, me.user.id).await?;
    let unread_count = inbox::unread_count(&state.db, me.user.id).await?;
    Ok(Reply::ok(
        "标记成功",
        ReadAllOut {
            updated_count,
            unread_count,
        },
    ))
}

#[derive(Deserialize)]
pub struct SendIn {
    #[serde(rename = "type")]
    kind: Option<String>,
    title: Option<String>,
    content: Option<String>,
    user_ids: Option<Vec<i64>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SentOut {
    id: i64,
    #[serde(rename = "type")]
    kind: String,
    title: String,
    content: String,
    /// `all` or `users`.
    target: &'static str,
    /// The recipients; `null` for everyone.
    user_ids: Option<Vec<i64>>,
    created_at: String,
}

/// `POST /notifications {type, title, content, user_ids}` — no `user_ids` (or `[]`) sends to
/// everyone. Answers 201.
pub async fn create(
    State(state): State<AppState>,
    Auth(me): Auth,
    Json(body): Json<SendIn>,
) -> ApiResult<Reply<SentOut>> {
    let new = NewNotification::parse(
        body.kind.as_deref(),
        body.title.as_deref(),
        body.content.as_deref(),
        body.user_ids.as_deref(),
        Some(me.user.id),
    )?;
    let sent = notes::send(&state.db, &new).await?;
    let user_ids = match new.audience {
        Audience::Everyone => None,
        Audience::Users(ids) => Some(ids),
    };
    Ok(Reply::created(
        "发送成功",
        SentOut {
            id: sent.id,
            kind: sent.kind,
            title: sent.title,
            content: sent.content,
            target: if user_ids.is_none() { "all" } else { "users" },
            user_ids,
            created_at: local_seconds(sent.created_at, state.tz),
        },
    ))
}

/// How often the stream reads the database, and how often it re-checks the login.
const POLL: Duration = Duration::from_secs(1);
const RECHECK_POLLS: u32 = 15;
/// A stream ends after this long and the client reconnects (`retry`, `Last-Event-ID`), so a
/// graceful shutdown, which waits for responses in flight, waits at most this long.
const LIFETIME: Duration = Duration::from_secs(60);
/// What the client waits before reconnecting.
const RETRY: Duration = Duration::from_secs(1);

/// `GET /notifications/stream` — `text/event-stream`: first an `unread_count` event, then
/// a `notification` event (id = notification id) for each new notification and an
/// `unread_count` event whenever the count changes, on whichever node the change was made.
/// A `Last-Event-ID` header resumes after that notification. The stream ends when the login
/// does (logout, disabled user, expired token), and after [`LIFETIME`] in any case.
pub async fn stream(
    State(state): State<AppState>,
    Auth(me): Auth,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let watcher = Watcher::start(&state.db, me.user.id, after).await?;
    let bearer = token::bearer(&headers).unwrap_or_default();
    let stream = StreamState {
        state,
        watcher,
        bearer,
        ends: tokio::time::Instant::now() + LIFETIME,
        polls: 0,
        queue: Vec::new(),
    };
    let events = futures_util::stream::unfold(stream, |mut s| async move {
        let ev = s.next_event().await?;
        Some((Ok(ev), s))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// One open stream: where it is, and the events read but not yet sent.
struct StreamState {
    state: AppState,
    watcher: Watcher,
    bearer: String,
    ends: tokio::time::Instant,
    polls: u32,
    /// Sent from the back.
    queue: Vec<Event>,
}

impl StreamState {
    /// The next event, polling the database once a second until there is one; `None` ends
    /// the stream (lifetime over, or the login ended).
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(ev) = self.queue.pop() {
                return Some(ev);
            }
            if self.polls > 0 {
                if tokio::time::Instant::now() + POLL > self.ends {
                    return None;
                }
                tokio::time::sleep(POLL).await;
            }
            self.polls = self.polls.wrapping_add(1);
            if self.polls % RECHECK_POLLS == 0 && !still_logged_in(&self.state, &self.bearer).await
            {
                return None;
            }
            match self.watcher.poll(&self.state.db).await {
                Ok(changes) => {
                    if let Some(n) = changes.unread_count {
                        let ev = unread_event(n);
                        // The first event tells the client how soon to reconnect.
                        self.queue
                            .push(if self.polls == 1 { ev.retry(RETRY) } else { ev });
                    }
                    for n in changes.new.into_iter().rev() {
                        self.queue.push(notification_event(&self.state, n));
                    }
                }
                Err(e) => tracing::warn!(
                    error = %e,
                    user_id = self.watcher.user_id(),
                    "notification stream poll failed"
                ),
            }
        }
    }
}

async fn still_logged_in(state: &AppState, bearer: &str) -> bool {
    session::authenticate_jwt(
        &state.db,
        &state.jwt_secret,
        bearer,
        super::extract::ACCESS,
        SessionKind::Admin,
    )
    .await
    .is_ok()
}

fn unread_event(n: i64) -> Event {
    Event::default()
        .event("unread_count")
        .data(format!("{{\"unread_count\":{n}}}"))
}

fn notification_event(state: &AppState, n: Notification) -> Event {
    let id = n.id;
    let out = item_out(state, n, None);
    let data = serde_json::to_string(&out).unwrap_or_default();
    Event::default()
        .event("notification")
        .id(id.to_string())
        .data(data)
}
