//! Timed rounds on one node (docs/protocol.md section 8): each group's series and its
//! history live in memory beside the hub; a step runs under its series' lock, so it is
//! applied once, and the hub's own locks keep every member in one place meanwhile.

use super::local::{LocalPresence, Peer};
use super::presence::Handle;
use super::rounds::{AlreadyRunning, Stepped, Stopped, Timed, now_ms};
use crate::domain::{AccessCode, Group};
use crate::matchmaking::rounds::{History, pair_round};
use crate::matchmaking::{Choice, MemberNumber, RoundDraws};
use crate::series::{RoundSettings, Series, Step};
use crate::store::StoreError;
use async_trait::async_trait;
use dashmap::DashMap;
use dashmap::mapref::entry::Entry;
use parking_lot::Mutex;
use std::sync::Arc;

/// One group's series: where it is, and who met whom in it.
struct Running {
    series: Series,
    history: History<MemberNumber>,
}

/// The series of every group, one lock each.
#[derive(Default)]
pub struct SeriesBook(DashMap<AccessCode, Arc<Mutex<Running>>>);

impl LocalPresence {
    /// Round `round`'s start: every present member leaves her lobby or room and is paired
    /// anew by [`pair_round`] ([`crate::matchmaking::Hub::start_round`]).
    fn start_round(&self, group: &Group, running: &mut Running, next: Series) -> Stepped<Peer> {
        let code = &group.access_code;
        let numbers: Vec<MemberNumber> =
            self.hub.present(code).iter().map(|m| m.number()).collect();
        let blocks = self.hub.blocks(code);
        let mut rng = rand::rng();
        let plan = pair_round(&numbers, &running.history, |m| blocks.of(m), &mut rng);
        let started = self
            .hub
            .start_round(group, &plan, &RoundDraws::random(&plan, &mut rng));
        running.history.record(&started.applied);
        Stepped {
            ended: started.ended,
            pairs: started.pairs,
            byes: started.byes,
            ordinary: started.ordinary,
            ..Stepped::of(next)
        }
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
        let fresh = Running {
            series: first.clone(),
            history: History::new(),
        };
        // Whether this request made the record, not whether the record looks new: two
        // starts in the same millisecond with the same settings look alike.
        let (running, made) = match self.series.0.entry(code.clone()) {
            Entry::Vacant(entry) => (entry.insert(Arc::new(Mutex::new(fresh))).clone(), true),
            Entry::Occupied(entry) => (entry.get().clone(), false),
        };
        let mut running = running.lock();
        if !made {
            if running.series.is_running() {
                return Ok(Err(AlreadyRunning));
            }
            running.series = first.clone();
            running.history = History::new();
        }
        Ok(Ok(self.start_round(group, &mut running, first)))
    }

    async fn stop_series(&self, group: &Group) -> Result<Option<Stopped<Peer>>, StoreError> {
        let code = &group.access_code;
        let Some(running) = self.running(code) else {
            return Ok(None);
        };
        let running = running.lock();
        if !running.series.is_running() {
            return Ok(None);
        }
        self.series.0.remove(code);
        let present = self.hub.present(code);
        let waiting = self.hub.waiters(code).len();
        let mut rng = rand::rng();
        let choices: Vec<Choice> = (0..waiting).map(|_| Choice::random(&mut rng)).collect();
        Ok(Some(Stopped {
            present: present.iter().map(|m| m.handle().clone()).collect(),
            paired: self.hub.stop_rounds(group, &choices),
        }))
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
            _ => {
                let ended = self.hub.end_round(group, step, |peer| peer.id().as_str());
                Stepped {
                    ended: ended.ended,
                    present: ended.present,
                    ..Stepped::of(next)
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Description, GroupName, Prompts, Rules};

    #[tokio::test]
    async fn a_second_start_in_the_same_millisecond_is_refused() {
        let presence = LocalPresence::default();
        let now = time::OffsetDateTime::now_utc();
        let group = Group {
            access_code: AccessCode::parse("ab12cd34ef").unwrap(),
            name: GroupName::parse("n").unwrap(),
            description: Description::parse("d").unwrap(),
            rules: Rules::default(),
            prompts: Prompts::default(),
            created_at: now,
            expires_at: now + time::Duration::hours(1),
        };
        let settings = RoundSettings::new(10, 0, 2).unwrap();
        for _ in 0..100 {
            let first = presence.start_series(&group, settings).await.unwrap();
            assert!(first.is_ok(), "nothing runs yet");
            // At once, so mostly within the same millisecond: the same series would look new.
            let second = presence.start_series(&group, settings).await.unwrap();
            assert!(second.is_err(), "one series at a time");
            assert!(presence.stop_series(&group).await.unwrap().is_some());
        }
    }
}
