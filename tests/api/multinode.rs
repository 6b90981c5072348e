//! Several nodes on one Redis (docs/protocol.md section 5). These run in the Redis pass of the
//! suite (`CIRCLE_TEST_BACKEND=redis`) and are skipped, saying so, otherwise.

use crate::helpers::*;
use crate::private_redis::PrivateRedis;
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// `n` nodes sharing one fresh key prefix, with the guard that deletes its keys.
pub async fn nodes(n: usize) -> Option<(Vec<TestApp>, RedisPrefix)> {
    let Some(url) = redis_url() else {
        eprintln!("SKIPPED: multi-node tests need CIRCLE_TEST_BACKEND=redis");
        return None;
    };
    let shared = RedisPrefix::fresh(&url);
    let mut apps = Vec::new();
    for _ in 0..n {
        let prefix = shared.prefix.clone();
        apps.push(spawn_app_with(move |c| c.redis_prefix = prefix).await);
    }
    Some((apps, shared))
}

#[tokio::test]
async fn members_on_different_nodes_are_paired_and_chat_both_ways() {
    let Some((nodes, _redis)) = nodes(3).await else {
        return;
    };
    let group = nodes[0].create_group().await;
    let on_c = nodes[2].get(&format!("/groups/{}", group.code)).await;
    assert_eq!(on_c.status(), 200, "a group created on A is known on C");
    let mut ada = nodes[0].joined(&group.code, "Ada").await;
    let mut cy = nodes[2].joined(&group.code, "Cy").await;
    let to_ada = ada.next_event("join_room").await;
    let to_cy = cy.next_event("join_room").await;
    assert_eq!(to_ada["room"], to_cy["room"]);
    assert_eq!(to_ada["match"]["name"], "Cy");
    assert_eq!(to_cy["match"]["name"], "Ada");
    let room = to_ada["room"].as_str().unwrap().to_owned();
    let hello = json!({"room": room, "text": "hello from A"});
    assert_eq!(ada.request("message", hello.clone()).await["ok"], true);
    assert_eq!(cy.next_chat().await, hello);
    assert_eq!(ada.next_chat().await, hello);
    let reply = json!({"room": room, "text": "hello from C"});
    cy.emit("message", reply.clone()).await;
    assert_eq!(ada.next_chat().await, reply);
    cy.request("leave", json!({"room": room})).await;
    assert_eq!(
        ada.next_event("partner_left").await,
        json!({"room": room, "reason": "left"})
    );
}

#[tokio::test]
async fn three_hundred_joins_over_three_nodes_make_one_hundred_fifty_disjoint_pairs() {
    let Some((nodes, _redis)) = nodes(3).await else {
        return;
    };
    let group = nodes[1].create_group().await;
    let mut members = Vec::new();
    for i in 0..300 {
        members.push(nodes[i % 3].member().await);
    }
    let joins = members.iter().enumerate().map(|(i, m)| {
        m.request(
            "join_group",
            json!({"access_code": group.code, "name": format!("m{i}")}),
        )
    });
    for ack in futures_util::future::join_all(joins).await {
        assert_eq!(ack["ok"], true, "{ack}");
    }
    let mut rooms: HashMap<String, Vec<String>> = HashMap::new();
    for member in &mut members {
        let paired = member.next_event("join_room").await;
        rooms
            .entry(paired["room"].as_str().unwrap().to_owned())
            .or_default()
            .push(paired["user"].as_str().unwrap().to_owned());
    }
    assert_eq!(rooms.len(), 150);
    let mut everyone = HashSet::new();
    for pair in rooms.values() {
        assert_eq!(pair.len(), 2);
        for name in pair {
            assert!(everyone.insert(name.clone()), "{name} is in two rooms");
        }
    }
}

#[tokio::test]
async fn a_closed_group_tells_its_waiters_on_every_node() {
    let Some((nodes, _redis)) = nodes(2).await else {
        return;
    };
    let group = nodes[0].create_group().await;
    let mut waiting = nodes[1].joined(&group.code, "Ada").await;
    assert_eq!(nodes[0].close_group(&group).await.status(), 204);
    assert_eq!(
        waiting.next_event("group_closed").await["access_code"],
        group.code.as_str()
    );
}

