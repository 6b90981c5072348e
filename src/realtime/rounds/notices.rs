//! What members are told as a series runs (docs/protocol.md section 8).

use super::Stepped;
use crate::realtime::Handle;
use crate::realtime::notices;
use crate::series::{Series, Step, WARNING_SECONDS};
use crate::wire::at_millis;
use serde::Serialize;

#[derive(Serialize)]
struct RoundOnly {
    round: u32,
}

#[derive(Serialize)]
struct RoundStarted {
    round: u32,
    of: u32,
    ends_at: String,
}

#[derive(Serialize)]
struct RoundEnding {
    round: u32,
    seconds_left: u32,
}

#[derive(Serialize)]
struct RoundBreak {
    round: u32,
    ends_at: String,
}

#[derive(Serialize)]
struct Finished {}

#[derive(Serialize)]
struct Stopped {}

/// Tells the group's present members that its owner stopped the series.
pub fn stopped<H: Handle>(present: &[H]) {
    for member in present {
        member.emit("rounds_stopped", &Stopped {});
    }
}

/// Tells everyone `step` concerns, in order: ended rooms first, then the new pairs (each
/// `round_started` before its `join_room`), the byes, and the whole group's notices.
pub async fn tell<H: Handle>(step: Step, stepped: &Stepped<H>, prompts: &crate::domain::Prompts) {
    let series = &stepped.series;
    let ended_round = match step {
        Step::Start { round } => round - 1,
        Step::Warn { round } | Step::Break { round } | Step::Finish { round } => round,
    };
    for (_, member) in &stepped.ended {
        member.emit("round_ended", &RoundOnly { round: ended_round });
    }
    if let Step::Start { round } = step {
        let started = RoundStarted {
            round,
            of: series.settings.rounds,
            ends_at: at_millis(series.ends_at_ms),
        };
        for pair in &stepped.pairs {
            pair.own.emit("round_started", &started);
            pair.partner.emit("round_started", &started);
            let prompt = prompts.pick(&mut rand::rng()).map(str::to_owned);
            notices::pair_formed(&pair.own, pair, prompt).await;
        }
        for member in &stepped.byes {
            member.emit("round_bye", &started);
        }
    }
    for pair in &stepped.ordinary {
        let prompt = prompts.pick(&mut rand::rng()).map(str::to_owned);
        notices::pair_formed(&pair.own, pair, prompt).await;
    }
    for member in &stepped.present {
        tell_group(step, series, member);
    }
}

fn tell_group<H: Handle>(step: Step, series: &Series, member: &H) {
    match step {
        Step::Start { .. } => {}
        Step::Warn { round } => member.emit(
            "round_ending",
            &RoundEnding {
                round,
                seconds_left: WARNING_SECONDS,
            },
        ),
        Step::Break { round } => member.emit(
            "round_break",
            &RoundBreak {
                round,
                ends_at: at_millis(series.ends_at_ms),
            },
        ),
        Step::Finish { .. } => member.emit("rounds_finished", &Finished {}),
    }
}
