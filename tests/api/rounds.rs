//! docs/protocol.md section 8, timed rounds: the owner starts a series; at each round
//! everyone present meets someone new, an odd one out sits out once, and the series ends.

use crate::helpers::*;
use crate::raw::RawMember;
use crate::resumable::Resumable;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;

/// Longer than a round and its break: the wait for a round's events.
const ROUND_WAIT: Duration = Duration::from_secs(20);

impl TestApp {
    /// `method` on the group's rounds with the owner's token (or `token`).
    pub async fn rounds_request(
        &self,
        method: reqwest::Method,
        group: &CreatedGroup,
        token: Option<&str>,
        body: Option<Value>,
    ) -> reqwest::Response {
        let url = self.url(&format!("/groups/{}/rounds", group.code));
        let mut request = self.http.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    /// The series' state as its owner reads it (asserted 200).
    pub async fn rounds_state(&self, group: &CreatedGroup) -> Value {
        let response = self
            .rounds_request(reqwest::Method::GET, group, Some(&group.owner_token), None)
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Stops the series as its owner (asserted 204).
    pub async fn stop_rounds(&self, group: &CreatedGroup) {
        let response = self
            .rounds_request(
                reqwest::Method::DELETE,
                group,
                Some(&group.owner_token),
                None,
            )
            .await;
        assert_eq!(response.status(), 204);
    }

    /// Starts a series as the owner; returns its state (asserted 201).
    pub async fn start_rounds(&self, group: &CreatedGroup, body: Value) -> Value {
        let response = self
            .rounds_request(
                reqwest::Method::POST,
                group,
                Some(&group.owner_token),
                Some(body),
            )
            .await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }
}

/// What `member` got at round `round`: her partner's id, or `None` for a bye.
async fn round_of(member: &mut TestMember, round: u64) -> Option<String> {
    let (event, payload) = member
        .next_of(&["round_started", "round_bye"], ROUND_WAIT)
        .await;
    assert_eq!(payload["round"], round, "{event} {payload}");
    assert_eq!(payload["of"], 3, "{event} {payload}");
    assert!(payload["ends_at"].is_string(), "{event} {payload}");
    if event == "round_bye" {
        return None;
    }
    let joined = member.next_event("join_room").await;
    Some(joined["match"]["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn nine_members_three_rounds_four_pairs_and_one_bye_each_no_repeats_three_byes() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let mut members = Vec::new();
    for i in 0..9 {
        members.push(app.joined_with_id(&group.code, &format!("M{i}")).await);
    }
    let state = app
        .start_rounds(
            &group,
            json!({"round_seconds": 10, "break_seconds": 2, "rounds": 3}),
        )
        .await;
    assert_eq!(
        (&state["round"], &state["of"], &state["phase"]),
        (&json!(1), &json!(3), &json!("round"))
    );
    let mut met = HashSet::new();
    let mut byes = Vec::new();
    for round in 1..=3 {
        let got = futures_util::future::join_all(
            members
                .iter_mut()
                .map(|(member, _)| round_of(member, round)),
        )
        .await;
        let mut pairs = 0;
        for ((_, id), partner) in members.iter().zip(&got) {
            match partner {
                None => byes.push(id.clone()),
                Some(partner) => {
                    pairs += 1;
                    let pair = if id < partner {
                        (id.clone(), partner.clone())
                    } else {
                        (partner.clone(), id.clone())
                    };
                    if id < partner {
                        assert!(met.insert(pair), "round {round}: a pair met again");
                    }
                }
            }
        }
        assert_eq!(pairs, 8, "round {round}: four pairs");
        assert_eq!(byes.len(), round as usize, "round {round}: one bye");
        if round < 3 {
            let state: Value = app.rounds_state(&group).await;
            assert_eq!(state["round"], round);
        }
    }
    assert_eq!(
        byes.iter().collect::<HashSet<_>>().len(),
        3,
        "three different byes"
    );
    for (member, _) in &mut members {
        member.next_of(&["rounds_finished"], ROUND_WAIT).await;
    }
    let state: Value = app.rounds_state(&group).await;
    assert_eq!(state["phase"], "finished");
}

#[tokio::test]
async fn the_owner_api_checks_the_token_and_each_value_and_allows_one_series_at_a_time() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let good = json!({"round_seconds": 10, "rounds": 2});
    let post = reqwest::Method::POST;
    let response = app
        .rounds_request(post.clone(), &group, None, Some(good.clone()))
        .await;
    assert_eq!(response.status(), 401);
    let response = app
        .rounds_request(
            post.clone(),
            &group,
            Some("not-the-token"),
            Some(good.clone()),
        )
        .await;
    assert_eq!(response.status(), 403);
    for (body, code) in [
        (
            json!({"round_seconds": 9, "rounds": 2}),
            "invalid_round_seconds",
        ),
        (
            json!({"round_seconds": 3601, "rounds": 2}),
            "invalid_round_seconds",
        ),
        (
            json!({"round_seconds": "10", "rounds": 2}),
            "invalid_round_seconds",
        ),
        (json!({"rounds": 2}), "invalid_round_seconds"),
        (
            json!({"round_seconds": 10, "rounds": 2, "break_seconds": 601}),
            "invalid_break_seconds",
        ),
        (
            json!({"round_seconds": 10, "rounds": 2, "break_seconds": -1}),
            "invalid_break_seconds",
        ),
        (json!({"round_seconds": 10, "rounds": 0}), "invalid_rounds"),
        (json!({"round_seconds": 10, "rounds": 51}), "invalid_rounds"),
        (
            json!({"round_seconds": 10.5, "rounds": 2}),
            "invalid_round_seconds",
        ),
        (json!([1, 2]), "invalid_json"),
    ] {
        let response = app
            .rounds_request(
                post.clone(),
                &group,
                Some(&group.owner_token),
                Some(body.clone()),
            )
            .await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code, "{body}");
    }
    let get = reqwest::Method::GET;
    let response = app
        .rounds_request(get.clone(), &group, Some(&group.owner_token), None)
        .await;
    assert_eq!(response.status(), 404, "no series yet");
    let state = app.start_rounds(&group, good.clone()).await;
    assert_eq!(state["phase"], "round");
    let response = app
        .rounds_request(post, &group, Some(&group.owner_token), Some(good))
        .await;
    assert_eq!(response.status(), 409);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "rounds_running");
    let response = app.rounds_request(get.clone(), &group, None, None).await;
    assert_eq!(response.status(), 401);
    let delete = reqwest::Method::DELETE;
    let response = app
        .rounds_request(delete.clone(), &group, Some(&group.owner_token), None)
        .await;
    assert_eq!(response.status(), 204);
    let response = app
        .rounds_request(delete, &group, Some(&group.owner_token), None)
        .await;
    assert_eq!(response.status(), 404);
    let response = app
        .rounds_request(get, &group, Some(&group.owner_token), None)
        .await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn a_series_stopped_mid_round_leaves_the_chats_running_as_ordinary_chats() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, mut bob, old_room) = app.pair(&group.code).await;
    app.start_rounds(
        &group,
        json!({"round_seconds": 10, "break_seconds": 0, "rounds": 2}),
    )
    .await;
    // The chat from before the series ends: round 0.
    assert_eq!(ada.next_event("round_ended").await, json!({"round": 0}));
    let started = ada.next_event("round_started").await;
    assert_eq!((&started["round"], &started["of"]), (&json!(1), &json!(2)));
    let room = ada.next_event("join_room").await["room"].clone();
    assert_ne!(room, json!(old_room));
    assert_eq!(bob.next_event("join_room").await["room"], room);
    // The ended room is closed to them, also between two sockets of one node.
    let ack = ada
        .request("message", json!({"room": old_room, "text": "old room"}))
        .await;
    assert_refused(&ack, "not_in_room");
    app.stop_rounds(&group).await;
    for member in [&mut ada, &mut bob] {
        assert_eq!(member.next_event("rounds_stopped").await, json!({}));
    }
    // Past the round's end: the chat goes on, with no round event.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let ack = ada
        .request("message", json!({"room": room, "text": "still talking"}))
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(
        bob.next_chat().await["text"],
        "still talking",
        "nothing came through the ended room"
    );
    bob.assert_no("round_ended").await;
    bob.assert_no("round_started").await;
}