#[tokio::test]
async fn a_killed_node_s_members_are_never_matched_and_their_partners_are_told() {
    let Some((survivors, redis)) = nodes(0).await else {
        return;
    };
    drop(survivors);
    let ttl = "2s";
    let mut doomed = node_process(&redis, &["--member-ttl", ttl]);
    let survivor = node_process(&redis, &["--member-ttl", ttl]);
    let group = survivor.app.create_group().await;
    let mut ada = doomed.app.joined(&group.code, "Ada").await;
    let mut bob = survivor.app.joined(&group.code, "Bob").await;
    let room = bob.next_event("join_room").await["room"].clone();
    ada.next_event("join_room").await;
    let _waiting = doomed.app.joined(&group.code, "Cy").await;

    doomed.child.kill().unwrap(); // SIGKILL: no goodbye, no cleanup
    doomed.child.wait().unwrap();
    let killed_at = std::time::Instant::now();

    // Bob hears that Ada is gone once her record lapses (TTL 2 s) and his node looks.
    let left = tokio::time::timeout(
        std::time::Duration::from_secs(7),
        bob.next_event("partner_left"),
    )
    .await
    .expect("partner_left within the TTL plus 5 s");
    assert_eq!(left, json!({"room": room, "reason": "disconnected"}));
    assert!(killed_at.elapsed() < std::time::Duration::from_secs(7));

    // Cy, who was waiting on the dead node, is never paired again.
    if let Some(rest) = std::time::Duration::from_secs(2).checked_sub(killed_at.elapsed()) {
        tokio::time::sleep(rest).await; // only time passing can expire her record
    }
    let mut dan = survivor.app.joined(&group.code, "Dan").await;
    dan.assert_no("join_room").await;
    let mut eve = survivor.app.joined(&group.code, "Eve").await;
    assert_eq!(eve.next_event("join_room").await["match"]["name"], "Dan");
}

/// Polls `check` every 100 ms until it holds, for at most ten seconds.
pub async fn within_ten_seconds(mut check: impl AsyncFnMut() -> bool, what: &str) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn nodes_ride_out_a_redis_restart() {
    if redis_url().is_none() {
        eprintln!("SKIPPED: the Redis outage test needs CIRCLE_TEST_BACKEND=redis");
        return;
    }
    let mut redis = PrivateRedis::start();
    let url = redis.url();
    let private = |c: &mut circle::config::Config| {
        c.redis_url = Some(url.clone());
        c.redis_prefix = "outage".into();
    };
    let a = spawn_app_with(private).await;
    let b = spawn_app_with(private).await;
    let group = a.create_group().await;
    let (ada, mut bob, room) = a.pair(&group.code).await;

    redis.stop();
    within_ten_seconds(async || a.get("/readyz").await.status() == 503, "not ready").await;
    let refused = a.member().await;
    let ack = refused
        .request("join_group", json!({"access_code": group.code}))
        .await;
    assert_refused(&ack, "unavailable");
    // Both members of this chat are on node A: it carries on without Redis.
    let during = json!({"room": room, "text": "during the outage"});
    assert_eq!(ada.request("message", during.clone()).await["ok"], true);
    assert_eq!(bob.next_chat().await, during);

    redis.restart();
    for node in [&a, &b] {
        within_ten_seconds(
            async || node.get("/readyz").await.status() == 200,
            "ready again",
        )
        .await;
    }
    // The group from before the outage is still there, and new pairs form across nodes.
    let mut cy = a.joined(&group.code, "Cy").await;
    let mut dan = b.joined(&group.code, "Dan").await;
    let paired = cy.next_event("join_room").await;
    assert_eq!(paired["match"]["name"], "Dan");
    assert_eq!(dan.next_event("join_room").await["room"], paired["room"]);
    let after = json!({"room": paired["room"], "text": "after the outage"});
    let ack = cy.request("message", after.clone()).await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(dan.next_chat().await, after);
    let reply = json!({"room": paired["room"], "text": "heard you"});
    dan.emit("message", reply.clone()).await;
    assert_eq!(cy.next_chat().await, after, "her own message first");
    assert_eq!(cy.next_chat().await, reply);
}

/// How many PUBLISH commands `redis` has run.
fn publishes(redis: &PrivateRedis) -> u64 {
    let mut conn = redis::Client::open(redis.url())
        .unwrap()
        .get_connection()
        .unwrap();
    let stats: String = redis::cmd("INFO")
        .arg("commandstats")
        .query(&mut conn)
        .unwrap();
    stats
        .lines()
        .find_map(|line| line.strip_prefix("cmdstat_publish:calls="))
        .and_then(|rest| rest.split(',').next())
        .map_or(0, |calls| calls.parse().unwrap())
}

#[tokio::test]
async fn a_pair_on_one_node_chats_without_publishing_to_redis() {
    if redis_url().is_none() {
        eprintln!("SKIPPED: needs CIRCLE_TEST_BACKEND=redis");
        return;
    }
    let redis = PrivateRedis::start();
    let url = redis.url();
    let a = spawn_app_with(|c| c.redis_url = Some(url.clone())).await;
    let _b = spawn_app_with(|c| c.redis_url = Some(url.clone())).await;
    let group = a.create_group().await;
    let (ada, mut bob, room) = a.pair(&group.code).await;
    let before = publishes(&redis);
    for i in 0..20 {
        let ack = ada.request("message", json!({"room": room, "n": i})).await;
        assert_eq!(ack["ok"], true);
    }
    for i in 0..20 {
        assert_eq!(bob.next_chat().await["n"], i);
    }
    assert_eq!(
        publishes(&redis),
        before,
        "messages between two members of one node stay on it"
    );
}
