//! docs/protocol.md section 7, the profanity filter: a member who turns it on (with
//! `join_group {filter_profanity: true}` or `set_filter {profanity}`) gets her partners'
//! chat messages masked; her own echo and other readers' copies are untouched. Runs on
//! both backends; the cross-node tests in the Redis pass only.

use crate::helpers::*;
use crate::multinode::nodes;
use crate::raw::RawMember;
use crate::resumable::{Resumable, chat, texts};
use serde_json::{Value, json};

/// A connected member who joined `code` as `name` with the fields of `extra` added.
async fn joined_with(app: &TestApp, code: &str, name: &str, extra: Value) -> TestMember {
    let member = app.member().await;
    let mut join = json!({"access_code": code, "name": name});
    join.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let ack = member.request("join_group", join).await;
    assert_eq!(ack["ok"], true, "join failed: {ack}");
    member
}

/// Ada (with `ada_extra` in her join, on `ada_app`) paired with Bob (on `bob_app`);
/// returns both and their room.
async fn pair_with(
    ada_app: &TestApp,
    bob_app: &TestApp,
    code: &str,
    ada_extra: Value,
) -> (TestMember, TestMember, String) {
    let mut ada = joined_with(ada_app, code, "Ada", ada_extra).await;
    let mut bob = joined_with(bob_app, code, "Bob", json!({})).await;
    let room = ada.next_event("join_room").await["room"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(bob.next_event("join_room").await["room"], room.as_str());
    (ada, bob, room)
}

/// `from` sends `text` into `room` (acked); returns the text of `to`'s copy.
async fn said(from: &mut TestMember, to: &mut TestMember, room: &str, text: &str) -> String {
    let ack = from.request("message", chat(room, text)).await;
    assert_eq!(ack["ok"], true, "{ack}");
    to.next_chat().await["text"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn only_the_reader_with_the_filter_sees_masked_text() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let filter = json!({"filter_profanity": true});
    let (mut ada, mut bob, room) = pair_with(&app, &app, &group.code, filter).await;

    let to_ada = said(&mut bob, &mut ada, &room, "what the fuck, see you at noon").await;
    assert_eq!(to_ada, "what the ****, see you at noon");
    let echo = bob.next_chat().await;
    assert_eq!(echo["text"], "what the fuck, see you at noon", "his echo");

    let to_bob = said(&mut ada, &mut bob, &room, "oh shit, I forgot").await;
    assert_eq!(to_bob, "oh shit, I forgot", "Bob has no filter");
    let echo = ada.next_chat().await;
    assert_eq!(
        echo["text"], "oh shit, I forgot",
        "her own echo is never masked"
    );
}

#[tokio::test]
async fn common_evasions_are_masked_and_innocent_words_are_not() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let filter = json!({"filter_profanity": true});
    let (mut ada, mut bob, room) = pair_with(&app, &app, &group.code, filter).await;
    for (sent, seen) in [
        ("FuCk", "****"),
        ("fuuuuuuck", "*********"),
        ("f u c k", "*******"),
        ("sh1t", "****"),
        ("$h!t", "****"),
        ("ｆｕｃｋ", "****"),
        ("Scunthorpe is lovely", "Scunthorpe is lovely"),
        ("a classic cocktail", "a classic cocktail"),
    ] {
        assert_eq!(said(&mut bob, &mut ada, &room, sent).await, seen, "{sent}");
    }
}

#[tokio::test]
async fn set_filter_turns_masking_on_and_off_mid_chat() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, mut bob, room) = pair_with(&app, &app, &group.code, json!({})).await;
    assert_eq!(said(&mut bob, &mut ada, &room, "damn").await, "damn");

    let ack = ada.request("set_filter", json!({"profanity": true})).await;
    assert_eq!(ack, json!({"ok": true}));
    assert_eq!(said(&mut bob, &mut ada, &room, "damn").await, "****");

    let ack = ada.request("set_filter", json!({"profanity": false})).await;
    assert_eq!(ack, json!({"ok": true}));
    assert_eq!(said(&mut bob, &mut ada, &room, "damn").await, "damn");
}

#[tokio::test]
async fn join_group_takes_only_a_bool_filter_profanity() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let member = app.member().await;
    for bad in [json!("yes"), json!(1), json!({"on": true}), json!([true])] {
        let join = json!({"access_code": group.code, "filter_profanity": bad});
        let ack = member.request("join_group", join).await;
        assert_refused(&ack, "invalid_payload");
    }
    for good in [json!(null), json!(false), json!(true)] {
        let join = json!({"access_code": group.code, "filter_profanity": good});
        let ack = member.request("join_group", join).await;
        assert_eq!(ack["ok"], true, "{good}: {ack}");
    }
}

