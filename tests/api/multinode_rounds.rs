//! docs/protocol.md section 8 on several nodes: the node driving a series of timed rounds
//! is killed (SIGKILL) just before a round falls due; another node takes the series over
//! within the member TTL, and no round is skipped or applied twice. Runs in the Redis pass
//! of the suite and is skipped, saying so, otherwise.

use crate::helpers::*;
use crate::multinode::nodes;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Longer than a round plus the takeover: the wait for a round's events.
const ROUND_WAIT: Duration = Duration::from_secs(20);
/// Rounds in the series.
const ROUNDS: u64 = 3;
/// Each round's length (the shortest allowed).
const ROUND_SECONDS: i64 = 10;
/// The member TTL of the nodes: a dead driver's lease lapses within it.
const TTL: time::Duration = time::Duration::seconds(2);
/// How long before round 2 falls due its driver is killed.
const BEFORE_DUE: time::Duration = time::Duration::milliseconds(1500);

/// When a round's `round_started` says it ends.
fn ends_at(started: &Value) -> OffsetDateTime {
    let text = started["ends_at"].as_str().unwrap();
    OffsetDateTime::parse(text, &Rfc3339).unwrap()
}

/// What `member` is told until the series finishes: each round's `round_started` (or
/// `round_bye`: she sat it out), as often as it came.
async fn rounds_seen(member: &mut TestMember) -> BTreeMap<u64, Vec<Value>> {
    let mut seen: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
    loop {
        let (event, payload) = member
            .next_of(
                &["round_started", "round_bye", "rounds_finished"],
                ROUND_WAIT,
            )
            .await;
        if event == "rounds_finished" {
            return seen;
        }
        let round = payload["round"].as_u64().unwrap();
        seen.entry(round).or_default().push(payload);
    }
}

#[tokio::test]
async fn a_series_carries_on_when_its_driving_node_is_killed_with_no_round_skipped_or_doubled() {
    let Some((none, redis)) = nodes(0).await else {
        return;
    };
    drop(none);
    let ttl = ["--member-ttl", "2s"]; // as TTL
    let mut driver = node_process(&redis, &ttl);
    let survivor = node_process(&redis, &ttl);
    let group = survivor.app.create_group().await;
    let mut members = Vec::new();
    for name in ["Ada", "Bob", "Cy", "Dee"] {
        members.push(survivor.app.joined(&group.code, name).await);
    }
    // Started on the node about to die: it holds the series' lease.
    driver
        .app
        .start_rounds(
            &group,
            json!({"round_seconds": ROUND_SECONDS, "break_seconds": 0, "rounds": ROUNDS}),
        )
        .await;
    let mut first_ends = None;
    for member in &mut members {
        let (event, payload) = member
            .next_of(&["round_started", "round_bye"], ROUND_WAIT)
            .await;
        assert_eq!(
            (event.as_str(), &payload["round"]),
            ("round_started", &json!(1))
        );
        first_ends = Some(ends_at(&payload));
    }
    let first_ends = first_ends.unwrap();
    // Only time brings the next step near: the driver dies just before it falls due.
    let until_kill = first_ends - BEFORE_DUE - OffsetDateTime::now_utc();
    tokio::time::sleep(until_kill.try_into().unwrap_or_default()).await;
    driver.child.kill().unwrap(); // SIGKILL: its lease lapses after the member TTL
    driver.child.wait().unwrap();

    let seen = futures_util::future::join_all(members.iter_mut().map(rounds_seen)).await;
    for rounds in &seen {
        let counts: Vec<(u64, usize)> = rounds.iter().map(|(r, s)| (*r, s.len())).collect();
        assert_eq!(
            counts,
            [(2, 1), (3, 1)],
            "rounds 2 and 3 each started once for each member"
        );
        let second_started = ends_at(&rounds[&2][0]) - time::Duration::seconds(ROUND_SECONDS);
        let late = second_started - first_ends;
        assert!(
            late < TTL + time::Duration::seconds(1),
            "round 2 started {late} after it fell due: the takeover took longer than the TTL"
        );
    }
    let state: Value = survivor.app.rounds_state(&group).await;
    assert_eq!(
        (&state["round"], &state["phase"]),
        (&json!(ROUNDS), &json!("finished"))
    );
}
