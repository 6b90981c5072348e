//! CPU time of the calling thread, for the cost examples: the machine is shared, so CPU
//! time is the figure to compare, wall time the one a member waits for.

/// CPU time this thread has used, in nanoseconds (Linux: the first field of schedstat).
pub fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|line| line.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
