use crate::domain::RoomId;
use rand::Rng;

/// The random parts of one join, drawn by the caller: every executor of the rules (the
/// [`super::Hub`], the Redis scripts) makes the same choice from the same `Choice`.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// The room the pair gets, should the join make one.
    pub room: RoomId,
    /// Picks the partner among the eligible waiters, in their order of arrival.
    pub draw: u32,
}

impl Choice {
    /// A fresh choice from `rng` (pass a CSPRNG such as `rand::rng()`: the room id is a
    /// permission).
    pub fn random(rng: &mut impl Rng) -> Self {
        Self {
            room: RoomId::generate(rng),
            draw: rng.random(),
        }
    }

    /// Which of `count` eligible waiters (in order of arrival) is chosen; `count` > 0.
    /// The same formula runs in `join.lua`.
    pub fn pick(&self, count: usize) -> usize {
        self.draw as usize % count
    }
}
