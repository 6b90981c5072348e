//! Groups: create, look up, list (compat, off by default), close (docs/protocol.md section 1).

use super::AppState;
use super::body::json_object;
use super::error::{ApiError, ApiResult};
use super::owner::{find, owned};
use crate::domain::{
    AccessCode, Description, Group, GroupName, NewGroup, OwnerToken, Prompts, Rules,
};
use crate::store::StoreError;
use crate::wire::GroupView;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

/// How often creation draws a new code when the first is taken (50 random bits: a
/// collision is already unlikely once).
const CODE_ATTEMPTS: usize = 5;

/// `/groups` and `/groups/{access_code}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups", get(list).post(create))
        .route("/groups/{access_code}", get(show).delete(close))
}

#[derive(Serialize)]
struct Created<'a> {
    #[serde(flatten)]
    group: GroupView<'a>,
    owner_token: &'a str,
}

/// Turns the body into a [`NewGroup`], with a precise code for each way it can be wrong.
fn new_group(body: Result<Json<Value>, JsonRejection>) -> ApiResult<NewGroup> {
    let fields = json_object(body)?;
    let text = |key: &str| fields.get(key).and_then(Value::as_str);
    let rules = match fields.get("rules") {
        None | Some(Value::Null) => Rules::default(),
        Some(Value::String(rules)) => Rules::parse(rules)?,
        Some(_) => return Err(Rules::INVALID.into()),
    };
    Ok(NewGroup {
        name: GroupName::parse(text("name").unwrap_or_default())?,
        description: Description::parse(text("description").unwrap_or_default())?,
        rules,
        prompts: prompts(fields.get("prompts"))?,
    })
}

/// `prompts`: missing or null is none; otherwise a list of strings, each one checked.
fn prompts(raw: Option<&Value>) -> Result<Prompts, crate::domain::Invalid> {
    let list = match raw {
        None | Some(Value::Null) => return Ok(Prompts::default()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(Prompts::NOT_A_LIST),
    };
    let texts: Option<Vec<&str>> = list.iter().map(Value::as_str).collect();
    Prompts::parse(texts.ok_or(Prompts::NOT_A_LIST)?.into_iter())
}

async fn create(
    State(state): State<AppState>,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let new = new_group(body)?;
    let created_at = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("0 is valid");
    let expires_at = created_at + state.group_ttl;
    let owner = OwnerToken::generate(&mut rand::rng());
    for _ in 0..CODE_ATTEMPTS {
        let group = Group {
            access_code: AccessCode::generate(&mut rand::rng()),
            name: new.name.clone(),
            description: new.description.clone(),
            rules: new.rules.clone(),
            prompts: new.prompts.clone(),
            created_at,
            expires_at,
        };
        match state.store.insert(&group, &owner.hash()).await {
            Ok(()) => {
                state.metrics.groups_created.inc();
                let created = Created {
                    group: GroupView::from(&group),
                    owner_token: owner.expose(),
                };
                let body = serde_json::to_value(created).expect("serialisable");
                return Ok((StatusCode::CREATED, Json(body)));
            }
            Err(StoreError::CodeTaken) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Unavailable("no free access code".into()).into())
}

async fn show(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Value>> {
    let stored = find(&state, &code).await?;
    Ok(Json(
        serde_json::to_value(GroupView::from(&stored.group)).expect("serialisable"),
    ))
}

/// Compat listing: every live group with its code, only with `--public-group-list`.
async fn list(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    if !state.public_group_list {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "listing_disabled",
            "listing groups is disabled on this server",
        ));
    }
    let groups = state.store.list(OffsetDateTime::now_utc()).await?;
    let views: Vec<GroupView> = groups.iter().map(GroupView::from).collect();
    Ok(Json(serde_json::to_value(views).expect("serialisable")))
}

/// Closes a group now, with `Authorization: Bearer <owner_token>`.
async fn close(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let stored = owned(&state, &code, &headers).await?;
    state.store.delete(&stored.group.access_code).await?;
    state.lobbies.close_group(&stored.group).await;
    Ok(StatusCode::NO_CONTENT)
}
