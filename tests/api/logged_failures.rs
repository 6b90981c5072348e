//! A store or Redis failure that a socket handler answers with `unavailable` is logged
//! once, under the event's span and with its cause, and with no code or name.

use crate::helpers::*;
use crate::private_redis::PrivateRedis;
use serde_json::json;

#[tokio::test]
async fn a_join_that_finds_redis_gone_is_logged_once_with_its_cause() {
    if redis_url().is_none() {
        eprintln!("SKIPPED: the Redis outage test needs CIRCLE_TEST_BACKEND=redis");
        return;
    }
    let mut redis = PrivateRedis::start();
    let url = redis.url();
    let server = spawn_process(
        &["--redis-url", &url, "--redis-prefix", "logged"],
        &[("RUST_LOG", "info")],
    );
    let group = server.app.create_group().await;
    let member = server.app.member().await;

    redis.stop();
    let ack = member
        .request(
            "join_group",
            json!({"access_code": group.code, "name": "Zelda Quist"}),
        )
        .await;
    assert_refused(&ack, "unavailable");

    let logs = server.logs_once_they_hold(r#"event="join_group""#).await;
    let failures: Vec<&str> = logs
        .lines()
        .filter(|line| line.contains(r#"event="join_group""#))
        .collect();
    assert_eq!(failures.len(), 1, "logged once: {logs}");
    assert!(
        failures[0].contains("cause="),
        "with its cause: {}",
        failures[0]
    );
    assert!(!logs.contains(&group.code), "the code stays out of the log");
    assert!(
        !logs.contains("Zelda Quist"),
        "the name stays out of the log"
    );
}
