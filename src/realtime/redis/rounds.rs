//! Timed rounds on several nodes: not built yet (docs/protocol.md section 8); every
//! request is refused as unavailable, and no series is driven.

use super::RedisPresence;
use super::peer::RemotePeer;
use crate::domain::{AccessCode, Group};
use crate::realtime::rounds::{AlreadyRunning, Stepped, Stopped, Timed};
use crate::series::{RoundSettings, Series, Step};
use crate::store::StoreError;
use async_trait::async_trait;

fn not_built() -> StoreError {
    StoreError::Unavailable("timed rounds are not built for several nodes yet".into())
}

#[async_trait]
impl Timed for RedisPresence {
    async fn series(&self, _group: &AccessCode) -> Result<Option<Series>, StoreError> {
        Ok(None)
    }

    async fn start_series(
        &self,
        _group: &Group,
        _settings: RoundSettings,
    ) -> Result<Result<Stepped<RemotePeer>, AlreadyRunning>, StoreError> {
        Err(not_built())
    }

    async fn stop_series(&self, _group: &Group) -> Result<Option<Stopped<RemotePeer>>, StoreError> {
        Ok(None)
    }

    async fn step_series(
        &self,
        _group: &Group,
        _expected: &Series,
        _step: Step,
    ) -> Result<Option<Stepped<RemotePeer>>, StoreError> {
        Err(not_built())
    }

    async fn forget_series(&self, _group: &AccessCode) -> Result<(), StoreError> {
        Ok(())
    }

    async fn driven_series(&self) -> Vec<(AccessCode, Series)> {
        Vec::new()
    }
}
