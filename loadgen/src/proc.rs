//! Readings from `/proc` (a process's CPU time and resident memory), the open-file
//! limit the tool raises for itself, and pinning to a CPU.

use anyhow::{Context, Result};
use std::time::Instant;

/// CPU time a process has used, in clock ticks, and when it was read.
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    /// `utime + stime` from `/proc/PID/stat`.
    pub ticks: u64,
    /// When the sample was taken.
    pub at: Instant,
}

impl CpuSample {
    /// Reads the CPU time of process `pid`.
    pub fn read(pid: u32) -> Result<Self> {
        let path = format!("/proc/{pid}/stat");
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        let ticks = parse_stat_ticks(&text).with_context(|| format!("parsing {path}"))?;
        Ok(Self {
            ticks,
            at: Instant::now(),
        })
    }

    /// The CPU seconds used between `earlier` and this sample, and the wall seconds.
    pub fn since(&self, earlier: &CpuSample) -> CpuUse {
        CpuUse {
            cpu_secs: self.ticks.saturating_sub(earlier.ticks) as f64 / clock_ticks_per_sec(),
            wall_secs: self.at.duration_since(earlier.at).as_secs_f64(),
        }
    }
}

/// CPU used over a wall-clock interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuUse {
    /// CPU seconds (user + system).
    pub cpu_secs: f64,
    /// Wall-clock seconds.
    pub wall_secs: f64,
}

impl CpuUse {
    /// CPU use in percent of one core.
    pub fn percent_of_core(&self) -> f64 {
        if self.wall_secs > 0.0 {
            100.0 * self.cpu_secs / self.wall_secs
        } else {
            0.0
        }
    }
}

/// Several processes' CPU use over (nearly) the same interval, added up: CPU seconds are
/// summed and the wall time is the longest of theirs. `None` when there is no reading or
/// any reading is missing (a partial sum would pass for the whole).
pub fn sum_cpu(uses: impl IntoIterator<Item = Option<CpuUse>>) -> Option<CpuUse> {
    let mut total: Option<CpuUse> = None;
    for used in uses {
        let used = used?;
        total = Some(match total {
            None => used,
            Some(sum) => CpuUse {
                cpu_secs: sum.cpu_secs + used.cpu_secs,
                wall_secs: sum.wall_secs.max(used.wall_secs),
            },
        });
    }
    total
}

/// The resident memory of several processes added up; `None` when there is no reading
/// or any reading is missing.
pub fn sum_rss(readings: impl IntoIterator<Item = Option<u64>>) -> Option<u64> {
    let mut total = None;
    for kib in readings {
        total = Some(total.unwrap_or(0) + kib?);
    }
    total
}

/// Busy and total time of all CPUs together, in clock ticks (first line of `/proc/stat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MachineSample {
    /// Ticks spent on anything but idling or waiting for I/O.
    pub busy: u64,
    /// All ticks.
    pub total: u64,
}

impl MachineSample {
    /// Reads `/proc/stat`.
    pub fn read() -> Result<Self> {
        let text = std::fs::read_to_string("/proc/stat").context("reading /proc/stat")?;
        parse_machine_ticks(&text).context("parsing /proc/stat")
    }

    /// CPU seconds the whole machine (all CPUs) spent busy since `earlier`.
    pub fn busy_cpu_secs_since(&self, earlier: &MachineSample) -> f64 {
        self.busy.saturating_sub(earlier.busy) as f64 / clock_ticks_per_sec()
    }
}

/// The aggregate `cpu` line of `/proc/stat`: user, nice, system, idle, iowait, irq,
/// softirq, steal (guest time is already inside user and nice).
pub fn parse_machine_ticks(stat: &str) -> Option<MachineSample> {
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    if ticks.len() < 5 {
        return None;
    }
    let total: u64 = ticks.iter().sum();
    let idle = ticks[3] + ticks[4];
    Some(MachineSample {
        busy: total - idle,
        total,
    })
}

/// `utime + stime` (fields 14 and 15) of a `/proc/PID/stat` line. The command name in
/// field 2 may hold spaces and parentheses, so fields are counted after its last `)`.
pub fn parse_stat_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    // Field 3 (state) is the first one after the name; utime is field 14.
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// Clock ticks per second, the unit of `/proc/PID/stat` times.
pub fn clock_ticks_per_sec() -> f64 {
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

/// The resident set size of process `pid`, in KiB (`VmRSS` in `/proc/PID/status`).
pub fn rss_kib(pid: u32) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    parse_vmrss_kib(&text).with_context(|| format!("no VmRSS in {path}"))
}

