//! Icebreakers (docs/protocol.md section 7): the owner's prompts are validated, shown with
//! the group, and each new pair gets one of them in `join_room.prompt`.

use crate::helpers::*;
use serde_json::{Value, json};

const PROMPTS: [&str; 3] = ["What are you reading?", "Best trip ever?", "Tea or coffee?"];

async fn group_with_prompts(app: &TestApp, prompts: Value) -> CreatedGroup {
    app.create_group_with(
        &json!({"name": "Book club", "description": "We read", "prompts": prompts}),
    )
    .await
}

#[tokio::test]
async fn each_prompt_rule_is_refused_with_invalid_prompts_and_says_which() {
    let app = spawn_app().await;
    let long = "p".repeat(201);
    let twenty_one = vec!["p"; 21];
    let cases = [
        (json!("one string"), "list of strings"),
        (json!({"a": "b"}), "list of strings"),
        (json!(["fine", 7]), "list of strings"),
        (json!(["fine", null]), "list of strings"),
        (json!(twenty_one), "at most 20"),
        (json!([""]), "1 to 200 characters"),
        (json!(["   "]), "1 to 200 characters"),
        (json!([long]), "1 to 200 characters"),
        (json!(["tab\tinside"]), "control characters"),
    ];
    for (prompts, says) in cases {
        let response = app
            .post_groups(&json!({"name": "n", "description": "d", "prompts": prompts}))
            .await;
        assert_eq!(response.status(), 400, "{prompts}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "invalid_prompts", "{prompts}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{prompts}: {message}");
    }
}

#[tokio::test]
async fn the_public_group_carries_its_trimmed_prompts_and_an_empty_list_without() {
    let app = spawn_app_with(|c| c.public_group_list = true).await;
    let twenty_long = vec!["q".repeat(200); 20];
    let full = group_with_prompts(&app, json!(twenty_long)).await;
    assert_eq!(full.body["prompts"], json!(twenty_long));
    let group = group_with_prompts(&app, json!([" Tea or coffee? ", "Best trip ever?"])).await;
    let expected = json!(["Tea or coffee?", "Best trip ever?"]);
    assert_eq!(group.body["prompts"], expected);
    let shown: Value = app
        .get(&format!("/groups/{}", group.code))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["prompts"], expected);
    let ack = app
        .member()
        .await
        .request("join_group", json!({"access_code": group.code}))
        .await;
    assert_eq!(ack["group"]["prompts"], expected);

    let plain = app.create_group().await;
    assert_eq!(plain.body["prompts"], json!([]));
    let null = group_with_prompts(&app, Value::Null).await;
    assert_eq!(null.body["prompts"], json!([]));
    let listing: Value = app.get("/groups").await.json().await.unwrap();
    let listed: Vec<&Value> = listing
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["prompts"])
        .collect();
    assert_eq!(
        listed,
        [&json!(twenty_long), &expected, &json!([]), &json!([])]
    );
}

#[tokio::test]
async fn both_members_of_a_pair_get_the_same_prompt_of_their_group() {
    let app = spawn_app().await;
    let group = group_with_prompts(&app, json!(PROMPTS)).await;
    for _ in 0..3 {
        let mut ada = app.joined(&group.code, "Ada").await;
        let mut bob = app.joined(&group.code, "Bob").await;
        let to_ada = ada.next_event("join_room").await;
        let to_bob = bob.next_event("join_room").await;
        let prompt = to_ada["prompt"].as_str().expect("a prompt");
        assert!(PROMPTS.contains(&prompt), "{prompt}");
        assert_eq!(to_bob["prompt"], prompt);
        ada.disconnect().await;
        bob.disconnect().await;
    }
}

#[tokio::test]
async fn a_pair_in_a_group_without_prompts_gets_no_prompt_key() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let mut ada = app.joined(&group.code, "Ada").await;
    let mut bob = app.joined(&group.code, "Bob").await;
    for member in [&mut ada, &mut bob] {
        let join_room = member.next_event("join_room").await;
        assert!(join_room.get("prompt").is_none(), "{join_room}");
    }
}
