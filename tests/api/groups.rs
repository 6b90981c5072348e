use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn creating_a_group_answers_201_with_the_group_and_an_owner_token() {
    let app = spawn_app().await;
    let response = app
        .post_groups(
            &json!({"name": " Book club ", "description": "We read", "rules": "[\"be kind\"]"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["name"], "Book club");
    assert_eq!(body["description"], "We read");
    assert_eq!(
        body["rules"], "[\"be kind\"]",
        "rules are kept byte for byte"
    );
    let code = body["access_code"].as_str().unwrap();
    assert_eq!(code.len(), 10);
    assert!(
        code.chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
    );
    assert_eq!(body["owner_token"].as_str().unwrap().len(), 64);
    let created = time::OffsetDateTime::parse(
        body["created_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let expires = time::OffsetDateTime::parse(
        body["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(expires - created, time::Duration::hours(72));
}

#[tokio::test]
async fn rules_default_to_an_empty_string() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    assert_eq!(group.body["rules"], "");
}

#[tokio::test]
async fn a_group_is_shown_by_its_code_in_any_case_without_the_owner_token() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let response = app
        .get(&format!("/groups/{}", group.code.to_uppercase()))
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["access_code"], group.code.as_str());
    assert_eq!(body["name"], "Book club");
    assert!(body.get("owner_token").is_none());
}

#[tokio::test]
async fn an_unknown_or_malformed_code_is_not_found() {
    let app = spawn_app().await;
    for code in ["zzzzzzzzzz", "short", "%20"] {
        let response = app.get(&format!("/groups/{code}")).await;
        assert_eq!(response.status(), 404, "{code}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "group_not_found");
        assert!(body["error"]["message"].is_string());
    }
}

#[tokio::test]
async fn listing_groups_is_refused_by_default() {
    let app = spawn_app().await;
    app.create_group().await;
    let response = app.get("/groups").await;
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "listing_disabled");
}

#[tokio::test]
async fn listing_groups_shows_every_live_group_when_enabled() {
    let app = spawn_app_with(|c| c.public_group_list = true).await;
    let first = app.create_group().await;
    let second = app.create_group().await;
    let body: Value = app.get("/groups").await.json().await.unwrap();
    let codes: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["access_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec![first.code.as_str(), second.code.as_str()]);
    assert!(body[0].get("owner_token").is_none());
}

#[tokio::test]
async fn the_owner_closes_a_group_and_waiting_members_are_told() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let mut waiting = app.joined(&group.code, "Ada").await;
    assert_eq!(app.close_group(&group).await.status(), 204);
    let closed = waiting.next_event("group_closed").await;
    assert_eq!(closed["access_code"], group.code.as_str());
    assert_eq!(
        app.get(&format!("/groups/{}", group.code)).await.status(),
        404
    );
    let rejoin = waiting
        .request("join_group", json!({"access_code": group.code}))
        .await;
    assert_refused(&rejoin, "group_not_found");
}

#[tokio::test]
async fn a_running_chat_may_finish_after_its_group_closes() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (a, mut b, room) = app.pair(&group.code).await;
    assert_eq!(app.close_group(&group).await.status(), 204);
    let ack = a
        .request("message", json!({"room": room, "text": "still here"}))
        .await;
    assert_eq!(ack["ok"], true);
    assert_eq!(b.next_chat().await["text"], "still here");
}

#[tokio::test]
async fn closing_needs_the_owner_token() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let url = app.url(&format!("/groups/{}", group.code));
    let missing = app.http.delete(&url).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let wrong = app
        .http
        .delete(&url)
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    assert_eq!(
        app.get(&format!("/groups/{}", group.code)).await.status(),
        200
    );
    let unknown = app
        .http
        .delete(app.url("/groups/zzzzzzzzzz"))
        .bearer_auth(&group.owner_token)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn bad_group_input_gets_a_json_error_and_stores_nothing() {
    let app = spawn_app_with(|c| {
        c.public_group_list = true;
        c.limits.max_body_bytes = 8 * 1024;
    })
    .await;
    let long = |n: usize| "x".repeat(n);
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({"description": "d"}), 400, "invalid_name"),
        (json!({"name": "", "description": "d"}), 400, "invalid_name"),
        (
            json!({"name": "   ", "description": "d"}),
            400,
            "invalid_name",
        ),
        (
            json!({"name": long(101), "description": "d"}),
            400,
            "invalid_name",
        ),
        (json!({"name": 7, "description": "d"}), 400, "invalid_name"),
        (json!({"name": "n"}), 400, "invalid_description"),
        (
            json!({"name": "n", "description": ""}),
            400,
            "invalid_description",
        ),
        (
            json!({"name": "n", "description": long(501)}),
            400,
            "invalid_description",
        ),
        (
            json!({"name": "n", "description": "d", "rules": ["a"]}),
            400,
            "invalid_rules",
        ),
        (
            json!({"name": "n", "description": "d", "rules": 5}),
            400,
            "invalid_rules",
        ),
        (
            json!({"name": "n", "description": "d", "rules": long(5001)}),
            400,
            "invalid_rules",
        ),
        (json!(["not", "an", "object"]), 400, "invalid_json"),
        (
            json!({"name": "n", "description": "d", "rules": long(9000)}),
            413,
            "payload_too_large",
        ),
    ];
    for (body, status, code) in cases {
        let response = app.post_groups(&body).await;
        assert_eq!(response.status(), status, "{code}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code);
    }
    let not_json = app
        .http
        .post(app.url("/groups"))
        .header("content-type", "application/json")
        .body("{name: nope")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    assert_eq!(
        not_json.json::<Value>().await.unwrap()["error"]["code"],
        "invalid_json"
    );
    let wrong_type = app
        .http
        .post(app.url("/groups"))
        .header("content-type", "text/plain")
        .body(r#"{"name":"n","description":"d"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    assert_eq!(
        wrong_type.json::<Value>().await.unwrap()["error"]["code"],
        "unsupported_media_type"
    );
    let listed: Value = app.get("/groups").await.json().await.unwrap();
    assert_eq!(listed, json!([]), "nothing was stored");
}

#[tokio::test]
async fn cors_reflects_the_origin_with_credentials() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(app.url("/socket.io/?EIO=3&transport=polling"))
        .header("origin", "http://other.example")
        .send()
        .await
        .unwrap();
    let headers = response.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://other.example"
    );
    assert_eq!(headers["access-control-allow-credentials"], "true");
}

#[tokio::test]
async fn cors_can_be_restricted_to_listed_origins() {
    let app = spawn_app_with(|c| c.cors_origins = vec!["http://good.example".into()]).await;
    let ask = |origin: &'static str| {
        app.http
            .get(app.url("/healthz"))
            .header("origin", origin)
            .send()
    };
    let good = ask("http://good.example").await.unwrap();
    assert_eq!(
        good.headers()["access-control-allow-origin"],
        "http://good.example"
    );
    let bad = ask("http://evil.example").await.unwrap();
    assert!(bad.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn the_web_client_is_served_at_the_root_and_for_invite_links() {
    let app = spawn_app().await;
    for path in ["/", "/join/ab12cd34ef"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    let missing = app.get("/no/such/file.js").await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn an_empty_cors_origin_setting_means_any_origin() {
    let app = spawn_app_with(|c| c.cors_origins = vec![String::new()]).await;
    let response = app
        .http
        .get(app.url("/healthz"))
        .header("origin", "http://any.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "http://any.example"
    );
}
