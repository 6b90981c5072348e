//! Owner counts (docs/protocol.md section 7): `GET /groups/{code}/stats` with the owner's
//! token answers who waits and who chats now, and the pairings since the group began.

use crate::helpers::*;
use serde_json::{Value, json};

impl TestApp {
    /// `GET /groups/{code}/stats` with `token` as the bearer, if any.
    pub async fn stats_with(&self, code: &str, token: Option<&str>) -> reqwest::Response {
        let request = self.http.get(self.url(&format!("/groups/{code}/stats")));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
        .send()
        .await
        .unwrap()
    }

    /// The owner's counts of `group`, which the server must answer.
    pub async fn stats(&self, group: &CreatedGroup) -> Value {
        let response = self.stats_with(&group.code, Some(&group.owner_token)).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }
}

fn counts(waiting: u64, chatting: u64, pairs_formed: u64) -> Value {
    json!({
        "waiting": waiting,
        "chatting": chatting,
        "pairs_formed": pairs_formed,
        "reports": 0,
        "removed": 0,
    })
}

async fn error_code(response: reqwest::Response) -> Value {
    response.json::<Value>().await.unwrap()["error"]["code"].clone()
}

#[tokio::test]
async fn stats_answer_only_the_owner() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let other = app.create_group().await;

    let none = app.stats_with(&group.code, None).await;
    assert_eq!(none.status(), 401);
    assert_eq!(error_code(none).await, "unauthorized");

    let wrong = app.stats_with(&group.code, Some(&other.owner_token)).await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(error_code(wrong).await, "forbidden");

    let unknown = app.stats_with("zzzzzzzzzz", Some(&group.owner_token)).await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(error_code(unknown).await, "group_not_found");

    assert_eq!(app.stats(&group).await, counts(0, 0, 0));
}

#[tokio::test]
async fn counts_follow_members_as_they_wait_pair_and_leave() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let elsewhere = app.create_group().await;

    let ada = app.joined(&group.code, "Ada").await;
    assert_eq!(app.stats(&group).await, counts(1, 0, 0), "Ada waits");

    let mut bob = app.joined(&group.code, "Bob").await;
    let room = bob.next_event("join_room").await["room"].clone();
    assert_eq!(app.stats(&group).await, counts(0, 2, 1), "a chat counts 2");

    let left = ada.request("leave", json!({"room": room})).await;
    assert_eq!(left["ok"], true, "{left}");
    bob.next_event("partner_left").await;
    assert_eq!(
        app.stats(&group).await,
        counts(0, 1, 1),
        "Bob sits alone in the room"
    );

    let next = bob.request("next", json!({})).await;
    assert_eq!(next["ok"], true, "{next}");
    assert_eq!(app.stats(&group).await, counts(1, 0, 1), "Bob waits again");

    let _carol = app.joined(&group.code, "Carol").await;
    bob.next_event("join_room").await;
    assert_eq!(
        app.stats(&group).await,
        counts(0, 2, 2),
        "every pairing counts"
    );

    assert_eq!(
        app.stats(&elsewhere).await,
        counts(0, 0, 0),
        "another group's counts do not move"
    );
}

#[tokio::test]
async fn a_member_who_disconnects_is_no_longer_counted() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (ada, _bob, _room) = app.pair(&group.code).await;
    ada.disconnect().await;
    eventually("Ada's seat to empty", || async {
        (app.stats(&group).await == counts(0, 1, 1)).then_some(())
    })
    .await;
    let _carol = app.joined(&group.code, "Carol").await;
    assert_eq!(app.stats(&group).await, counts(1, 1, 1));
}

#[tokio::test]
async fn a_closed_groups_counts_are_gone() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    app.pair(&group.code).await;
    assert_eq!(app.close_group(&group).await.status(), 204);
    let after = app.stats_with(&group.code, Some(&group.owner_token)).await;
    assert_eq!(after.status(), 404);
}

#[tokio::test]
async fn every_node_answers_the_same_counts() {
    let Some((nodes, _redis)) = crate::multinode::nodes(2).await else {
        return;
    };
    let group = nodes[0].create_group().await;
    let _ada = nodes[0].joined(&group.code, "Ada").await;
    let mut bob = nodes[1].joined(&group.code, "Bob").await;
    bob.next_event("join_room").await;
    let _cy = nodes[1].joined(&group.code, "Cy").await;
    for node in &nodes {
        assert_eq!(node.stats(&group).await, counts(1, 2, 1));
    }
}

#[tokio::test]
async fn members_of_a_killed_node_drop_out_of_the_counts() {
    let Some((none, redis)) = crate::multinode::nodes(0).await else {
        return;
    };
    drop(none);
    let mut doomed = node_process(&redis, &["--member-ttl", "1s"]);
    let survivor = node_process(&redis, &["--member-ttl", "1s"]);
    let group = survivor.app.create_group().await;
    let _ada = doomed.app.joined(&group.code, "Ada").await;
    let mut bob = survivor.app.joined(&group.code, "Bob").await;
    bob.next_event("join_room").await;
    let _cy = doomed.app.joined(&group.code, "Cy").await;
    assert_eq!(survivor.app.stats(&group).await, counts(1, 2, 1));

    doomed.child.kill().unwrap(); // SIGKILL: her records lapse after the member TTL
    doomed.child.wait().unwrap();
    eventually("the dead node's members to drop out", || async {
        (survivor.app.stats(&group).await == counts(0, 1, 1)).then_some(())
    })
    .await;
}

/// Pairings are saved in batches: the last one is saved when the node stops (SIGTERM),
/// and a pairing just before it is not lost.
#[tokio::test]
async fn pairs_formed_survive_a_restart() {
    use crate::drain::{exited, send_sigterm};
    let mut node = spawn_process(&[], &[]);
    let group = node.app.create_group().await;
    let (ada, bob, _room) = node.app.pair(&group.code).await;
    send_sigterm(&node);
    let status = exited(&mut node, EVENT_TIMEOUT).await;
    assert!(status.success(), "{status}");
    drop((ada, bob));

    let data_dir = std::mem::replace(&mut node.app.data_dir, tempfile::tempdir().unwrap());
    let successor = spawn_process_with(data_dir, &[], &[], |_| {});
    assert_eq!(successor.app.stats(&group).await, counts(0, 0, 1));
}
