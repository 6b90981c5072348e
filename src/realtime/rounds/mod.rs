//! Timed rounds (docs/protocol.md section 8): the owner's requests, and the driver that
//! applies each series' steps as they fall due and tells the members.
//!
//! The schedule is pure ([`crate::series`]); the backend ([`Timed`]) keeps the series
//! and applies each step atomically and once; this module only decides when, and talks.

mod backend;
mod notices;

pub use backend::{AlreadyRunning, Stepped, Stopped, Timed};

use super::Realtime;
use crate::domain::{AccessCode, Group};
use crate::series::{RoundSettings, Series};
use crate::store::StoreError;
use crate::wire::RoundsView;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// How often the driver looks for steps that fell due: the timing's precision.
pub const DRIVER_TICK: Duration = Duration::from_millis(200);

/// The owner's side of timed rounds, for the HTTP routes.
#[async_trait]
pub trait Rounds: Send + Sync {
    /// Starts a series in `group` now; `Ok(Err(AlreadyRunning))` when one runs.
    async fn start_rounds(
        &self,
        group: &Group,
        settings: RoundSettings,
    ) -> Result<Result<Series, AlreadyRunning>, StoreError>;

    /// `group`'s series, if one was started and not stopped.
    async fn rounds(&self, group: &AccessCode) -> Result<Option<Series>, StoreError>;

    /// Stops `group`'s running series; whether one ran.
    async fn stop_rounds(&self, group: &Group) -> Result<bool, StoreError>;

    /// Applies every step that fell due in the series this node drives, in order.
    async fn drive_rounds(&self);
}

#[async_trait]
impl<P: Timed> Rounds for Realtime<P> {
    async fn start_rounds(
        &self,
        group: &Group,
        settings: RoundSettings,
    ) -> Result<Result<Series, AlreadyRunning>, StoreError> {
        let stepped = match self.presence.start_series(group, settings).await? {
            Ok(stepped) => stepped,
            Err(running) => return Ok(Err(running)),
        };
        self.metrics.matches.inc_by(stepped.pairs.len() as u64);
        let first = crate::series::Step::Start { round: 1 };
        notices::tell(first, &stepped, &group.prompts).await;
        Ok(Ok(stepped.series))
    }

    async fn rounds(&self, group: &AccessCode) -> Result<Option<Series>, StoreError> {
        self.presence.series(group).await
    }

    async fn stop_rounds(&self, group: &Group) -> Result<bool, StoreError> {
        let Some(stopped) = self.presence.stop_series(group).await? else {
            return Ok(false);
        };
        notices::stopped(&stopped.present);
        for pair in &stopped.paired {
            let prompt = group.prompts.pick(&mut rand::rng()).map(str::to_owned);
            super::notices::pair_formed(&pair.own, pair, prompt).await;
        }
        Ok(true)
    }

    async fn drive_rounds(&self) {
        for (code, series) in self.presence.driven_series().await {
            if let Err(cause) = self.drive(&code, series).await {
                tracing::warn!(%cause, "a timed round step failed; it is tried again");
            }
        }
    }
}

/// The current time as the schedule counts it.
pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

impl<P: Timed> Realtime<P> {
    /// `group`'s series while it runs, as members see it (for join and resume acks); a
    /// failure to read it is logged and leaves it out.
    pub(super) async fn running_rounds(&self, group: &AccessCode) -> Option<RoundsView> {
        match self.presence.series(group).await {
            Ok(series) => series
                .filter(Series::is_running)
                .map(|series| RoundsView::from(&series)),
            Err(cause) => {
                tracing::warn!(%cause, "reading a series of rounds failed");
                None
            }
        }
    }

    async fn drive(&self, code: &AccessCode, mut series: Series) -> Result<(), StoreError> {
        while let Some(step) = series.due(now_ms()) {
            let group = match self.live_group(Some(code.clone())).await {
                Ok(Some(stored)) => stored.group,
                // The group is gone: so is its series.
                Ok(None) => return self.forget_series(code).await,
                Err(_) => return Err(StoreError::Unavailable("the group store failed".into())),
            };
            let Some(stepped) = self.presence.step_series(&group, &series, step).await? else {
                return Ok(()); // another driver applied it, or the owner stopped it
            };
            self.metrics.matches.inc_by(stepped.pairs.len() as u64);
            notices::tell(step, &stepped, &group.prompts).await;
            series = stepped.series;
        }
        Ok(())
    }

    async fn forget_series(&self, code: &AccessCode) -> Result<(), StoreError> {
        self.presence.forget_series(code).await
    }
}

/// Runs [`Rounds::drive_rounds`] every [`DRIVER_TICK`] until the process ends.
pub async fn run_driver(realtime: Arc<dyn Rounds>) {
    let mut tick = tokio::time::interval(DRIVER_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        realtime.drive_rounds().await;
    }
}
