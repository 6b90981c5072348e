//! A dead connection (a network switch leaves it half-open: no FIN, no RST, nothing read)
//! is noticed within `--ping-interval` plus `--ping-timeout`, and the partner is told.

use crate::helpers::*;
use crate::raw::RawMember;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_partner_who_stops_answering_is_gone_within_the_ping_interval_and_timeout() {
    let app = spawn_app_with(|config| {
        config.limits.ping_interval = Duration::from_millis(300);
        config.limits.ping_timeout = Duration::from_millis(200);
    })
    .await;
    for eio in [3, 4] {
        let group = app.create_group().await;
        let mut alive = app.joined(&group.code, "Ada").await;
        // Answers pings while it reads; then it goes silent, as a dead connection does.
        let (silent, _) = RawMember::joined(&app, eio, &group.code, "Bob").await;
        let room = alive.next_event("join_room").await["room"].clone();

        // Within the event timeout (5 s), far below the defaults' 15 s.
        let told = alive.next_event("partner_left").await;
        assert_eq!(
            told,
            json!({"room": room, "reason": "disconnected"}),
            "EIO{eio}"
        );
        drop(silent);
    }
}

#[test]
fn the_defaults_notice_a_dead_connection_within_fifteen_seconds() {
    let limits = circle::config::Config::defaults().limits;
    assert!(limits.ping_interval + limits.ping_timeout <= Duration::from_secs(15));
}
