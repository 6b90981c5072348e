use crate::helpers::*;

#[tokio::test]
async fn liveness_and_readiness_answer_ok() {
    let app = spawn_app().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap()["status"],
        "ready"
    );
}

#[tokio::test]
async fn metrics_count_connections_pairs_and_messages_without_naming_groups() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut a, _b, room) = app.pair(&group.code).await;
    a.request("message", serde_json::json!({"room": room, "text": "hi"}))
        .await;
    a.next_chat().await;
    let waiting = app.joined(&group.code, "Cy").await;
    let text = app.metrics().await;
    for line in [
        "circle_connections 3",
        "circle_waiting 1",
        "circle_rooms 1",
        "circle_matches_total 1",
        "circle_messages_relayed_total 1",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    assert!(!text.contains(&group.code));
    assert!(!text.contains("Book club"));
    waiting.disconnect().await;
}
