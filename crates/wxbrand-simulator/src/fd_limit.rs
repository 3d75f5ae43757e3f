//! The connection cap against the process's open-file limit.
//!
//! A cap above what the process may open is never reached: `accept` fails with `EMFILE` first,
//! no idle connection is closed to make room, and a flood of idle connections shuts legitimate
//! clients out until the flood times out. The default cap (2048) is above the soft limit most
//! systems start processes with (1024), so at start the simulator raises its soft limit towards
//! the hard one as far as the cap needs (what Go programs do at start-up, and any user may do with
//! `ulimit -n`), and lowers the cap under whatever limit it ends with.

/// Descriptors kept for what is not a client connection: the listener, the runtime's own,
/// notification deliveries, and files the process the simulator runs in opens later.
const RESERVED_DESCRIPTORS: u64 = 64;

/// The soft limit to raise to so that `wanted` connections fit besides the `open` descriptors and
/// the reserve, within `hard` (`None`: unlimited); `None` when `soft` is enough or cannot grow.
#[cfg_attr(not(unix), allow(dead_code))]
fn raise_soft_to(wanted: usize, soft: Option<u64>, hard: Option<u64>, open: u64) -> Option<u64> {
    let needed = (wanted as u64)
        .saturating_add(open)
        .saturating_add(RESERVED_DESCRIPTORS);
    let target = hard.map_or(needed, |hard| needed.min(hard));
    match soft {
        Some(soft) if soft < target => Some(target),
        _ => None,
    }
}

/// The cap that `soft` (`None`: unlimited) can hold with `open` descriptors in use: `wanted`, or
/// less (at least 1).
#[cfg_attr(not(unix), allow(dead_code))]
fn cap_under(wanted: usize, soft: Option<u64>, open: u64) -> usize {
    let Some(soft) = soft else {
        return wanted.max(1);
    };
    let room = soft.saturating_sub(open.saturating_add(RESERVED_DESCRIPTORS));
    let room = usize::try_from(room).unwrap_or(usize::MAX);
    wanted.min(room).max(1)
}

/// Fits `wanted` under this process's open-file limit (raising the soft limit first if that
/// helps); the cap to use.
#[cfg(unix)]
pub(crate) fn connection_cap(wanted: usize) -> usize {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};

    let limit = getrlimit(Resource::Nofile);
    let open = open_descriptors();
    let mut soft = limit.current;
    if let Some(target) = raise_soft_to(wanted, soft, limit.maximum, open) {
        let raised = Rlimit {
            current: Some(target),
            maximum: limit.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => soft = Some(target),
            Err(e) => tracing::debug!(error = %e, target, "raising the open-file limit failed"),
        }
    }
    let cap = cap_under(wanted, soft, open);
    if cap < wanted {
        tracing::warn!(
            wanted,
            cap,
            open_file_limit = soft,
            "the open-file limit holds fewer connections than asked: capped lower"
        );
    }
    cap
}

/// Without an open-file limit to read, the cap is taken as given.
#[cfg(not(unix))]
pub(crate) fn connection_cap(wanted: usize) -> usize {
    wanted.max(1)
}

/// Descriptors open now (Linux and macOS list them; elsewhere a guess).
#[cfg(unix)]
fn open_descriptors() -> u64 {
    const GUESS: u64 = 32;
    ["/proc/self/fd", "/dev/fd"]
        .iter()
        .find_map(|dir| std::fs::read_dir(dir).ok())
        .map_or(GUESS, |entries| entries.count() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_soft_limit_below_the_need_is_raised_within_the_hard_limit() {
        // 2048 wanted + 10 open + 64 reserved.
        assert_eq!(
            raise_soft_to(2048, Some(1024), Some(524_288), 10),
            Some(2122)
        );
        assert_eq!(raise_soft_to(2048, Some(1024), Some(1500), 10), Some(1500));
        assert_eq!(raise_soft_to(2048, Some(1024), None, 10), Some(2122));
    }

    #[test]
    fn a_sufficient_or_unraisable_soft_limit_is_left_alone() {
        assert_eq!(raise_soft_to(2048, Some(20_000), Some(20_000), 10), None);
        assert_eq!(raise_soft_to(2048, None, None, 10), None);
        assert_eq!(raise_soft_to(2048, Some(128), Some(128), 10), None);
    }

    #[test]
    fn the_cap_leaves_the_open_descriptors_and_the_reserve() {
        assert_eq!(cap_under(2048, Some(20_000), 10), 2048);
        assert_eq!(cap_under(2048, None, 10), 2048);
        assert_eq!(cap_under(2048, Some(1024), 10), 950);
        assert_eq!(cap_under(2048, Some(128), 10), 54);
    }

    #[test]
    fn the_cap_is_never_zero() {
        assert_eq!(cap_under(2048, Some(50), 10), 1);
        assert_eq!(cap_under(0, Some(20_000), 10), 1);
    }
}
