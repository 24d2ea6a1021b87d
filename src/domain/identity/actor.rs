//! Who acted in the current request, for its operation-log entry.
//!
//! The operation-log layer opens a scope around each recorded request; identity notes the
//! user when it resolves a session or completes a login ([`note`]). It lives here, with
//! the sessions that learn who acts, so that identity depends on nothing above it. Outside a scope (CLI,
//! background tasks, unrecorded requests) noting does nothing. A task-local rather than a
//! request extension, because the layer sits outside every dialect's own auth code and sees
//! only the response.

use std::cell::RefCell;
use std::future::Future;

/// The acting user: id and login name at the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
}

tokio::task_local! {
    static CURRENT: RefCell<Option<Actor>>;
}

/// Runs `fut` with an empty actor slot; answers its output and the actor noted in it.
pub async fn scope<F: Future>(fut: F) -> (F::Output, Option<Actor>) {
    CURRENT
        .scope(RefCell::new(None), async move {
            let out = fut.await;
            let actor = CURRENT.with(|c| c.borrow_mut().take());
            (out, actor)
        })
        .await
}

/// Notes the acting user of the current request (the last note wins: a login that also
/// resolves its new session notes the same user twice).
pub fn note(user_id: i64, username: &str) {
    let _ = CURRENT.try_with(|c| {
        *c.borrow_mut() = Some(Actor {
            user_id,
            username: username.to_owned(),
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_note_inside_the_scope_is_seen_and_outside_is_harmless() {
        note(1, "outside");
        let (out, actor) = scope(async {
            note(7, "amy");
            42
        })
        .await;
        assert_eq!(out, 42);
        assert_eq!(
            actor,
            Some(Actor {
                user_id: 7,
                username: "amy".into()
            })
        );
        let ((), none) = scope(async {}).await;
        assert_eq!(none, None);
    }
}
