//! Timed rounds on one node (docs/protocol.md section 8): each group's series and its
//! history live in memory beside the hub; a step runs under its series' lock, so it is
//! applied once, and the hub's own locks keep every member in one place meanwhile.

use super::local::{LocalPresence, Peer};
use super::rounds::{AlreadyRunning, Stepped, Timed, now_ms};
use crate::domain::{AccessCode, Group, RoomId};
use crate::matchmaking::rounds::{History, RoundPlan, pair_round};
use crate::matchmaking::{Choice, Member, MemberNumber, Outcome, Pairing};
use crate::series::{RoundSettings, Series, Step};
use crate::store::StoreError;
use async_trait::async_trait;
use dashmap::DashMap;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

/// One group's series: where it is, and who met whom in it.
struct Running {
    series: Series,
    history: History<MemberNumber>,
}

/// The series of every group, one lock each.
#[derive(Default)]
pub struct SeriesBook(DashMap<AccessCode, Arc<Mutex<Running>>>);

type Members = Vec<Arc<Member<Peer>>>;

impl LocalPresence {
    /// Round `round`'s start: every present member leaves her lobby or room and is paired
    /// anew by [`pair_round`]; byes (and members of a pair whose partner moved meanwhile)
    /// wait, and may meet a latecomer the ordinary way.
    fn start_round(&self, group: &Group, running: &mut Running, next: Series) -> Stepped<Peer> {
        let code = &group.access_code;
        let present = self.hub.present(code);
        let ended = self.hub.end_rooms(&present);
        for member in &present {
            self.hub.leave(member); // the waiters; room members are out already
        }
        let numbers: Vec<MemberNumber> = present.iter().map(|m| m.number()).collect();
        let blocks = self.hub.blocks(code);
        let no_blocks = Vec::new();
        let plan = pair_round(
            &numbers,
            &running.history,
            |m| blocks.get(m).unwrap_or(&no_blocks).iter(),
            &mut rand::rng(),
        );
        let by_number: HashMap<MemberNumber, &Arc<Member<Peer>>> =
            present.iter().map(|m| (m.number(), m)).collect();
        let member = |n: &MemberNumber| by_number[n].clone();
        let pairs: Vec<_> = plan
            .pairs
            .iter()
            .map(|(a, b)| (member(a), member(b)))
            .collect();
        let seated = self
            .hub
            .seat_round(group, &pairs, || RoomId::generate(&mut rand::rng()));
        running.history.record(&RoundPlan {
            pairs: seated.met,
            byes: plan.byes.clone(),
        });
        self.hub.pause(code, false);
        let byes: Members = plan.byes.iter().map(member).collect();
        let ordinary = self.wait_again(group, byes.iter().chain(&seated.unseated));
        Stepped {
            ended: ended.ended,
            pairs: seated.pairs,
            byes: byes.iter().map(|m| m.handle().clone()).collect(),
            ordinary,
            ..Stepped::of(next)
        }
    }

    /// Puts `members` back in `group`'s lobby, in order; the pairs that formed.
    fn wait_again<'a>(
        &self,
        group: &Group,
        members: impl Iterator<Item = &'a Arc<Member<Peer>>>,
    ) -> Vec<Pairing<Peer>> {
        members
            .filter_map(|m| {
                match self
                    .hub
                    .wait_again(m, group, &Choice::random(&mut rand::rng()))
                {
                    Some(Outcome::Paired(pairing)) => Some(pairing),
                    _ => None,
                }
            })
            .collect()
    }

    /// A step at a round's end (`Warn`, `Break`, `Finish`): rooms end on a break or at
    /// the finish; on a break everyone waits in the paused lobby.
    fn end_round(&self, group: &Group, step: Step, next: Series) -> Stepped<Peer> {
        let code = &group.access_code;
        let present = self.hub.present(code);
        let mut stepped = Stepped::of(next);
        stepped.present = present.iter().map(|m| m.handle().clone()).collect();
        match step {
            Step::Break { .. } => {
                self.hub.pause(code, true);
                let ended = self.hub.end_rooms(&present);
                self.wait_again(group, ended.vacated.iter());
                stepped.ended = ended.ended;
            }
            Step::Finish { .. } => stepped.ended = self.hub.end_rooms(&present).ended,
            Step::Warn { .. } | Step::Start { .. } => {}
        }
        stepped
    }

    fn running(&self, code: &AccessCode) -> Option<Arc<Mutex<Running>>> {
        self.series.0.get(code).map(|entry| entry.value().clone())
    }
}

#[async_trait]
impl Timed for LocalPresence {
    async fn series(&self, group: &AccessCode) -> Result<Option<Series>, StoreError> {
        Ok(self
            .running(group)
            .map(|running| running.lock().series.clone()))
    }

    async fn start_series(
        &self,
        group: &Group,
        settings: RoundSettings,
    ) -> Result<Result<Stepped<Peer>, AlreadyRunning>, StoreError> {
        let code = &group.access_code;
        let first = Series::start(settings, now_ms());
        let fresh = || {
            Arc::new(Mutex::new(Running {
                series: first.clone(),
                history: History::new(),
            }))
        };
        let running = self
            .series
            .0
            .entry(code.clone())
            .or_insert_with(fresh)
            .clone();
        let mut running = running.lock();
        if running.series != first {
            if running.series.is_running() {
                return Ok(Err(AlreadyRunning));
            }
            running.series = first.clone();
            running.history = History::new();
        }
        Ok(Ok(self.start_round(group, &mut running, first)))
    }

    async fn stop_series(&self, group: &Group) -> Result<Option<Vec<Pairing<Peer>>>, StoreError> {
        let code = &group.access_code;
        let Some(running) = self.running(code) else {
            return Ok(None);
        };
        let running = running.lock();
        if !running.series.is_running() {
            return Ok(None);
        }
        self.series.0.remove(code);
        self.hub.pause(code, false);
        // Present waiters of a break join again in their order of arrival, as if they had
        // just come; an away waiter keeps her place until she is back.
        let waiters = self.hub.waiters(code);
        Ok(Some(self.wait_again(
            group,
            waiters.iter().filter(|m| !m.is_away()),
        )))
    }

    async fn step_series(
        &self,
        group: &Group,
        expected: &Series,
        step: Step,
    ) -> Result<Option<Stepped<Peer>>, StoreError> {
        let Some(running) = self.running(&group.access_code) else {
            return Ok(None);
        };
        let mut running = running.lock();
        if running.series != *expected {
            return Ok(None);
        }
        let next = expected.advance(step, now_ms());
        let stepped = match step {
            Step::Start { .. } => self.start_round(group, &mut running, next),
            _ => self.end_round(group, step, next),
        };
        running.series = stepped.series.clone();
        Ok(Some(stepped))
    }

    async fn forget_series(&self, group: &AccessCode) -> Result<(), StoreError> {
        self.series.0.remove(group);
        self.hub.pause(group, false);
        Ok(())
    }

    /// One node drives every running series.
    async fn driven_series(&self) -> Vec<(AccessCode, Series)> {
        self.series
            .0
            .iter()
            .map(|entry| (entry.key().clone(), entry.value().lock().series.clone()))
            .filter(|(_, series)| series.is_running())
            .collect()
    }
}
