//! Timed rounds as the Redis scripts run them (docs/protocol.md section 8), with no
//! sockets: members are their ids. Each step is one script that compares the stored
//! series with the one the step was planned from and stores the next, so a step is
//! applied once, and nobody is in two places mid-switch. The contract tests (tests/rules)
//! check these against the hub's round operations.

use super::RedisRules;
use super::replies::malformed;
use super::round_replies::{ended, ids, json, pairings, parse_series, split_pairs};
use super::rules::unavailable;
use super::scripts::{self, invoke};
use crate::domain::{AccessCode, Group, MemberId};
use crate::matchmaking::rounds::{Blocks, History, RoundPlan};
use crate::matchmaking::{Choice, Pairing, RoundDraws};
use crate::realtime::rounds::{AlreadyRunning, Stepped};
use crate::series::{Series, Step};
use crate::store::StoreError;

/// What the next round's pairing needs, as Redis has it.
pub struct RoundView {
    /// The members present for a round: waiting or in one of the group's rooms, not away.
    pub present: Vec<MemberId>,
    /// Whom each member may never be paired with, both ways.
    pub blocks: Blocks<MemberId>,
    /// The series' past rounds.
    pub history: History<MemberId>,
}

/// A series that this node drives (its lease is this node's).
pub struct Driven {
    /// The group's fingerprint.
    pub fingerprint: String,
    /// The series as stored.
    pub series: Series,
    /// The group's access code, sealed.
    pub sealed_code: Vec<u8>,
}

impl RedisRules {
    /// Pauses `group`'s ordinary pairing (a break), or lets it run again
    /// ([`crate::matchmaking::Hub::pause`]).
    pub async fn pause(&self, group: &Group, paused: bool) -> Result<(), StoreError> {
        invoke(&scripts::PAUSE, self.keys())
            .arg(self.keys().fingerprint(&group.access_code))
            .arg(if paused { "1" } else { "" })
            .invoke_async::<i64>(&mut self.connection())
            .await
            .map(drop)
            .map_err(unavailable)
    }

    /// `group`'s series, if one was started and not stopped: one GET.
    pub async fn series(&self, group: &AccessCode) -> Result<Option<Series>, StoreError> {
        let stored: Option<String> = redis::cmd("GET")
            .arg(self.keys().series(&self.keys().fingerprint(group)))
            .query_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        stored.as_deref().map(parse_series).transpose()
    }

    /// What the next round's pairing in `group` needs.
    pub async fn round_view(&self, group: &Group) -> Result<RoundView, StoreError> {
        let reply: Vec<Vec<String>> = invoke(&scripts::ROUND_VIEW, self.keys())
            .arg(self.keys().fingerprint(&group.access_code))
            .invoke_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        let [present, blocked, met, byes] = reply.as_slice() else {
            return Err(malformed("round_view"));
        };
        let blocks = Blocks::from_pairs(split_pairs(blocked));
        let mut past = RoundPlan {
            pairs: split_pairs(met),
            byes: Vec::new(),
        };
        for entry in byes.chunks_exact(2) {
            let times: usize = entry[1].parse().map_err(|_| malformed("round_view"))?;
            past.byes
                .extend(std::iter::repeat_n(MemberId::from_wire(&entry[0]), times));
        }
        let mut history = History::new();
        history.record(&past);
        Ok(RoundView {
            present: ids(present),
            blocks,
            history,
        })
    }

    /// Starts a round of `group` by `plan` with `draws`, once
    /// ([`crate::matchmaking::Hub::start_round`]): a new series `next` when `expected` is
    /// `None` (refused while one runs; this node drives it), else the series' next round
    /// if it is still `expected` (`Ok(None)` when it is not).
    pub async fn start_round(
        &self,
        group: &Group,
        expected: Option<&Series>,
        next: &Series,
        plan: &RoundPlan<MemberId>,
        draws: &RoundDraws,
    ) -> Result<Result<Option<Stepped<MemberId>>, AlreadyRunning>, StoreError> {
        let sealed = match expected {
            None => self.keys().cipher().seal(&group.access_code),
            Some(_) => Vec::new(),
        };
        let mut call = invoke(&scripts::ROUND_START, self.keys());
        call.arg(self.keys().fingerprint(&group.access_code))
            .arg(expected.map(json).transpose()?.unwrap_or_default())
            .arg(json(next)?)
            .arg(self.node())
            .arg(self.ttl_ms())
            .arg(sealed)
            .arg(plan.pairs.len());
        for ((a, b), room) in plan.pairs.iter().zip(&draws.rooms) {
            call.arg(a.as_str()).arg(b.as_str()).arg(room.as_str());
        }
        call.arg(plan.byes.len());
        for bye in &plan.byes {
            call.arg(bye.as_str());
        }
        for choice in &draws.choices {
            call.arg(choice.room.as_str()).arg(choice.draw);
        }
        let reply: Vec<Vec<String>> = call
            .invoke_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        match reply.first().and_then(|s| s.first()).map(String::as_str) {
            Some("running") => return Ok(Err(AlreadyRunning)),
            Some("stale") => return Ok(Ok(None)),
            _ => {}
        }
        let [_, over, pairs, byes, ordinary] = reply.as_slice() else {
            return Err(malformed("round_start"));
        };
        Ok(Ok(Some(Stepped {
            ended: ended(over, "round_start")?,
            pairs: pairings(pairs, "round_start")?,
            byes: ids(byes),
            ordinary: pairings(ordinary, "round_start")?,
            ..Stepped::of(next.clone())
        })))
    }