#[tokio::test]
async fn latecomers_wait_meet_each_other_mid_round_and_join_the_next_round() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, _) = app.joined_with_id(&group.code, "Ada").await;
    let (mut bob, _) = app.joined_with_id(&group.code, "Bob").await;
    app.start_rounds(
        &group,
        json!({"round_seconds": 10, "break_seconds": 0, "rounds": 2}),
    )
    .await;
    for member in [&mut ada, &mut bob] {
        assert_eq!(member.next_event("round_started").await["round"], 1);
    }
    // Two latecomers: each learns of the series on joining, and they meet at once.
    let cy = app.member().await;
    let ack = cy
        .request(
            "join_group",
            json!({"access_code": group.code, "name": "Cy"}),
        )
        .await;
    assert_eq!(ack["rounds"]["round"], 1, "{ack}");
    assert_eq!(ack["rounds"]["phase"], "round");
    let (mut dee, dee_id) = app.joined_with_id(&group.code, "Dee").await;
    let mut cy = cy;
    assert_eq!(
        cy.next_event("join_room").await["match"]["id"],
        dee_id.as_str()
    );
    dee.next_event("join_room").await;
    // At round 2 all four are paired anew.
    for member in [&mut ada, &mut bob, &mut cy, &mut dee] {
        let (event, payload) = member
            .next_of(&["round_started", "round_bye"], ROUND_WAIT)
            .await;
        assert_eq!(
            (event.as_str(), &payload["round"]),
            ("round_started", &json!(2))
        );
    }
    let stats = app.stats(&group).await;
    // On joining, round 1, the latecomers, round 2 (two).
    assert_eq!(stats["pairs_formed"], 5, "{stats}");
}