/// The `VmRSS:  1234 kB` line of a `/proc/PID/status` text, in KiB.
pub fn parse_vmrss_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line["VmRSS:".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Raises the soft limit on open files to the hard limit; answers the new soft limit.
pub fn raise_open_file_limit() -> Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write the one struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return Err(std::io::Error::last_os_error()).context("getrlimit(RLIMIT_NOFILE)");
        }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error()).context("setrlimit(RLIMIT_NOFILE)");
            }
        }
    }
    Ok(limit.rlim_cur)
}

/// Restricts the calling thread, and the threads and processes it starts afterwards, to
/// CPU `cpu`. Safe to call between `fork` and `exec` (it neither allocates nor locks).
pub fn pin_to_cpu(cpu: usize) -> std::io::Result<()> {
    if cpu >= libc::CPU_SETSIZE as usize {
        return Err(std::io::Error::from_raw_os_error(libc::EINVAL));
    }
    // SAFETY: the set is a plain bitmask on the stack that sched_setaffinity only reads.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cpu_ticks_after_an_awkward_name() {
        let stat = "4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 500 0 0 0 \
                    1234 567 0 0 20 0 3 0 100 200000 300 18446744073709551615";
        assert_eq!(parse_stat_ticks(stat), Some(1234 + 567));
        assert_eq!(parse_stat_ticks("12 (x) S 1 2"), None);
        assert_eq!(parse_stat_ticks("no name here"), None);
    }

    #[test]
    fn reads_own_cpu_and_memory() {
        let pid = std::process::id();
        assert!(CpuSample::read(pid).is_ok());
        assert!(rss_kib(pid).unwrap() > 0);
    }

    #[test]
    fn reads_machine_ticks() {
        let stat = "cpu  100 20 30 800 50 0 0 0 0 0\ncpu0 50 10 15 400 25 0 0 0 0 0\n";
        let sample = parse_machine_ticks(stat).unwrap();
        assert_eq!(sample.total, 1000);
        assert_eq!(sample.busy, 150);
        let later = MachineSample {
            busy: 250,
            total: 1200,
        };
        let secs = later.busy_cpu_secs_since(&sample);
        assert!((secs - 100.0 / clock_ticks_per_sec()).abs() < 1e-9);
        assert!(parse_machine_ticks("intr 1 2 3\n").is_none());
        assert!(MachineSample::read().is_ok());
    }

    #[test]
    fn pins_a_thread_to_one_cpu() {
        std::thread::spawn(|| {
            pin_to_cpu(0).unwrap();
            // SAFETY: sched_getcpu only reads which CPU the thread runs on.
            assert_eq!(unsafe { libc::sched_getcpu() }, 0);
            assert!(pin_to_cpu(1000).is_err());
            assert!(pin_to_cpu(100_000).is_err());
        })
        .join()
        .unwrap();
    }

    #[test]
    fn reads_vmrss() {
        let status = "Name:\tcircle\nVmPeak:\t  9000 kB\nVmRSS:\t   12345 kB\nThreads:\t3\n";
        assert_eq!(parse_vmrss_kib(status), Some(12345));
        assert_eq!(parse_vmrss_kib("Name:\tx\n"), None);
    }

    #[test]
    fn sums_several_processes() {
        let a = CpuUse {
            cpu_secs: 1.0,
            wall_secs: 2.0,
        };
        let b = CpuUse {
            cpu_secs: 0.5,
            wall_secs: 2.001,
        };
        assert_eq!(sum_cpu([Some(a)]), Some(a));
        let both = sum_cpu([Some(a), Some(b)]).unwrap();
        assert!((both.cpu_secs - 1.5).abs() < 1e-9);
        assert_eq!(both.wall_secs, 2.001);
        assert_eq!(sum_cpu([Some(a), None]), None);
        assert_eq!(sum_cpu([]), None);
        assert_eq!(sum_rss([Some(10)]), Some(10));
        assert_eq!(sum_rss([Some(10), Some(32)]), Some(42));
        assert_eq!(sum_rss([Some(10), None]), None);
        assert_eq!(sum_rss([]), None);
    }

    #[test]
    fn percent_of_core() {
        let used = CpuUse {
            cpu_secs: 1.5,
            wall_secs: 2.0,
        };
        assert!((used.percent_of_core() - 75.0).abs() < 1e-9);
        let none = CpuUse {
            cpu_secs: 1.0,
            wall_secs: 0.0,
        };
        assert_eq!(none.percent_of_core(), 0.0);
    }
}
