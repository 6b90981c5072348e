use super::{Choice, Member, MemberNumber};
use crate::domain::DisplayName;
use std::sync::Arc;
use time::OffsetDateTime;

/// One group's waiting members.
///
/// Invariant (docs/protocol.md section 3): between requests no two waiters are eligible for
/// each other, so a lobby at rest holds at most two members (a pair who just parted).
pub(super) struct Lobby<M> {
    pub(super) waiting: Vec<Waiter<M>>,
    /// When the group expires; the hub closes the lobby then.
    pub(super) expires_at: OffsetDateTime,
    /// Set when the lobby left the hub's map; a request that finds it set starts over.
    pub(super) retired: bool,
}

pub(super) struct Waiter<M> {
    pub(super) member: Arc<Member<M>>,
    pub(super) name: DisplayName,
    pub(super) last_partner: Option<MemberNumber>,
}

/// Two members may be paired unless one was the other's most recent partner. (Whether
/// each is present, not away, is checked apart: see [`Lobby::take_partner`].)
pub(super) fn eligible(
    a: MemberNumber,
    a_last: Option<MemberNumber>,
    b: MemberNumber,
    b_last: Option<MemberNumber>,
) -> bool {
    a != b && a_last != Some(b) && b_last != Some(a)
}

impl<M> Lobby<M> {
    pub(super) fn new(expires_at: OffsetDateTime) -> Self {
        Self {
            waiting: Vec::new(),
            expires_at,
            retired: false,
        }
    }

    /// Takes out a partner for `id`, the one `choice` picks among the eligible waiters
    /// who are present (not away) and not `blocked` with her, in their order of arrival,
    /// or `None` when nobody is.
    pub(super) fn take_partner(
        &mut self,
        id: MemberNumber,
        last_partner: Option<MemberNumber>,
        blocked: impl Fn(MemberNumber, MemberNumber) -> bool,
        choice: &Choice,
    ) -> Option<Waiter<M>> {
        let is_eligible = |w: &Waiter<M>| {
            eligible(id, last_partner, w.member.number(), w.last_partner)
                && !w.member.is_away()
                && !blocked(id, w.member.number())
        };
        let count = self.waiting.iter().filter(|w| is_eligible(w)).count();
        if count == 0 {
            return None;
        }
        let chosen = choice.pick(count);
        let index = self
            .waiting
            .iter()
            .enumerate()
            .filter(|(_, w)| is_eligible(w))
            .nth(chosen)
            .map(|(i, _)| i)?;
        // `remove`, not `swap_remove`: the waiters stay in their order of arrival.
        Some(self.waiting.remove(index))
    }

    /// Takes `id` out of the lobby, if she waits there.
    pub(super) fn remove(&mut self, id: MemberNumber) -> Option<Waiter<M>> {
        let index = self.waiting.iter().position(|w| w.member.number() == id)?;
        Some(self.waiting.remove(index))
    }
}