#[tokio::test]
async fn set_filter_takes_only_an_object_with_a_bool_profanity() {
    let app = spawn_app().await;
    let mut member = app.member().await;
    for bad in [
        json!({}),
        json!({"profanity": null}),
        json!({"profanity": "on"}),
        json!({"profanity": 1}),
        json!("on"),
        json!([true]),
    ] {
        let ack = member.request("set_filter", bad.clone()).await;
        assert_eq!(ack["error"]["code"], "invalid_payload", "{bad}: {ack}");
    }
    member.emit("set_filter", json!({"profanity": "on"})).await;
    let error = member.next_event("request_error").await;
    assert_eq!(error["event"], "set_filter");
    assert_eq!(error["code"], "invalid_payload");
    let ack = member
        .request("set_filter", json!({"profanity": true}))
        .await;
    assert_eq!(ack, json!({"ok": true}), "before any join too");
}

#[tokio::test]
async fn a_resumable_member_with_the_filter_gets_her_replay_masked_and_her_echo_not() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let mut ada = Resumable::join(&app, &group.code, "Ada").await;
    let (mut bob, _) = RawMember::joined(&app, 4, &group.code, "Bob").await;
    let room = ada.expect("join_room").await["room"]
        .as_str()
        .unwrap()
        .to_owned();
    let ack = ada
        .raw
        .request("set_filter", &json!({"profanity": true}))
        .await;
    assert_eq!(ack, json!({"ok": true}));
    // Her own message's echo is read past by `request`: it is replayed below.
    let ack = ada.raw.request("message", &chat(&room, "oh crap")).await;
    assert_eq!(ack["ok"], true);
    ada.raw.socket.close(None).await.unwrap();
    assert_eq!(bob.next_event("partner_away").await, json!({"room": room}));
    let ack = bob.request("message", &chat(&room, "you shit")).await;
    assert_eq!(ack["held"], true);

    let (_, replayed) = ada.resume(&app).await;
    assert_eq!(texts(&replayed), ["oh crap", "you ****"]);
    let ack = bob
        .request("message", &chat(&room, "fuck, welcome back"))
        .await;
    assert_eq!(ack["ok"], true);
    assert_eq!(ada.expect("message").await["text"], "****, welcome back");
}

#[tokio::test]
async fn across_nodes_only_the_filtering_reader_s_copy_is_masked() {
    let Some((nodes, _redis)) = nodes(2).await else {
        return;
    };
    let group = nodes[0].create_group().await;
    let filter = json!({"filter_profanity": true});
    let (mut ada, mut bob, room) = pair_with(&nodes[0], &nodes[1], &group.code, filter).await;
    assert_eq!(
        said(&mut bob, &mut ada, &room, "bullshit").await,
        "********"
    );
    assert_eq!(bob.next_chat().await["text"], "bullshit", "his echo");
    assert_eq!(said(&mut ada, &mut bob, &room, "shit").await, "shit");
    assert_eq!(ada.next_chat().await["text"], "shit", "her echo");
    let ack = ada.request("set_filter", json!({"profanity": false})).await;
    assert_eq!(ack, json!({"ok": true}));
    assert_eq!(
        said(&mut bob, &mut ada, &room, "bullshit").await,
        "bullshit"
    );
}

#[tokio::test]
async fn a_filtering_member_who_resumes_on_another_node_keeps_her_filter() {
    let Some((nodes, _redis)) = nodes(2).await else {
        return;
    };
    let group = nodes[0].create_group().await;
    let filter = json!({"filter_profanity": true});
    let mut ada = Resumable::join_with(&nodes[0], &group.code, "Ada", filter).await;
    let (mut bob, _) = RawMember::joined(&nodes[1], 4, &group.code, "Bob").await;
    let room = ada.expect("join_room").await["room"]
        .as_str()
        .unwrap()
        .to_owned();
    ada.raw.socket.close(None).await.unwrap();
    assert_eq!(bob.next_event("partner_away").await, json!({"room": room}));
    let ack = bob.request("message", &chat(&room, "held shit")).await;
    assert_eq!(ack["held"], true);

    let (_, replayed) = ada.resume(&nodes[1]).await;
    assert_eq!(texts(&replayed), ["held ****"]);
    let ack = bob.request("message", &chat(&room, "live shit")).await;
    assert_eq!(ack["ok"], true);
    assert_eq!(ada.expect("message").await["text"], "live ****");
}