#[tokio::test]
async fn a_member_who_resumes_mid_round_gets_the_round_and_her_room() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let mut ada = Resumable::join(&app, &group.code, "Ada").await;
    let (mut bob, _) = RawMember::joined(&app, 4, &group.code, "Bob").await;
    app.start_rounds(
        &group,
        json!({"round_seconds": 30, "break_seconds": 0, "rounds": 2}),
    )
    .await;
    while ada.next().await.name != "round_started" {}
    let room = ada.expect("join_room").await["room"].clone();
    bob.next_event("join_room").await;
    ada.raw.socket.close(None).await.unwrap();
    bob.next_event("partner_away").await;
    let (ack, _replayed) = ada.resume(&app).await;
    assert_eq!(ack["room"], room);
    assert_eq!(
        (&ack["rounds"]["round"], &ack["rounds"]["of"]),
        (&json!(1), &json!(2))
    );
    assert_eq!(ack["rounds"]["phase"], "round");
}

#[tokio::test]
async fn a_round_never_pairs_a_blocked_pair() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, mut bob, room) = app.pair(&group.code).await;
    let ack = ada.request("block", json!({"room": room})).await;
    assert_eq!(ack["ok"], true, "{ack}");
    app.start_rounds(&group, json!({"round_seconds": 10, "rounds": 1}))
        .await;
    for member in [&mut ada, &mut bob] {
        let (event, payload) = member
            .next_of(&["round_started", "round_bye"], ROUND_WAIT)
            .await;
        assert_eq!(
            (event.as_str(), &payload["round"]),
            ("round_bye", &json!(1))
        );
    }
}

#[tokio::test]
async fn in_a_break_everyone_waits_unpaired_and_the_counts_say_so() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, mut bob, _room) = app.pair(&group.code).await;
    app.start_rounds(
        &group,
        json!({"round_seconds": 10, "break_seconds": 3, "rounds": 2}),
    )
    .await;
    for member in [&mut ada, &mut bob] {
        assert_eq!(member.next_event("round_started").await["round"], 1);
    }
    let stats = app.stats(&group).await;
    assert_eq!(
        (&stats["waiting"], &stats["chatting"]),
        (&json!(0), &json!(2)),
        "{stats}"
    );
    assert_eq!(
        stats["pairs_formed"], 2,
        "on joining, then round 1: {stats}"
    );
    let ended = ada.next_of(&["round_ended"], ROUND_WAIT).await.1;
    assert_eq!(ended, json!({"round": 1}));
    let pause = ada.next_event("round_break").await;
    assert_eq!(pause["round"], 1);
    let stats = app.stats(&group).await;
    assert_eq!(
        (&stats["waiting"], &stats["chatting"]),
        (&json!(2), &json!(0)),
        "{stats}"
    );
    // A newcomer during the break waits too: nobody is paired until the next round.
    let cy = app.joined(&group.code, "Cy").await;
    let stats = app.stats(&group).await;
    assert_eq!(stats["waiting"], 3, "{stats}");
    let state: Value = app.rounds_state(&group).await;
    assert_eq!(
        (&state["phase"], &state["round"]),
        (&json!("break"), &json!(1))
    );
    for member in [&mut ada, &mut bob] {
        let (event, payload) = member
            .next_of(&["round_started", "round_bye"], ROUND_WAIT)
            .await;
        assert_eq!(payload["round"], 2, "{event} {payload}");
    }
    drop(cy);
}

#[tokio::test]
async fn thirty_seconds_before_a_long_round_ends_every_member_is_warned() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, mut bob, _room) = app.pair(&group.code).await;
    let cy = app.joined(&group.code, "Cy").await;
    app.start_rounds(&group, json!({"round_seconds": 60, "rounds": 1}))
        .await;
    let mut cy = cy;
    // Two meet, one sits out: all three are warned, once, 30 s before the end.
    for member in [&mut ada, &mut bob, &mut cy] {
        let (_, warning) = member
            .next_of(&["round_ending"], Duration::from_secs(40))
            .await;
        assert_eq!(warning, json!({"round": 1, "seconds_left": 30}));
    }
    app.stop_rounds(&group).await;
    ada.assert_no("round_ending").await;
}
