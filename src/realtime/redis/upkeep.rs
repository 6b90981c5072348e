//! A node's upkeep of its members' records and resume tokens in Redis: refreshing them,
//! hearing of partners and groups that are gone, and counting for the metrics.

use super::member::RedisMember;
use super::{Reaped, RecordedPlace, RedisPresence, RemotePeer};
use crate::domain::{AccessCode, MemberId};
use crate::matchmaking::Departure;
use crate::realtime::context::SocketContext;
use crate::realtime::notices::{self, LeaveReason};
use crate::store::StoreError;
use std::sync::Arc;

impl RedisPresence {
    /// The code of the group this node's member `id` entered last, from her socket's
    /// context (Redis knows only its fingerprint).
    fn entered_group(&self, id: &MemberId) -> Option<AccessCode> {
        let socket = self.courier.local(id)?.socket()?;
        let context = SocketContext::<Self>::of(&socket)?;
        let entry = context.last_entry.lock();
        entry.as_ref().map(|entry| entry.code.clone())
    }

    /// Keeps this node's records alive, tells members whose partner's node died, and
    /// closes lobbies of groups that expired.
    pub(super) async fn upkeep(&self) -> Vec<(AccessCode, Vec<RemotePeer>)> {
        let Some(io) = self.io() else {
            return Vec::new();
        };
        // An away member's record is not refreshed: it outlives her window by itself.
        let connected: Vec<_> = self
            .courier
            .members
            .iter()
            .filter(|m| m.value().socket().is_some())
            .map(|m| m.value().clone())
            .collect();
        let ids: Vec<MemberId> = connected.iter().map(|m| m.id.clone()).collect();
        self.refresh_tokens(&connected).await;
        let found = match self.rules.reap(&ids).await {
            Ok(found) => found,
            Err(cause) => {
                tracing::warn!(%cause, "refreshing member records failed");
                return Vec::new();
            }
        };
        let mut closed = Vec::new();
        for event in found {
            match event {
                Reaped::PartnerGone { member, room } => notices::partner_gone(
                    Some(Departure {
                        room,
                        partner: Some(self.peer(io, member)),
                    }),
                    LeaveReason::Disconnected,
                ),
                Reaped::GroupGone { member } => {
                    if let Some(code) = self.entered_group(&member) {
                        closed.push((code, vec![self.peer(io, member)]));
                    }
                }
            }
        }
        closed
    }

    /// This node's members who wait, and the rooms they sit in.
    pub(super) async fn local_counts(&self) -> Result<(usize, usize), StoreError> {
        let ids: Vec<MemberId> = self
            .courier
            .members
            .iter()
            .map(|m| m.key().clone())
            .collect();
        let (mut waiting, mut rooms) = (0, std::collections::HashSet::new());
        for place in self.rules.places(&ids).await? {
            match place {
                RecordedPlace::Lobby(_) => waiting += 1,
                RecordedPlace::Room(room) => {
                    rooms.insert(room);
                }
                RecordedPlace::Nowhere => {}
            }
        }
        Ok((waiting, rooms.len()))
    }

    /// Keeps the resume tokens of `connected` alive as long as their records.
    async fn refresh_tokens(&self, connected: &[Arc<RedisMember>]) {
        let keys: Vec<String> = connected.iter().filter_map(|m| m.token_key()).collect();
        if keys.is_empty() {
            return;
        }
        let mut pipe = redis::pipe();
        for key in keys {
            pipe.pexpire(key, self.rules.ttl_ms() as i64);
        }
        if let Err(cause) = pipe.query_async::<()>(&mut self.rules.connection()).await {
            tracing::warn!(%cause, "refreshing resume tokens failed");
        }
    }
}
