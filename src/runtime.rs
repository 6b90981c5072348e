//! The tokio runtime the server runs on.

use tokio::runtime::{Builder, Runtime};

/// A runtime for a process that may use `cores` cores: tokio's current-thread scheduler
/// on one core, its multi-thread scheduler (one worker per core) on several.
///
/// On one core the current-thread scheduler is both faster and fair. A one-worker
/// multi-thread pool keeps at most 256 ready tasks in its local queue and parks the rest
/// in a shared queue it looks at only now and then, so when the server is saturated the
/// members whose sockets land there wait far longer than the others (measured in
/// BENCHMARKS.md: 1,000 chatting pairs, p50 3 ms but p99 600 ms; current-thread: p50 49 ms,
/// p99 67 ms).
pub fn for_cores(cores: usize) -> std::io::Result<Runtime> {
    let mut builder = if cores <= 1 {
        Builder::new_current_thread()
    } else {
        let mut builder = Builder::new_multi_thread();
        builder.worker_threads(cores);
        builder
    };
    builder.enable_all().build()
}

/// The cores this process may run on (its CPU affinity, e.g. under `taskset`).
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::runtime::RuntimeFlavor;

    #[test]
    fn one_core_gets_the_current_thread_scheduler() {
        let runtime = for_cores(1).unwrap();
        assert_eq!(
            runtime.handle().runtime_flavor(),
            RuntimeFlavor::CurrentThread
        );
    }

    #[test]
    fn several_cores_get_one_worker_each() {
        let runtime = for_cores(3).unwrap();
        assert_eq!(
            runtime.handle().runtime_flavor(),
            RuntimeFlavor::MultiThread
        );
        assert_eq!(runtime.metrics().num_workers(), 3);
    }

    #[test]
    fn timers_and_io_are_enabled() {
        for_cores(1).unwrap().block_on(async {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        });
    }
}
