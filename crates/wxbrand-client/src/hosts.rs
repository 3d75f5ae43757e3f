//! The main and backup hosts, and when to use which.

use std::sync::Mutex;
use std::time::Duration;

/// Which host an attempt went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostRole {
    Main,
    Backup,
}

/// Main and backup base URLs with the shared failover state.
#[derive(Debug)]
pub(crate) struct Hosts {
    main: String,
    backup: Option<String>,
    cooldown: Duration,
    /// When (monotonic) the client switched to the backup, if it is on it.
    on_backup_since: Mutex<Option<Duration>>,
}

impl Hosts {
    pub(crate) fn new(main: String, backup: Option<String>, cooldown: Duration) -> Self {
        Hosts {
            main,
            backup,
            cooldown,
            on_backup_since: Mutex::new(None),
        }
    }

    pub(crate) fn main(&self) -> &str {
        &self.main
    }

    pub(crate) fn backup(&self) -> Option<&str> {
        self.backup.as_deref()
    }

    /// The host to use now: the backup during the cooldown after a switch, otherwise the main.
    pub(crate) fn current(&self, now: Duration) -> (HostRole, &str) {
        let mut since = self
            .on_backup_since
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match (*since, self.backup.as_deref()) {
            (Some(switched), Some(backup)) if now < switched.saturating_add(self.cooldown) => {
                (HostRole::Backup, backup)
            }
            _ => {
                *since = None;
                (HostRole::Main, &self.main)
            }
        }
    }

    /// Records that `role` could not be reached (the request never left). From the main host the
    /// client moves to the backup for the cooldown; from the backup it goes back to the main host.
    /// Returns whether the host changed.
    pub(crate) fn unreachable(&self, role: HostRole, now: Duration) -> bool {
        if self.backup.is_none() {
            return false;
        }
        let mut since = self
            .on_backup_since
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match role {
            HostRole::Main => {
                *since = Some(now);
                true
            }
            HostRole::Backup => {
                *since = None;
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_to_backup_for_the_cooldown_only() {
        let hosts = Hosts::new(
            "https://a".into(),
            Some("https://b".into()),
            Duration::from_secs(60),
        );
        assert_eq!(hosts.current(Duration::ZERO), (HostRole::Main, "https://a"));
        assert!(hosts.unreachable(HostRole::Main, Duration::from_secs(1)));
        assert_eq!(
            hosts.current(Duration::from_secs(2)),
            (HostRole::Backup, "https://b")
        );
        assert_eq!(
            hosts.current(Duration::from_secs(60)),
            (HostRole::Backup, "https://b")
        );
        assert_eq!(
            hosts.current(Duration::from_secs(61)),
            (HostRole::Main, "https://a")
        );
    }

    #[test]
    fn without_backup_never_switches() {
        let hosts = Hosts::new("https://a".into(), None, Duration::from_secs(60));
        assert!(!hosts.unreachable(HostRole::Main, Duration::ZERO));
        assert_eq!(
            hosts.current(Duration::from_secs(1)),
            (HostRole::Main, "https://a")
        );
    }
}
