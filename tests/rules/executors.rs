//! Both executors behind one small interface, in the domain's terms (member ids, groups,
//! rooms), and the fixtures the suites share.

use crate::redis_prefix::RedisPrefix;
use circle::domain::{
    AccessCode, Description, DisplayName, Group, GroupName, MemberId, OwnerToken, RoomId, Rules,
};
use circle::matchmaking::rounds::RoundPlan;
use circle::matchmaking::{
    Back, Choice, Departure, Hub, Joined, Member, Occupancy, Pairing, Parted, Parting, RoundDraws,
    Whereabouts,
};
use circle::realtime::redis::{Reaped, RecordedPlace, RedisRules};
use circle::realtime::rounds::Stepped;
use circle::series::{RoundSettings, Series, Step};
use circle::store::{GroupStore, RedisStore, connect_redis};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use time::OffsetDateTime;

/// The group access codes the suites use.
pub const CODES: [&str; 3] = ["aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc"];

/// When the test groups were created.
static CREATED: LazyLock<OffsetDateTime> =
    LazyLock::new(|| OffsetDateTime::now_utc().replace_nanosecond(0).unwrap());

/// The group with the `i`th code, live for `i + 1` hours (so that the groups expire one
/// after the other).
pub fn group(i: usize) -> Group {
    let now = *CREATED;
    Group {
        access_code: AccessCode::parse(CODES[i]).unwrap(),
        name: GroupName::parse("g").unwrap(),
        description: Description::parse("d").unwrap(),
        rules: Rules::default(),
        prompts: Default::default(),
        created_at: now,
        expires_at: now + time::Duration::hours(i as i64 + 1),
    }
}

/// The name member `id` joins under.
pub fn name_of(id: &MemberId) -> DisplayName {
    DisplayName::parse(Some(id.as_str())).unwrap()
}

/// A join's choice with a readable room id.
pub fn choice(room: &str, draw: u32) -> Choice {
    Choice {
        room: RoomId::from_wire(room),
        draw,
    }
}

/// What one executor of the rules does, seen from outside.
pub trait Executor {
    /// `member` joins `group` (under [`name_of`] her id).
    async fn join(&self, member: &MemberId, group: &Group, choice: &Choice) -> Joined<MemberId>;
    /// `member` leaves the room `room`, or whatever she is in.
    async fn leave(&self, member: &MemberId, room: Option<&RoomId>) -> Option<Departure<MemberId>>;
    /// `member` blocks or reports the partner she had in `room`.
    async fn part(
        &self,
        member: &MemberId,
        room: &RoomId,
        parting: Parting,
    ) -> Option<Parted<MemberId>>;
    /// `member`'s connection dropped but she may come back: her room and the partner to
    /// tell, if any.
    async fn away(&self, member: &MemberId) -> Option<(RoomId, MemberId)>;
    /// `member` is back.
    async fn back(&self, member: &MemberId, choice: &Choice) -> Back<MemberId>;
    /// Whether `member` is away.
    async fn is_away(&self, member: &MemberId) -> bool;
    /// `member`'s connection is gone.
    async fn disconnect(&self, member: &MemberId) -> Option<Departure<MemberId>>;
    /// The group's owner closes it: who was waiting.
    async fn close(&self, group: &Group) -> Vec<MemberId>;
    /// Where `member` is.
    async fn whereabouts(&self, member: &MemberId) -> Whereabouts;
    /// Groups `0..=last` expire and a sweep runs over `members`: who lost her lobby.
    async fn expire(&self, last: usize, members: &[MemberId]) -> Vec<MemberId>;
    /// Who waits in `group` and who sits in its rooms, and the pairs formed in it so far
    /// (the owner's counts, docs/protocol.md section 7).
    async fn counts(&self, group: &Group) -> (Occupancy, u64);
    /// Pauses `group`'s ordinary pairing (a break), or lets it run again.
    async fn pause(&self, group: &Group, paused: bool);
    /// A round of a series in `group` starts by `plan`, with `draws`.
    async fn start_round(
        &self,
        group: &Group,
        plan: &RoundPlan<MemberId>,
        draws: &RoundDraws,
    ) -> RoundStep;
    /// A round of `group`'s series ends by `step` (a warning, a break, the finish).
    async fn end_round(&self, group: &Group, step: Step) -> RoundStep;
    /// `group`'s series stops; waiters join again with `choices`.
    async fn stop_rounds(&self, group: &Group, choices: &[Choice]) -> Vec<Pairing<MemberId>>;
}

