//! A request that names another client's Engine.IO session never reads or writes it
//! (docs/protocol.md section 4), on polling and on websocket upgrade, EIO3 and EIO4. The
//! attacker connects from 127.0.0.2, the victim from 127.0.0.1 (both local on Linux).

use crate::helpers::*;
use crate::polling_client::{Origin, PollingMember, SessionRequests};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const VICTIM: [u8; 4] = [127, 0, 0, 1];
const ATTACKER: [u8; 4] = [127, 0, 0, 2];
const PROXY: [u8; 4] = [127, 0, 0, 3];

/// A long-polling victim paired with a websocket partner; returns both and the room.
async fn paired_victim(
    app: &TestApp,
    eio: u8,
    origin: Origin,
) -> (PollingMember, TestMember, String) {
    let group = app.create_group().await;
    let mut victim = PollingMember::connect(app, eio, origin).await;
    let ack = victim
        .request(
            1,
            "join_group",
            json!({"access_code": group.code, "name": "Vic"}),
        )
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    let mut partner = app.joined(&group.code, "Pat").await;
    let room = partner.next_event("join_room").await["room"].clone();
    assert_eq!(victim.next_event("join_room").await["room"], room);
    victim
        .next_packet(r#"42["message","Pat connected."]"#)
        .await;
    (victim, partner, room.as_str().unwrap().to_owned())
}

/// Asserts `response` is the session guard's refusal, and carries nothing else.
async fn assert_forbidden(response: reqwest::Response) {
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden_session", "{body}");
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
}

/// Tries to upgrade `sid` to a websocket from `origin`, as the takeover does; returns
/// the HTTP status of the answer (101 if the upgrade went through).
async fn upgrade_status(app: &TestApp, eio: u8, sid: &str, origin: &Origin) -> u16 {
    let url = format!(
        "ws://127.0.0.1:{}/socket.io/?EIO={eio}&transport=websocket&sid={sid}",
        app.port
    );
    let mut request = url.into_client_request().unwrap();
    if let Some(forwarded_for) = &origin.forwarded_for {
        request
            .headers_mut()
            .insert("x-forwarded-for", forwarded_for.parse().unwrap());
    }
    let socket = match origin.local {
        std::net::IpAddr::V4(_) => tokio::net::TcpSocket::new_v4().unwrap(),
        std::net::IpAddr::V6(_) => tokio::net::TcpSocket::new_v6().unwrap(),
    };
    socket.bind((origin.local, 0).into()).unwrap();
    let stream = socket
        .connect(([127, 0, 0, 1], app.port).into())
        .await
        .unwrap();
    match tokio_tungstenite::client_async(request, stream).await {
        Ok((_, response)) => response.status().as_u16(),
        Err(tungstenite::Error::Http(response)) => {
            let body = String::from_utf8(response.body().clone().unwrap_or_default()).unwrap();
            assert!(body.contains("forbidden_session"), "{body}");
            response.status().as_u16()
        }
        Err(other) => panic!("upgrade failed: {other}"),
    }
}

/// Every way of naming the victim's session from `attacker` is refused.
async fn assert_every_takeover_refused(app: &TestApp, attacker: &SessionRequests, room: &str) {
    assert_forbidden(attacker.get().await).await;
    let forged = format!("42{}", json!(["message", {"room": room, "text": "forged"}]));
    assert_forbidden(attacker.post(&[&forged]).await).await;
    assert_forbidden(attacker.post(&["2probe", "5"]).await).await;
    let status = upgrade_status(app, attacker.eio, &attacker.sid, &attacker.origin).await;
    assert_eq!(status, 403, "the websocket upgrade was not refused");
}

/// A packet the server accepts and ignores.
const IGNORED_EVENT: &str = r#"42["received"]"#;

/// The victim still has her session: a poll she had waiting gets her partner's next
/// message, and what she sends reaches him (and nothing forged did).
async fn assert_victim_unharmed(
    victim: &mut PollingMember,
    pending: tokio::task::JoinHandle<Vec<String>>,
    partner: &mut TestMember,
    room: &str,
) {
    let ack = partner
        .request("message", json!({"room": room, "text": "for her eyes"}))
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    let received = pending.await.expect("her waiting poll succeeded");
    assert!(
        received
            .iter()
            .any(|packet| packet.contains("for her eyes")),
        "{received:?}"
    );
    let mine = format!(
        "42{}",
        json!(["message", {"room": room, "text": "really her"}])
    );
    victim.session.send(&[&mine]).await;
    loop {
        let text = partner.next_chat().await["text"].clone();
        assert_ne!(text, "forged", "a forged message was relayed");
        if text == "really her" {
            break;
        }
    }
}

/// A paired long-polling member, whose poll is waiting, keeps her session whatever
/// `intruder` sends naming it; requests from `also_her` (another way of reaching the
/// server from her address) are hers.
async fn assert_session_kept(
    app: &TestApp,
    eio: u8,
    her: Origin,
    intruder: Origin,
    also_her: Origin,
) {
    let (mut victim, mut partner, room) = paired_victim(app, eio, her).await;
    let waiting = victim.session.clone();
    let pending = tokio::spawn(async move { waiting.poll().await });
    let intruder = victim.named_from(app, intruder);
    assert_every_takeover_refused(app, &intruder, &room).await;
    let also_her = victim.named_from(app, also_her);
    assert_eq!(also_her.post(&[IGNORED_EVENT]).await.status(), 200);
    assert_victim_unharmed(&mut victim, pending, &mut partner, &room).await;
}

#[tokio::test]
async fn another_address_cannot_poll_post_to_or_upgrade_a_polling_members_session() {
    let app = spawn_app().await;
    for eio in [3, 4] {
        let (her, attacker) = (Origin::direct(VICTIM), Origin::direct(ATTACKER));
        assert_session_kept(&app, eio, her.clone(), attacker, her).await;
    }
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"circle_errors_total{code="forbidden_session"} 8"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_owns_the_session() {
    let app =
        spawn_app_with(|c| c.trusted_proxies = vec!["10.9.9.9".into(), "127.0.0.3/32".into()])
            .await;
    for eio in [3, 4] {
        let her = Origin::forwarding(PROXY, "203.0.113.7");
        let impostor = Origin::forwarding(PROXY, "198.51.100.9");
        // Through another trusted hop, the address the first proxy saw still decides.
        let relayed = Origin::forwarding(PROXY, "203.0.113.7, 127.0.0.3");
        assert_session_kept(&app, eio, her, impostor, relayed).await;
    }
}

#[tokio::test]
async fn from_an_untrusted_peer_x_forwarded_for_is_ignored() {
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.3".into()]).await;
    for eio in [3, 4] {
        // She claims an address; the server goes by her peer address, whatever she claims.
        let her = Origin::forwarding(VICTIM, "203.0.113.7");
        let spoofer = Origin::forwarding(ATTACKER, "203.0.113.7");
        let also_her = Origin::forwarding(VICTIM, "198.51.100.9");
        assert_session_kept(&app, eio, her, spoofer, also_her).await;
    }
}
