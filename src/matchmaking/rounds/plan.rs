//! What one round decides: who meets whom, and who sits out.

/// The outcome of [`pair_round`](super::pair_round) for one round: every present member
/// appears exactly once, either in one pair or among the byes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundPlan<T> {
    /// The pairs to put in a room together for this round.
    pub pairs: Vec<(T, T)>,
    /// The members who sit out this round (each gets `round_bye {round}`).
    pub byes: Vec<T>,
}