/// What a round's step did, as both executors must agree (ended rooms and the present
/// members in id order).
#[derive(Debug, PartialEq)]
pub struct RoundStep {
    pub ended: Vec<(RoomId, MemberId)>,
    pub pairs: Vec<Pairing<MemberId>>,
    pub byes: Vec<MemberId>,
    pub ordinary: Vec<Pairing<MemberId>>,
    pub present: Vec<MemberId>,
}

impl RoundStep {
    fn of(stepped: Stepped<MemberId>) -> Self {
        let mut step = Self {
            ended: stepped.ended,
            pairs: stepped.pairs,
            byes: stepped.byes,
            ordinary: stepped.ordinary,
            present: stepped.present,
        };
        step.ended
            .sort_by(|a, b| (a.1.as_str(), a.0.as_str()).cmp(&(b.1.as_str(), b.0.as_str())));
        step.present.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        step
    }
}

/// The settings of the test series: long rounds, breaks, many of them.
const SETTINGS: RoundSettings = RoundSettings {
    round_seconds: 600,
    break_seconds: 60,
    rounds: 50,
};

/// The reference model: a [`Hub`] whose handles are the member ids themselves.
#[derive(Default)]
pub struct Model {
    hub: Hub<MemberId>,
    members: Mutex<HashMap<MemberId, Arc<Member<MemberId>>>>,
    /// Pairings taken from the hub so far, per group.
    pairs: Mutex<HashMap<AccessCode, u64>>,
}

impl Model {
    /// The members of `group` present for a round, in the hub's order.
    pub fn present(&self, group: &Group) -> Vec<MemberId> {
        let present = self.hub.present(&group.access_code);
        present.iter().map(|m| m.handle().clone()).collect()
    }

    fn member(&self, id: &MemberId) -> Arc<Member<MemberId>> {
        let mut members = self.members.lock().unwrap();
        members
            .entry(id.clone())
            .or_insert_with(|| self.hub.register(id.clone()))
            .clone()
    }
}

impl Executor for Model {
    async fn join(&self, member: &MemberId, group: &Group, choice: &Choice) -> Joined<MemberId> {
        self.hub
            .join(&self.member(member), group, name_of(member), choice)
    }

    async fn leave(&self, member: &MemberId, room: Option<&RoomId>) -> Option<Departure<MemberId>> {
        match room {
            Some(room) => self.hub.leave_room(&self.member(member), room.as_str()),
            None => self.hub.leave(&self.member(member)),
        }
    }

    async fn part(
        &self,
        member: &MemberId,
        room: &RoomId,
        parting: Parting,
    ) -> Option<Parted<MemberId>> {
        self.hub.part(&self.member(member), room.as_str(), parting)
    }

    async fn away(&self, member: &MemberId) -> Option<(RoomId, MemberId)> {
        self.hub.away(&self.member(member))
    }

    async fn back(&self, member: &MemberId, choice: &Choice) -> Back<MemberId> {
        self.hub.back(&self.member(member), choice)
    }

    async fn is_away(&self, member: &MemberId) -> bool {
        self.member(member).is_away()
    }

    async fn disconnect(&self, member: &MemberId) -> Option<Departure<MemberId>> {
        let departure = self.hub.leave(&self.member(member));
        self.members.lock().unwrap().remove(member);
        departure
    }

    async fn close(&self, group: &Group) -> Vec<MemberId> {
        self.hub.close_group(group)
    }

    async fn whereabouts(&self, member: &MemberId) -> Whereabouts {
        self.member(member).whereabouts()
    }

    async fn expire(&self, last: usize, _members: &[MemberId]) -> Vec<MemberId> {
        let swept = self.hub.sweep(group(last).expires_at);
        swept.into_iter().flat_map(|(_, waiters)| waiters).collect()
    }

    async fn counts(&self, group: &Group) -> (Occupancy, u64) {
        let mut pairs = self.pairs.lock().unwrap();
        for (code, n) in self.hub.take_pairings() {
            *pairs.entry(code).or_default() += n;
        }
        let formed = pairs.get(&group.access_code).copied().unwrap_or(0);
        (self.hub.occupancy(&group.access_code), formed)
    }

