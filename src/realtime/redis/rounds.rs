//! Timed rounds on several nodes (docs/protocol.md section 8). A series lives in Redis
//! ([`super::round_rules`]): any node reads it with one GET; each step is one script that
//! applies it once. The node that holds a series' lease drives it; when that node dies its
//! lease runs out within a member TTL and another node takes the series over, loading the
//! group by the sealed code the series keeps.
//!
//! Here the members become handles: the sockets of new pairs join their adapter room,
//! and those of ended rooms leave it, wherever they are, so that no pair on one node keeps
//! chatting past Redis.

use super::RedisPresence;
use super::peer::RemotePeer;
use crate::domain::{AccessCode, Group, MemberId};
use crate::matchmaking::rounds::pair_round;
use crate::matchmaking::{Choice, Pairing, RoundDraws};
use crate::realtime::rounds::{AlreadyRunning, Stepped, Stopped, Timed, now_ms};
use crate::series::{RoundSettings, Series, Step};
use crate::store::StoreError;
use async_trait::async_trait;
use futures_util::future::join_all;

impl RedisPresence {
    /// Starts a round of `group` (a new series when `expected` is `None`): pairs the
    /// present members by [`pair_round`] and has the start script apply the plan.
    async fn start_round(
        &self,
        group: &Group,
        expected: Option<&Series>,
        next: &Series,
    ) -> Result<Result<Option<Stepped<RemotePeer>>, AlreadyRunning>, StoreError> {
        let view = self.rules.round_view(group).await?;
        let history = match expected {
            Some(_) => view.history,
            None => Default::default(), // a new series: its own history
        };
        let plan = pair_round(
            &view.present,
            &history,
            |m| view.blocks.of(m),
            &mut rand::rng(),
        );
        let draws = RoundDraws::random(&plan, &mut rand::rng());
        let started = self.rules.start_round(group, expected, next, &plan, &draws);
        let stepped = match started.await? {
            Ok(Some(stepped)) => stepped,
            Ok(None) => return Ok(Ok(None)),
            Err(running) => return Ok(Err(running)),
        };
        Ok(Ok(Some(self.reach(stepped).await?)))
    }

    /// The step's members as handles; ended rooms' sockets leave them and new pairs'
    /// sockets join theirs.
    async fn reach(&self, stepped: Stepped<MemberId>) -> Result<Stepped<RemotePeer>, StoreError> {
        let io = self.io().ok_or_else(super::not_attached)?;
        let peer = |id: MemberId| self.peer(io, id);
        let ended: Vec<_> = stepped
            .ended
            .into_iter()
            .map(|(room, id)| (room, peer(id)))
            .collect();
        join_all(ended.iter().map(|(room, p)| p.leave_room(room.as_str()))).await;
        let pairs = self.seat(stepped.pairs, &peer).await;
        let ordinary = self.seat(stepped.ordinary, &peer).await;
        Ok(Stepped {
            series: stepped.series,
            ended,
            pairs,
            byes: stepped.byes.into_iter().map(peer).collect(),
            ordinary,
            present: stepped.present.into_iter().map(peer).collect(),
        })
    }

    /// `pairs` as handles, both sockets of each in its room's adapter room.
    async fn seat(
        &self,
        pairs: Vec<Pairing<MemberId>>,
        peer: &impl Fn(MemberId) -> RemotePeer,
    ) -> Vec<Pairing<RemotePeer>> {
        let pairs: Vec<_> = pairs.into_iter().map(|p| p.map(peer)).collect();
        join_all(
            pairs
                .iter()
                .flat_map(|p| [&p.own, &p.partner].map(|member| member.join_room(p.room.as_str()))),
        )
        .await;
        pairs
    }
}

#[async_trait]
impl Timed for RedisPresence {
    /// One GET: read on every join and resume.
    async fn series(&self, group: &AccessCode) -> Result<Option<Series>, StoreError> {
        self.rules.series(group).await
    }

    async fn start_series(
        &self,
        group: &Group,
        settings: RoundSettings,
    ) -> Result<Result<Stepped<RemotePeer>, AlreadyRunning>, StoreError> {
        let first = Series::start(settings, now_ms());
        match self.start_round(group, None, &first).await? {
            Ok(Some(stepped)) => Ok(Ok(stepped)),
            Ok(None) | Err(AlreadyRunning) => Ok(Err(AlreadyRunning)),
        }
    }

    async fn stop_series(&self, group: &Group) -> Result<Option<Stopped<RemotePeer>>, StoreError> {
        // Who is present as it stops, to be told `rounds_stopped`.
        let present = self.rules.round_view(group).await?.present;
        let waiting = self.rules.lobby_length(group).await?;
        let choices: Vec<_> = (0..waiting)
            .map(|_| Choice::random(&mut rand::rng()))
            .collect();
        let Some(paired) = self.rules.stop_rounds(group, &choices).await? else {
            return Ok(None);
        };
        let io = self.io().ok_or_else(super::not_attached)?;
        let peer = |id| self.peer(io, id);
        Ok(Some(Stopped {
            present: present.into_iter().map(peer).collect(),
            paired: self.seat(paired, &peer).await,
        }))
    }

    async fn step_series(
        &self,
        group: &Group,
        expected: &Series,
        step: Step,
    ) -> Result<Option<Stepped<RemotePeer>>, StoreError> {
        let next = expected.advance(step, now_ms());
        if let Step::Start { .. } = step {
            return Ok(self
                .start_round(group, Some(expected), &next)
                .await?
                .unwrap_or(None));
        }
        match self.rules.end_round(group, expected, &next, step).await? {
            Some(stepped) => Ok(Some(self.reach(stepped).await?)),
            None => Ok(None),
        }
    }

    async fn forget_series(&self, group: &AccessCode) -> Result<(), StoreError> {
        self.rules.forget_rounds(group).await
    }

    /// The series whose lease this node holds (or took, their driver being gone); a
    /// failure is logged, and the next tick tries again.
    async fn driven_series(&self) -> Vec<(AccessCode, Series)> {
        let driven = match self.rules.driven().await {
            Ok(driven) => driven,
            Err(cause) => {
                tracing::warn!(%cause, "finding the series to drive failed");
                return Vec::new();
            }
        };
        let cipher = self.rules.keys().cipher();
        driven
            .into_iter()
            .filter_map(|d| match cipher.open(&d.sealed_code) {
                Some(code) => Some((code, d.series)),
                None => {
                    tracing::warn!(
                        fingerprint = %d.fingerprint,
                        "a running series' sealed code does not open; it is not driven"
                    );
                    None
                }
            })
            .collect()
    }
}
