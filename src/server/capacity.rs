//! How many connections may be open at once (`--max-connections`): by default, as many
//! as the process may open files, less a reserve.

/// File descriptors kept back from connections: the listener, the standard streams, the
/// runtime's own (epoll, wakers), the store's (SQLite's database, journal and shared
/// memory for each pooled connection, or Redis connections) and logs.
const RESERVED_FILES: u64 = 64;

/// Raises the file limit to its hard limit where allowed, and returns the connection cap:
/// `configured`, or the default derived from the file limit.
pub(super) fn connection_cap(configured: Option<usize>) -> usize {
    let files = raise_file_limit();
    configured
        .unwrap_or_else(|| default_cap(files))
        .clamp(1, tokio::sync::Semaphore::MAX_PERMITS)
}

/// The soft file limit (RLIMIT_NOFILE), raised to the hard limit first if allowed.
fn raise_file_limit() -> u64 {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(files) => files,
        Err(cause) => {
            let (soft, _) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap_or((1024, 1024));
            tracing::warn!(%cause, files = soft, "raising the file limit failed");
            soft
        }
    }
}

fn default_cap(files: u64) -> usize {
    usize::try_from(files.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_leaves_the_reserve_to_the_rest_of_the_process() {
        assert_eq!(default_cap(1024), 960);
        assert_eq!(default_cap(256), 192);
    }

    #[test]
    fn there_is_always_room_for_one_connection() {
        assert_eq!(connection_cap(Some(0)), 1);
    }
}