    async fn pause(&self, group: &Group, paused: bool) {
        self.hub.pause(&group.access_code, paused);
    }

    async fn start_round(
        &self,
        group: &Group,
        plan: &RoundPlan<MemberId>,
        draws: &RoundDraws,
    ) -> RoundStep {
        let number = |id: &MemberId| self.member(id).number();
        let numbered = RoundPlan {
            pairs: plan
                .pairs
                .iter()
                .map(|(a, b)| (number(a), number(b)))
                .collect(),
            byes: plan.byes.iter().map(number).collect(),
        };
        let started = self.hub.start_round(group, &numbered, draws);
        RoundStep::of(Stepped {
            ended: started.ended,
            pairs: started.pairs,
            byes: started.byes,
            ordinary: started.ordinary,
            ..Stepped::of(Series::start(SETTINGS, 0))
        })
    }

    async fn end_round(&self, group: &Group, step: Step) -> RoundStep {
        let ended = self.hub.end_round(group, step, MemberId::as_str);
        RoundStep::of(Stepped {
            ended: ended.ended,
            present: ended.present,
            ..Stepped::of(Series::start(SETTINGS, 0))
        })
    }

    async fn stop_rounds(&self, group: &Group, choices: &[Choice]) -> Vec<Pairing<MemberId>> {
        self.hub.stop_rounds(group, choices)
    }
}

/// One node of the Redis executor, on its own connection.
pub struct Node {
    pub rules: RedisRules,
    /// Its members join as resumable (`RedisRules::join_resumable`), which must not
    /// change any rule.
    pub resumable: bool,
}

