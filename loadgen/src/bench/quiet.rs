//! Waiting, within bounds, for other processes to go quiet before a measurement: the
//! machine is shared, and a compile during one server's run but not the other's skews a
//! ratio.

use crate::proc::MachineSample;
use std::time::Duration;

/// The busiest the machine may be (in % of one core, this tool included) to count as
/// quiet.
const QUIET_PERCENT: f64 = 25.0;
/// Most seconds of waiting before one measurement.
const MAX_WAIT_SECS: u32 = 15;
/// Most seconds of waiting over a whole run.
const BUDGET_SECS: u32 = 180;

/// The waiting budget of one run.
#[derive(Debug, Default)]
pub struct Quiet {
    spent_secs: u32,
}

/// What one wait found.
#[derive(Debug, Clone, Copy)]
pub struct Waited {
    /// Seconds waited.
    pub secs: u32,
    /// How busy the machine was in the last second, in % of one core.
    pub busy_percent: f64,
}

impl Quiet {
    /// Waits, second by second, until the machine is quiet or the wait's or the run's
    /// budget is spent.
    pub async fn wait(&mut self) -> Waited {
        let mut waited = Waited {
            secs: 0,
            busy_percent: 0.0,
        };
        while waited.secs < MAX_WAIT_SECS {
            let before = MachineSample::read();
            tokio::time::sleep(Duration::from_secs(1)).await;
            if let (Ok(before), Ok(after)) = (before, MachineSample::read()) {
                waited.busy_percent = 100.0 * after.busy_cpu_secs_since(&before);
            }
            if waited.busy_percent <= QUIET_PERCENT || self.spent_secs >= BUDGET_SECS {
                break;
            }
            waited.secs += 1;
            self.spent_secs += 1;
        }
        if waited.busy_percent > QUIET_PERCENT {
            eprintln!(
                "  (other processes busy: {:.0} % of a core after waiting {} s; measuring anyway)",
                waited.busy_percent, waited.secs
            );
        }
        waited
    }
}