    /// Applies `step` (a warning, a break or the finish) to `group`'s series if it is
    /// still `expected`, storing `next`; `None` when it is not.
    pub async fn end_round(
        &self,
        group: &Group,
        expected: &Series,
        next: &Series,
        step: Step,
    ) -> Result<Option<Stepped<MemberId>>, StoreError> {
        let kind = match step {
            Step::Warn { .. } => "warn",
            Step::Break { .. } => "break",
            Step::Finish { .. } => "finish",
            Step::Start { .. } => return Err(malformed("round_end")),
        };
        let reply: Vec<Vec<String>> = invoke(&scripts::ROUND_END, self.keys())
            .arg(self.keys().fingerprint(&group.access_code))
            .arg(json(expected)?)
            .arg(json(next)?)
            .arg(kind)
            .invoke_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        match reply.as_slice() {
            [stale] if stale.first().is_some_and(|s| s == "stale") => Ok(None),
            [_, present, over] => Ok(Some(Stepped {
                ended: ended(over, "round_end")?,
                present: ids(present),
                ..Stepped::of(next.clone())
            })),
            _ => Err(malformed("round_end")),
        }
    }

    /// Stops `group`'s running series; the waiters re-enter the lobby in order of arrival
    /// with `choices`. The pairs that formed, or `None` when no series ran.
    pub async fn stop_rounds(
        &self,
        group: &Group,
        choices: &[Choice],
    ) -> Result<Option<Vec<Pairing<MemberId>>>, StoreError> {
        let mut call = invoke(&scripts::ROUND_STOP, self.keys());
        call.arg(self.keys().fingerprint(&group.access_code));
        for choice in choices {
            call.arg(choice.room.as_str()).arg(choice.draw);
        }
        let reply: Vec<Vec<String>> = call
            .invoke_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        match reply.as_slice() {
            [none] if none.first().is_some_and(|s| s == "none") => Ok(None),
            [_, paired] => Ok(Some(pairings(paired, "round_stop")?)),
            _ => Err(malformed("round_stop")),
        }
    }

    /// How many members wait in `group`'s lobby (for the choices of a stop).
    pub async fn lobby_length(&self, group: &Group) -> Result<usize, StoreError> {
        redis::cmd("LLEN")
            .arg(
                self.keys()
                    .lobby(&self.keys().fingerprint(&group.access_code)),
            )
            .query_async(&mut self.connection())
            .await
            .map_err(unavailable)
    }

    /// Drops `group`'s series (the group is gone).
    pub async fn forget_rounds(&self, group: &AccessCode) -> Result<(), StoreError> {
        invoke(&scripts::ROUND_FORGET, self.keys())
            .arg(self.keys().fingerprint(group))
            .invoke_async::<i64>(&mut self.connection())
            .await
            .map(drop)
            .map_err(unavailable)
    }

    /// The running series this node drives: those whose lease it holds (renewed for a
    /// member TTL) or that had no driver (leased to it now).
    pub async fn driven(&self) -> Result<Vec<Driven>, StoreError> {
        let reply: Vec<Vec<u8>> = invoke(&scripts::ROUND_LEASE, self.keys())
            .arg(self.node())
            .arg(self.ttl_ms())
            .invoke_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        if !reply.len().is_multiple_of(3) {
            return Err(malformed("round_lease"));
        }
        reply
            .chunks_exact(3)
            .map(|d| {
                let text = |bytes: &[u8]| {
                    String::from_utf8(bytes.to_vec()).map_err(|_| malformed("round_lease"))
                };
                Ok(Driven {
                    fingerprint: text(&d[0])?,
                    series: parse_series(&text(&d[1])?)?,
                    sealed_code: d[2].clone(),
                })
            })
            .collect()
    }
}
