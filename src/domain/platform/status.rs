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
    /// Share of the machine's memory in use, 0–100.
    pub memory_used_percent: u32,
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
    let memory_used_percent = tokio::task::spawn_blocking(|| {
        let mut sys = sysinfo::System::new();
        sys.refresh_memory();
        match sys.total_memory() {
            0 => 0,
            total => (sys.used_memory().saturating_mul(100) / total) as u32,
        }
    })
    .await
    .unwrap_or(0);
    Ok(Status {
        version: env!("CARGO_PKG_VERSION"),
        uptime,
        database_connected,
        memory_used_percent,
        active_sessions,
        total_users,
    })
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
    fn uptime_formats_like_the_manual() {
        assert_eq!(
            format_uptime(Duration::from_secs(10 * 3600 + 30 * 60 + 59)),
            "10h30m"
        );
        assert_eq!(format_uptime(Duration::from_secs(0)), "0h0m");
        assert_eq!(format_uptime(Duration::from_secs(26 * 3600)), "1d2h0m");
    }
}
