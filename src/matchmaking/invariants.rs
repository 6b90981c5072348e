//! The section 3 invariant, checked against the hub's records in tests.

use super::Hub;
use super::member::{Member, Place};
use std::sync::Arc;

impl<M: Clone> Hub<M> {
    /// Panics unless docs/protocol.md section 3's invariant holds: every member is in at most one
    /// place, the hub's records agree with hers, and no two waiters of a lobby are
    /// eligible for each other. Only meaningful while no request is running.
    pub(crate) fn check_invariants(&self, members: &[Arc<Member<M>>]) {
        use super::lobby::eligible;
        use std::collections::HashMap;
        let mut seen: HashMap<super::MemberNumber, &'static str> = HashMap::new();
        let mut seated: HashMap<crate::domain::AccessCode, usize> = HashMap::new();
        for (code, lobby) in self.lobby_snapshot() {
            let lobby = lobby.lock();
            let safety = self.safety_of(&code);
            let blocked = |a, b| safety.as_ref().is_some_and(|s| s.lock().is_blocked(a, b));
            assert!(!lobby.retired, "a retired lobby is still listed");
            assert!(!lobby.waiting.is_empty(), "an empty lobby is still listed");
            for (i, a) in lobby.waiting.iter().enumerate() {
                assert!(
                    seen.insert(a.member.number(), "lobby").is_none(),
                    "member in two places"
                );
                assert!(matches!(&a.member.state.lock().place, Place::Lobby(c) if *c == code));
                for b in &lobby.waiting[i + 1..] {
                    let pairable = eligible(
                        a.member.number(),
                        a.last_partner,
                        b.member.number(),
                        b.last_partner,
                    ) && !blocked(a.member.number(), b.member.number());
                    let present = !a.member.is_away() && !b.member.is_away();
                    assert!(
                        !(pairable && present),
                        "two eligible members wait in one lobby"
                    );
                }
            }
        }
        for entry in self.rooms.iter() {
            let present: Vec<_> = entry.value().iter().flatten().collect();
            assert!(!present.is_empty(), "an empty room is still open");
            for m in &present {
                assert!(
                    seen.insert(m.number(), "room").is_none(),
                    "member in two places"
                );
                let state = m.state.lock();
                let Place::Room(seat) = &state.place else {
                    panic!("a seated member does not know her room");
                };
                assert!(seat.room == *entry.key());
                *seated.entry(seat.group.code.clone()).or_default() += 1;
                let partner = seat.partner.as_ref().map(|p| p.number());
                let other = present
                    .iter()
                    .map(|o| o.number())
                    .find(|id| *id != m.number());
                assert_eq!(partner, other, "seat and room disagree about the partner");
            }
        }
        let counted: HashMap<_, _> = self
            .tallies
            .iter()
            .map(|entry| (entry.key().clone(), entry.value().seated))
            .filter(|(_, n)| *n > 0)
            .collect();
        assert_eq!(counted, seated, "a group's seated count drifted");
        for m in members {
            let placed = !matches!(m.state.lock().place, Place::Nowhere);
            assert_eq!(
                placed,
                seen.contains_key(&m.number()),
                "member's place is unknown to the hub"
            );
        }
    }
}
