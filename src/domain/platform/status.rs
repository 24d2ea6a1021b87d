//! Live figures for `GET /system/status`, and the cache that keeps them cheap to answer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::db::Db;
use crate::domain::identity::{session, user};
use crate::error::Result;

#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub version: &'static str,
    pub uptime: Duration,
    pub database_connected: bool,
    /// This process's resident memory as a share of the machine's memory, 0–100.
    pub memory_used_percent: f64,
    pub active_sessions: i64,
    pub total_users: i64,
}

pub async fn collect(db: &Db, uptime: Duration) -> Result<Status> {
    let database_connected = db.ping().await;
    let (active_sessions, total_users) = if database_connected {
        (session::count_active(db).await?, user::count(db).await?)
    } else {
        (0, 0)
    };
    let memory_used_percent = tokio::task::spawn_blocking(own_memory_percent)
        .await
        .unwrap_or(0.0);
    Ok(Status {
        version: env!("CARGO_PKG_VERSION"),
        uptime,
        database_connected,
        memory_used_percent,
        active_sessions,
        total_users,
    })
}

/// Figures younger than this are answered as they are.
const FRESH: Duration = Duration::from_secs(1);
/// Figures older than this are not answered at all: the request collects new ones itself
/// (after an idle spell, and for the first request).
const STALE: Duration = Duration::from_secs(10);

/// The last collected figures. A public status endpoint under load would otherwise read
/// `/proc` and count two tables on every request (issue 17: 131 µs of CPU each); now a request
/// reads a copy, and once the copy is a second old one request starts a refresh in the
/// background while it and the others keep answering the copy. So the figures are at most
/// a second or two old while the endpoint is polled, and fresh after a pause.
#[derive(Clone, Default)]
pub struct Cache {
    last: Arc<Mutex<Option<(Instant, Status)>>>,
    refreshing: Arc<AtomicBool>,
}

impl Cache {
    /// The figures, with `uptime` as given (it is always exact).
    pub async fn get(&self, db: &Db, uptime: Duration) -> Result<Status> {
        let cached = self.copy();
        let status = match cached {
            Some((at, s)) if at.elapsed() < FRESH => s,
            Some((at, s)) if at.elapsed() < STALE => {
                self.refresh_in_background(db, uptime);
                s
            }
            _ => {
                let s = collect(db, uptime).await?;
                self.store(s.clone());
                s
            }
        };
        Ok(Status { uptime, ..status })
    }

    fn copy(&self) -> Option<(Instant, Status)> {
        self.last.lock().map_or(None, |last| last.clone())
    }

    fn store(&self, status: Status) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some((Instant::now(), status));
        }
    }

    /// Starts one refresh unless one is running.
    fn refresh_in_background(&self, db: &Db, uptime: Duration) {
        if self.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let (cache, db) = (self.clone(), db.clone());
        tokio::spawn(async move {
            // A failure keeps the old copy; once it is too old, requests collect (and report
            // the failure) themselves.
            if let Ok(s) = collect(&db, uptime).await {
                cache.store(s);
            }
            cache.refreshing.store(false, Ordering::Release);
        });
    }
}

/// This process's resident set as a percentage of total memory (the machine's use would say
/// nothing about the server).
fn own_memory_percent() -> f64 {
    use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, System};
    let Ok(pid) = sysinfo::get_current_pid() else {
        return 0.0;
    };
    let mut sys = System::new();
    sys.refresh_memory();
    sys.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[pid]),
        false,
        ProcessRefreshKind::nothing().with_memory(),
    );
    match (sys.total_memory(), sys.process(pid)) {
        (0, _) | (_, None) => 0.0,
        (total, Some(p)) => p.memory() as f64 * 100.0 / total as f64,
    }
}

/// `10h30m`, as the OPS manual shows uptime.
pub fn format_uptime(d: Duration) -> String {
    let mins = d.as_secs() / 60;
    let (h, m) = (mins / 60, mins % 60);
    if h >= 24 {
        format!("{}d{}h{}m", h / 24, h % 24, m)
    } else {
        format!("{h}h{m}m")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_memory_is_a_small_nonzero_share() {
        let p = own_memory_percent();
        assert!(p > 0.0 && p < 50.0, "{p}");
    }

    #[test]
    fn uptime_formats_like_the_manual() {
        assert_eq!(
            format_uptime(Duration::from_secs(10 * 3600 + 30 * 60 + 59)),
            "10h30m"
        );
        assert_eq!(format_uptime(Duration::from_secs(0)), "0h0m");
        assert_eq!(format_uptime(Duration::from_secs(26 * 3600)), "1d2h0m");
    }
}
