use crate::helpers::*;
use serde_json::json;
use std::collections::HashSet;

#[tokio::test]
async fn two_members_of_a_group_are_paired_and_told_each_other_names() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let mut ada = app.member().await;
    let ack = ada
        .request(
            "join_group",
            json!({"access_code": group.code, "name": "Ada"}),
        )
        .await;
    assert_eq!(ack["ok"], true);
    assert_eq!(ack["group"]["access_code"], group.code.as_str());
    assert_eq!(ack["group"]["name"], "Book club");
    assert!(ack["group"].get("owner_token").is_none());
    let mut bob = app.joined(&group.code, "Bob").await;
    let to_ada = ada.next_event("join_room").await;
    let to_bob = bob.next_event("join_room").await;
    assert_eq!(to_ada["room"], to_bob["room"]);
    assert_eq!(to_ada["room"].as_str().unwrap().len(), 32);
    assert_eq!(to_ada["user"], "Ada");
    assert_eq!(to_ada["match"]["name"], "Bob");
    assert_eq!(to_bob["user"], "Bob");
    assert_eq!(to_bob["match"]["name"], "Ada");
    assert!(
        to_ada["match"]["sid"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_ne!(to_ada["match"]["sid"], to_bob["match"]["sid"]);
    let keys: Vec<_> = to_ada.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, vec!["match", "room", "user"]);
    assert_eq!(ada.next_event("message").await, "Bob connected.");
    assert_eq!(bob.next_event("message").await, "Bob connected.");
}

#[tokio::test]
async fn a_name_defaults_to_anonymous() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let a = app.member().await;
    a.request("join_group", json!({"access_code": group.code}))
        .await;
    let mut b = app.joined(&group.code, "Bob").await;
    assert_eq!(
        b.next_event("join_room").await["match"]["name"],
        "Anonymous"
    );
}

#[tokio::test]
async fn members_of_other_groups_are_never_paired() {
    let app = spawn_app().await;
    let first = app.create_group().await;
    let second = app.create_group().await;
    let mut a = app.joined(&first.code, "Ada").await;
    let mut b = app.joined(&second.code, "Bob").await;
    a.assert_no("join_room").await;
    b.assert_no("join_room").await;
}

#[tokio::test]
async fn leaving_with_return_to_rematches_with_someone_new() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, mut bob, room) = app.pair(&group.code).await;
    let ack = ada
        .request("leave", json!({"room": room, "return_to": group.code}))
        .await;
    assert_eq!(ack["ok"], true);
    let left = bob.next_event("partner_left").await;
    assert_eq!(left, json!({"room": room, "reason": "left"}));
    assert_eq!(
        bob.next_event("message").await,
        format!("A User left the {room} room")
    );
    // Bob waits too now; he and Ada may not meet again at once.
    bob.request("next", json!({})).await;
    ada.assert_no("join_room").await;
    let mut cy = app.joined(&group.code, "Cy").await;
    let to_cy = cy.next_event("join_room").await;
    assert_ne!(to_cy["room"], room.as_str());
    let partner = to_cy["match"]["name"].as_str().unwrap().to_owned();
    assert!(partner == "Ada" || partner == "Bob");
}

#[tokio::test]
async fn next_moves_on_and_tells_the_partner() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (ada, mut bob, room) = app.pair(&group.code).await;
    let ack = ada.request("next", json!({})).await;
    assert_eq!(ack["ok"], true);
    assert_eq!(
        bob.next_event("partner_left").await,
        json!({"room": room, "reason": "next"})
    );
    // Bob is alone in the room and still hears himself (compat).
    let echo = bob
        .request("message", json!({"room": room, "text": "anyone?"}))
        .await;
    assert_eq!(echo["ok"], true);
    assert_eq!(bob.next_chat().await["text"], "anyone?");
    // After his partner left, next takes him back to the lobby too.
    let again = bob.request("next", json!({})).await;
    assert_eq!(again["ok"], true);
    let mut cy = app.joined(&group.code, "Cy").await;
    let paired = cy.next_event("join_room").await;
    let partner = paired["match"]["name"].as_str().unwrap();
    assert!(partner == "Ada" || partner == "Bob");
}

#[tokio::test]
async fn next_without_a_group_is_refused() {
    let app = spawn_app().await;
    let lone = app.member().await;
    assert_refused(&lone.request("next", json!({})).await, "not_in_group");
}

#[tokio::test]
async fn a_disconnect_tells_the_partner_and_removes_the_member() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (ada, mut bob, room) = app.pair(&group.code).await;
    ada.disconnect().await;
    assert_eq!(
        bob.next_event("partner_left").await,
        json!({"room": room, "reason": "disconnected"})
    );
    let waiting = app.joined(&group.code, "Cy").await;
    waiting.disconnect().await;
    // The next joiner must not be paired with Cy, who is gone.
    let mut dan = app.joined(&group.code, "Dan").await;
    dan.assert_no("join_room").await;
}

#[tokio::test]
async fn joining_another_group_leaves_the_room_and_tells_the_partner() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let other = app.create_group().await;
    let (ada, mut bob, room) = app.pair(&group.code).await;
    ada.request(
        "join_group",
        json!({"access_code": other.code, "name": "Ada"}),
    )
    .await;
    assert_eq!(bob.next_event("partner_left").await["room"], room.as_str());
    let outsider = ada
        .request("message", json!({"room": room, "text": "x"}))
        .await;
    assert_refused(&outsider, "not_in_room");
}

#[tokio::test]
async fn two_hundred_simultaneous_joins_make_one_hundred_disjoint_pairs() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let mut members = Vec::new();
    for _ in 0..200 {
        members.push(app.member().await);
    }
    let joins = members.iter().enumerate().map(|(i, m)| {
        m.request(
            "join_group",
            json!({"access_code": group.code, "name": format!("m{i}")}),
        )
    });
    for ack in futures_util::future::join_all(joins).await {
        assert_eq!(ack["ok"], true);
    }
    let mut rooms: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (i, member) in members.iter_mut().enumerate() {
        let paired = member.next_event("join_room").await;
        assert_eq!(paired["user"], format!("m{i}"));
        rooms
            .entry(paired["room"].as_str().unwrap().to_owned())
            .or_default()
            .push(paired["user"].as_str().unwrap().to_owned());
    }
    assert_eq!(rooms.len(), 100);
    let mut everyone = HashSet::new();
    for pair in rooms.values() {
        assert_eq!(pair.len(), 2);
        assert_ne!(pair[0], pair[1]);
        for name in pair {
            assert!(everyone.insert(name.clone()), "{name} is in two rooms");
        }
    }
    assert!(app.metrics().await.contains("circle_matches_total 100"));
}
