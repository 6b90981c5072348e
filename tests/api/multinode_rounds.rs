//! docs/protocol.md section 8 on several nodes: the node driving a series of timed rounds
//! is killed (SIGKILL) mid-series; another node takes the series over within the member
//! TTL, and no round is skipped or applied twice. Runs in the Redis pass of the suite and
//! is skipped, saying so, otherwise.

use crate::helpers::*;
use crate::multinode::nodes;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

/// Longer than a round plus the takeover: the wait for a round's events.
const ROUND_WAIT: Duration = Duration::from_secs(20);
/// Rounds in the series.
const ROUNDS: u64 = 3;

/// What `member` is told until the series finishes: how often each round started for
/// her (a bye counts as a start: she sat it out).
async fn rounds_seen(member: &mut TestMember) -> BTreeMap<u64, usize> {
    let mut seen = BTreeMap::new();
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
        *seen.entry(payload["round"].as_u64().unwrap()).or_default() += 1;
    }
}

#[tokio::test]
async fn a_series_carries_on_when_its_driving_node_is_killed_with_no_round_skipped_or_doubled() {
    let Some((none, redis)) = nodes(0).await else {
        return;
    };
    drop(none);
    let ttl = ["--member-ttl", "2s"];
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
            json!({"round_seconds": 10, "break_seconds": 0, "rounds": ROUNDS}),
        )
        .await;
    for member in &mut members {
        let (event, payload) = member
            .next_of(&["round_started", "round_bye"], ROUND_WAIT)
            .await;
        assert_eq!(
            (event.as_str(), &payload["round"]),
            ("round_started", &json!(1))
        );
    }

    driver.child.kill().unwrap(); // SIGKILL: its lease lapses after the member TTL
    driver.child.wait().unwrap();

    let seen = futures_util::future::join_all(members.iter_mut().map(rounds_seen)).await;
    let once: BTreeMap<u64, usize> = (2..=ROUNDS).map(|round| (round, 1)).collect();
    for rounds in &seen {
        assert_eq!(
            rounds, &once,
            "rounds 2 and 3 each started once for each member"
        );
    }
    let state: serde_json::Value = survivor
        .app
        .rounds_request(reqwest::Method::GET, &group, Some(&group.owner_token), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&state["round"], &state["phase"]),
        (&json!(ROUNDS), &json!("finished"))
    );
}