/// Two nodes on a fresh key prefix (deleted when the prefix drops), with the groups of
/// [`CODES`] stored.
pub async fn redis_nodes() -> (Node, Node, RedisPrefix) {
    let url = std::env::var("CIRCLE_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let prefix = RedisPrefix::fresh(&url);
    let store = RedisStore::open(connect_redis(&url).await.unwrap(), &prefix.prefix)
        .await
        .expect("Redis reachable at CIRCLE_TEST_REDIS_URL");
    let owner = OwnerToken::generate(&mut rand::rng()).hash();
    for i in 0..CODES.len() {
        store.insert(&group(i), &owner).await.unwrap();
    }
    let mut nodes = Vec::new();
    for _ in 0..2 {
        let redis = connect_redis(&url).await.unwrap();
        let rules = RedisRules::new(redis, store.keys().clone(), Duration::from_secs(60));
        nodes.push(Node {
            rules,
            resumable: false,
        });
    }
    let b = nodes.pop().unwrap();
    let a = nodes.pop().unwrap();
    (a, b, prefix)
}

impl Node {
    /// Her record vanishes, as when her node dies and stops refreshing it.
    pub async fn vanish(&self, member: &MemberId) {
        self.rules.forget(member).await.unwrap();
    }

    /// This node refreshes `members` and reports what changed under them.
    pub async fn reap(&self, members: &[MemberId]) -> Vec<Reaped> {
        self.rules.reap(members).await.unwrap()
    }
}

impl Executor for Node {
    async fn join(&self, member: &MemberId, group: &Group, choice: &Choice) -> Joined<MemberId> {
        let name = name_of(member);
        match self.resumable {
            true => {
                self.rules
                    .join_resumable(member, group, &name, choice)
                    .await
            }
            false => self.rules.join(member, group, &name, choice).await,
        }
        .unwrap()
    }

    async fn leave(&self, member: &MemberId, room: Option<&RoomId>) -> Option<Departure<MemberId>> {
        self.rules
            .leave(member, room.map(RoomId::as_str))
            .await
            .unwrap()
    }

    async fn part(
        &self,
        member: &MemberId,
        room: &RoomId,
        parting: Parting,
    ) -> Option<Parted<MemberId>> {
        self.rules
            .part(member, room.as_str(), parting)
            .await
            .unwrap()
    }

    async fn away(&self, member: &MemberId) -> Option<(RoomId, MemberId)> {
        self.rules.away(member).await.unwrap()
    }

    async fn back(&self, member: &MemberId, choice: &Choice) -> Back<MemberId> {
        self.rules.back(member, choice).await.unwrap()
    }

    /// Her record's `away` field is set.
    async fn is_away(&self, member: &MemberId) -> bool {
        redis::cmd("HEXISTS")
            .arg(self.rules.keys().member(member))
            .arg("away")
            .query_async(&mut self.rules.connection())
            .await
            .unwrap()
    }

    async fn disconnect(&self, member: &MemberId) -> Option<Departure<MemberId>> {
        let departure = self.rules.leave(member, None).await.unwrap();
        self.rules.forget(member).await.unwrap();
        departure
    }

    async fn close(&self, group: &Group) -> Vec<MemberId> {
        self.rules.close(group).await.unwrap()
    }

    /// The group records go (Redis expires them on its own), then a sweep finds it.
    async fn expire(&self, last: usize, members: &[MemberId]) -> Vec<MemberId> {
        let keys = self.rules.keys();
        for g in 0..=last {
            redis::cmd("DEL")
                .arg(keys.group(&keys.fingerprint(&group(g).access_code)))
                .query_async::<usize>(&mut self.rules.connection())
                .await
                .unwrap();
        }
        self.reap(members)
            .await
            .into_iter()
            .map(|found| match found {
                Reaped::GroupGone { member } => member,
                Reaped::PartnerGone { member, .. } => panic!("{} lost a partner", member.as_str()),
            })
            .collect()
    }

    /// The occupancy script, and the pairs the pairing scripts counted.
    async fn counts(&self, group: &Group) -> (Occupancy, u64) {
        let keys = self.rules.keys();
        let formed: Option<u64> = redis::cmd("HGET")
            .arg(keys.counts(&keys.fingerprint(&group.access_code)))
            .arg("pairs")
            .query_async(&mut self.rules.connection())
            .await
            .unwrap();
        let occupancy = self.rules.occupancy(group).await.unwrap();
        (occupancy, formed.unwrap_or(0))
    }

    async fn pause(&self, group: &Group, paused: bool) {
        self.rules.pause(group, paused).await.unwrap();
    }

    /// A new series when none runs, else its next round (the stored series is the one
    /// compared and set).
    async fn start_round(
        &self,
        group: &Group,
        plan: &RoundPlan<MemberId>,
        draws: &RoundDraws,
    ) -> RoundStep {
        let current = self.rules.series(&group.access_code).await.unwrap();
        let expected = current.filter(Series::is_running);
        let next = match &expected {
            Some(series) => series.advance(
                Step::Start {
                    round: series.round + 1,
                },
                0,
            ),
            None => Series::start(SETTINGS, 0),
        };
        let started = self
            .rules
            .start_round(group, expected.as_ref(), &next, plan, draws);
        let stepped = started.await.unwrap().unwrap().expect("the series as read");
        RoundStep::of(stepped)
    }

    async fn end_round(&self, group: &Group, step: Step) -> RoundStep {
        let current = self.rules.series(&group.access_code).await.unwrap();
        let expected = current.expect("a series runs");
        let next = expected.advance(step, 0);
        let ended = self.rules.end_round(group, &expected, &next, step).await;
        RoundStep::of(ended.unwrap().expect("the series as read"))
    }

    async fn stop_rounds(&self, group: &Group, choices: &[Choice]) -> Vec<Pairing<MemberId>> {
        let stopped = self.rules.stop_rounds(group, choices).await.unwrap();
        stopped.unwrap_or_default()
    }

    async fn whereabouts(&self, member: &MemberId) -> Whereabouts {
        let place = self
            .rules
            .places(std::slice::from_ref(member))
            .await
            .unwrap();
        match place.into_iter().next().unwrap() {
            RecordedPlace::Nowhere => Whereabouts::Nowhere,
            RecordedPlace::Room(room) => Whereabouts::Room(room),
            RecordedPlace::Lobby(fingerprint) => {
                let keys = self.rules.keys();
                let code = (0..CODES.len())
                    .map(|i| group(i).access_code)
                    .find(|code| keys.fingerprint(code) == fingerprint)
                    .expect("a lobby of a known group");
                Whereabouts::Lobby(code)
            }
        }
    }
}
