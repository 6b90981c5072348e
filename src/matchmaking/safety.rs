//! Block and report (docs/protocol.md section 7): who may never be paired again in a
//! group, who reported whom, and who was removed from it.
//!
//! A member's identity is her [`MemberNumber`] (one connection, or one resumable member
//! across her resumes). Only numbers are kept: no reason, no content, no name.

use super::member::{Member, Place};
use super::{Departure, Hub, MemberNumber};
use crate::domain::AccessCode;
use parking_lot::Mutex;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use time::OffsetDateTime;

/// One group's blocks, reports and removals; kept until the group expires or closes.
pub(super) struct Safety {
    /// Unordered pairs (the lower number first) never to be paired again.
    blocked: HashSet<(MemberNumber, MemberNumber)>,
    /// For each reported member, the distinct members who reported her.
    reporters: HashMap<MemberNumber, HashSet<MemberNumber>>,
    /// Members removed from the group: their joins are refused.
    removed: HashSet<MemberNumber>,
    /// When the group expires (the hub forgets the record then).
    pub(super) expires_at: OffsetDateTime,
}

impl Safety {
    fn new(expires_at: OffsetDateTime) -> Self {
        Self {
            blocked: HashSet::new(),
            reporters: HashMap::new(),
            removed: HashSet::new(),
            expires_at,
        }
    }

    /// Whether `a` and `b` may never be paired in this group.
    pub(super) fn is_blocked(&self, a: MemberNumber, b: MemberNumber) -> bool {
        self.blocked.contains(&(a.min(b), a.max(b)))
    }

    /// Every blocked pair.
    pub(super) fn blocked_pairs(&self) -> impl Iterator<Item = (MemberNumber, MemberNumber)> + '_ {
        self.blocked.iter().copied()
    }

    /// Whether `member` was removed from this group.
    pub(super) fn is_removed(&self, member: MemberNumber) -> bool {
        self.removed.contains(&member)
    }

    fn block(&mut self, a: MemberNumber, b: MemberNumber) {
        self.blocked.insert((a.min(b), a.max(b)));
    }

    /// Counts `reporter`'s report of `reported`; true when this report makes her reach
    /// `threshold` distinct reporters (she is removed then, once).
    fn report(&mut self, reporter: MemberNumber, reported: MemberNumber, threshold: usize) -> bool {
        let reporters = self.reporters.entry(reported).or_default();
        reporters.insert(reporter);
        reporters.len() >= threshold && self.removed.insert(reported)
    }
}

/// How a member parts from her partner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Parting {
    /// `block`: the two are never paired again in the group.
    Block,
    /// `report`: as a block, and counted; `threshold` distinct reporters remove a member.
    Report {
        /// Distinct reporters that remove a member (`--report-threshold`).
        threshold: usize,
    },
}

/// A block or report: the room she left, and whoever was removed by it.
#[derive(Debug, PartialEq)]
pub struct Parted<M> {
    /// The room she left; her partner still there is told `partner_left` (`left`).
    pub departure: Departure<M>,
    /// The reported member, when this report removed her from the group (and she is
    /// still connected, or away and resumable).
    pub removal: Option<Removal<M>>,
}

/// A member removed from a group by reports.
#[derive(Debug, PartialEq)]
pub struct Removal<M> {
    /// The removed member, to be told `removed`.
    pub member: M,
    /// The room she had to leave (with another partner), if any.
    pub departure: Option<Departure<M>>,
}

impl<M: Clone> Hub<M> {
    /// `block {room}` or `report {room, reason}`: ends her chat in `room` and keeps her
    /// and that partner apart in the room's group for good; a report also counts against
    /// the partner, who is removed from the group at the threshold: out of her lobby or
    /// room, and her joins of it refused. `None` (and no effect) when she is not in `room`.
    pub fn part(&self, member: &Arc<Member<M>>, room: &str, parting: Parting) -> Option<Parted<M>> {
        let (departure, met, group) = {
            let _request = member.request.lock();
            let (room, met, group) = match &member.state.lock().place {
                Place::Room(seat) if seat.room.as_str() == room => {
                    (seat.room.clone(), seat.met.clone(), seat.group.clone())
                }
                _ => return None,
            };
            (self.leave_seat(member, room), met, group)
        };
        let removed = {
            let safety = self
                .safety
                .entry(group.code)
                .or_insert_with(|| Arc::new(Mutex::new(Safety::new(group.expires_at))))
                .clone();
            let mut safety = safety.lock();
            safety.block(member.number(), met.number);
            match parting {
                Parting::Block => false,
                Parting::Report { threshold } => {
                    safety.report(member.number(), met.number, threshold)
                }
            }
        };
        // Her request lock is released first: two members reporting each other at once
        // must not wait for each other.
        let removal = match removed {
            true => met.member.upgrade().map(|met| {
                met.state.lock().removed = true;
                Removal {
                    departure: self.leave(&met),
                    member: met.handle().clone(),
                }
            }),
            false => None,
        };
        Some(Parted { departure, removal })
    }

    /// `code`'s blocks and reports, if it has any.
    pub(super) fn safety_of(&self, code: &AccessCode) -> Option<Arc<Mutex<Safety>>> {
        self.safety.get(code).map(|s| s.value().clone())
    }

    /// Forgets the blocks and reports of groups expired at `now`, and of `closed`.
    pub(super) fn forget_safety(&self, now: OffsetDateTime, closed: Option<&AccessCode>) {
        self.safety
            .retain(|code, s| Some(code) != closed && s.lock().expires_at > now);
    }
}
