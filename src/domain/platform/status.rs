//! Live figures for `GET /system/status`.

use std::time::Duration;

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
