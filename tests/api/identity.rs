//! Session ids are credentials (docs/protocol.md section 4): a partner learns a public member
//! id, never a session id, neither from `join_room` nor inside a relayed payload.

use crate::helpers::*;
use crate::raw::{RawMember, next_text};
use futures_util::SinkExt;
use rust_socketio::TransportType;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// Both protocol generations, each on either side of a pair.
const PROTOCOL_PAIRS: [(u8, u8); 2] = [(3, 4), (4, 3)];

/// Two raw members of `code`, paired: (first, her member id, second, his member id, room).
async fn raw_pair(
    app: &TestApp,
    code: &str,
    (eio_a, eio_b): (u8, u8),
) -> (RawMember, String, RawMember, String, String) {
    let (mut ada, ada_ack) = RawMember::joined(app, eio_a, code, "Ada").await;
    let (mut bob, bob_ack) = RawMember::joined(app, eio_b, code, "Bob").await;
    let room = ada.next_event("join_room").await["room"]
        .as_str()
        .unwrap()
        .to_owned();
    bob.next_event("join_room").await;
    let id = |ack: &Value| ack["member"]["id"].as_str().unwrap().to_owned();
    (ada, id(&ada_ack), bob, id(&bob_ack), room)
}

fn is_member_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[tokio::test]
async fn a_partner_learns_a_member_id_never_a_session_id() {
    let app = spawn_app().await;
    for protocols in PROTOCOL_PAIRS {
        let group = app.create_group().await;
        let (mut ada, ada_ack) = RawMember::joined(&app, protocols.0, &group.code, "Ada").await;
        let (mut bob, bob_ack) = RawMember::joined(&app, protocols.1, &group.code, "Bob").await;
        let ada_id = ada_ack["member"]["id"].as_str().unwrap();
        let bob_id = bob_ack["member"]["id"].as_str().unwrap();
        assert!(
            is_member_id(ada_id) && is_member_id(bob_id),
            "{ada_ack} {bob_ack}"
        );
        assert_ne!(ada_id, bob_id);
        for (member, id) in [(&ada, ada_id), (&bob, bob_id)] {
            assert!(
                !id.contains(&member.sid),
                "a member id must not embed the session id"
            );
        }

        let to_bob = bob.next_frame("join_room").await;
        let to_ada = ada.next_frame("join_room").await;
        assert!(
            !to_bob.contains(&ada.sid),
            "Ada's session id reached Bob: {to_bob}"
        );
        assert!(
            !to_ada.contains(&bob.sid),
            "Bob's session id reached Ada: {to_ada}"
        );
        for (frame, partner_id) in [(&to_bob, ada_id), (&to_ada, bob_id)] {
            let told: Value = serde_json::from_str(&frame[2..]).unwrap();
            assert_eq!(told[1]["match"]["id"], partner_id, "{frame}");
            assert_eq!(told[1]["match"]["sid"], partner_id, "{frame}");
        }
    }
}

#[tokio::test]
async fn the_partners_copy_carries_the_member_id_in_place_of_the_senders_session_id() {
    let app = spawn_app().await;
    for protocols in PROTOCOL_PAIRS {
        let group = app.create_group().await;
        let (mut ada, ada_id, mut bob, _, room) = raw_pair(&app, &group.code, protocols).await;
        // Like the original front end: its own socket id in every message.
        let sid = ada.sid.clone();
        let payload = format!(r#"{{"room":"{room}","sid":"{sid}","text":"I am {sid}"}}"#);
        ada.send_raw(&format!(r#"["message",{payload}]"#)).await;

        let echo = ada.next_chat().await;
        assert_eq!(
            echo,
            format!(r#"42["message",{payload}]"#),
            "the echo is untouched"
        );
        let copy = bob.next_chat().await;
        assert!(
            !copy.contains(&sid),
            "the session id reached the partner: {copy}"
        );
        let copy: Value = serde_json::from_str(&copy[2..]).unwrap();
        assert_eq!(copy[1]["sid"], ada_id.as_str());
        assert_eq!(copy[1]["text"], format!("I am {ada_id}"));
        assert_eq!(copy[1]["room"], room.as_str());
    }
}

#[tokio::test]
async fn a_message_without_a_session_id_is_relayed_byte_for_byte() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, _, mut bob, _, room) = raw_pair(&app, &group.code, (4, 3)).await;
    let payload = format!(r#"{{ "text" : "two  spaces",  "room":"{room}" ,"n": [1, 2.50, 1e3] }}"#);
    ada.send_raw(&format!(r#"["message",{payload}]"#)).await;
    let expected = format!(r#"42["message",{payload}]"#);
    assert_eq!(bob.next_chat().await, expected);
    assert_eq!(ada.next_chat().await, expected);
}

#[tokio::test]
async fn the_id_a_partner_learns_opens_no_session() {
    let app = spawn_app().await;
    for eio in [3, 4] {
        let group = app.create_group().await;
        // The victim polls, as the original front end does before it upgrades.
        let mut victim = TestMember::connect(&app.address, TransportType::Polling).await;
        let ack = victim
            .request(
                "join_group",
                json!({"access_code": group.code, "name": "Vic"}),
            )
            .await;
        assert_eq!(ack["ok"], true);
        let (mut attacker, _) = RawMember::joined(&app, eio, &group.code, "Eve").await;
        let told = attacker.next_event("join_room").await;
        let room = told["room"].as_str().unwrap().to_owned();
        let stolen = told["match"]["sid"].as_str().unwrap().to_owned();
        victim.next_event("join_room").await;

        // The takeover of the issue: upgrade with the partner's id, then probe.
        let url = format!(
            "ws://127.0.0.1:{}/socket.io/?EIO={eio}&transport=websocket&sid={stolen}",
            app.port
        );
        if let Ok((mut hijack, _)) = tokio_tungstenite::connect_async(url).await {
            hijack.send(Message::text("2probe")).await.ok();
            let answer = next_text(&mut hijack).await;
            assert_ne!(
                answer.as_deref(),
                Some("3probe"),
                "the upgrade was accepted"
            );
        }

        // The victim's session is hers alone and still works both ways.
        let ack = victim
            .request("message", json!({"room": room, "text": "still mine"}))
            .await;
        assert_eq!(ack["ok"], true);
        assert!(attacker.next_chat().await.contains("still mine"));
        assert_eq!(
            victim.next_chat().await["text"],
            "still mine",
            "her own echo"
        );
        attacker
            .send_raw(&format!(
                r#"["message",{{"room":"{room}","text":"hello"}}]"#
            ))
            .await;
        assert_eq!(victim.next_chat().await["text"], "hello");
    }
}
