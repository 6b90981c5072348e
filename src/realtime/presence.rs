use crate::domain::{AccessCode, DisplayName, Group, MemberId, RoomId};
use crate::matchmaking::{Back, Departure, Joined, Occupancy, Parted, Parting, SeatView};
use crate::store::StoreError;
use async_trait::async_trait;
use serde::Serialize;
use serde_json::value::RawValue;
use std::pin::Pin;
use std::time::Duration;
use time::OffsetDateTime;

use super::notices::LeaveReason;
use super::refusal::Refusal;

/// How the server reaches one member to tell her something.
pub trait Handle: Clone + Send + Sync + 'static {
    /// Her public member id, as told to her partner.
    fn id(&self) -> &MemberId;

    /// Sends the notice `event` to her if her socket is still open (a closed one is
    /// skipped); a resumable member's notices are also kept for her resume.
    fn emit<T: ?Sized + Serialize>(&self, event: &'static str, data: &T);

    /// Resolves once everything emitted to her so far is on its way (handed to her socket,
    /// or to the adapter when she is on another node).
    fn sent(&self) -> impl Future<Output = ()> + Send;
}

/// A chat message as it arrived: raw JSON, passed on unchanged (never parsed again).
#[derive(Clone, Copy, Serialize)]
#[serde(transparent)]
pub struct ChatPayload<'a>(pub(crate) &'a RawValue);

impl<'a> ChatPayload<'a> {
    /// The message's JSON text.
    pub fn as_str(&self) -> &'a str {
        self.0.get()
    }
}

impl<'a> From<&'a RawValue> for ChatPayload<'a> {
    fn from(raw: &'a RawValue) -> Self {
        Self(raw)
    }
}

/// A relayed message's fate: sent to every member of the room, or held for a partner
/// who is away (docs/protocol.md section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// On its way to everyone.
    Delivered,
    /// Kept for a partner who is away, until she resumes.
    Held,
}

/// How a relay ended: at once, or once the backend has checked something.
pub enum Relayed {
    /// Delivered (or refused) already.
    Now(Result<Sent, Refusal>),
    /// To be awaited off the socket's read loop.
    Later(Pin<Box<dyn Future<Output = Result<Sent, Refusal>> + Send>>),
}

/// Where lobbies and rooms live: in this node's memory, or in Redis for several nodes.
///
/// Every method follows docs/protocol.md sections 2 and 3; each is atomic with respect to the
/// others, for one member and for the group or room it touches.
#[async_trait]
pub trait Presence: Send + Sync + Sized + 'static {
    /// How the backend reaches one member's connection; built at the edge (see
    /// `super::connect::SocketBackend`) when she connects.
    type Connection: Send + 'static;
    /// What the backend keeps for one connected socket.
    type Member: Send + Sync + 'static;
    /// How a member is reached.
    type Handle: Handle;

    /// A record for a member who just connected on `connection`, known to others as `id`:
    /// in no lobby and no room.
    fn register(&self, connection: Self::Connection, id: MemberId) -> Self::Member;

    /// Leaves whatever she was in, then waits in `group`'s lobby under `name`, paired
    /// at once with a random eligible waiter if there is one.
    async fn join(
        &self,
        member: &Self::Member,
        group: &Group,
        name: DisplayName,
    ) -> Result<Joined<Self::Handle>, StoreError>;

    /// Leaves her lobby or room, whichever she is in, for `reason`; when her connection
    /// is gone ([`LeaveReason::Disconnected`]) the backend forgets her too.
    async fn leave(
        &self,
        member: &Self::Member,
        reason: LeaveReason,
    ) -> Result<Option<Departure<Self::Handle>>, StoreError>;

    /// Leaves the room named `room`; `None` (and no effect) when she is not in it.
    async fn leave_room(
        &self,
        member: &Self::Member,
        room: &str,
    ) -> Result<Option<Departure<Self::Handle>>, StoreError>;

    /// `block {room}` or `report {room, reason}` (docs/protocol.md section 7): she leaves
    /// `room` and is never paired again with the partner she had there; a report may
    /// remove that partner from the group. `None` (and no effect) when she is not in `room`.
    async fn part(
        &self,
        member: &Self::Member,
        room: &str,
        parting: Parting,
    ) -> Result<Option<Parted<Self::Handle>>, StoreError>;

    /// Her connection dropped and she may come back (docs/protocol.md section 6): she keeps
    /// her lobby place or room but is never paired meanwhile. Returns her room and the
    /// partner still in it, to be told `partner_away` (nothing happens when she has
    /// resumed on another socket meanwhile).
    async fn away(
        &self,
        member: &Self::Member,
    ) -> Result<Option<(RoomId, Self::Handle)>, StoreError>;

    /// She is back: present again (and paired at once when she waits where an eligible
    /// member waits).
    async fn back(&self, member: &Self::Member) -> Result<Back<Self::Handle>, StoreError>;

    /// Her room and the partner still in it, with the partner's name (for a resume).
    async fn seat(
        &self,
        member: &Self::Member,
    ) -> Result<Option<SeatView<Self::Handle>>, StoreError>;

    /// Relays a chat `payload` sent by `member` into `room` to the room's members, or
    /// refuses it (`not_in_room`; `partner_unreachable` when the partner is away and her
    /// buffer is full). An outsider may not post into a room of resumable members. Every recipient but the sender's own connection gets
    /// `payload` with her `session_id` replaced by her member id (see
    /// [`super::masking`]). This is the hot path: it must not wait on storage for a member
    /// of the room, and must keep one sender's messages in order.
    fn relay(
        &self,
        member: &Self::Member,
        room: &str,
        session_id: &str,
        payload: ChatPayload<'_>,
    ) -> Relayed;

    /// Turns `member`'s profanity filter on or off (docs/protocol.md section 7): from now
    /// on, her partners' chat messages are masked as they are written to her socket,
    /// wherever she resumes; her own echo never is.
    async fn set_filter(&self, member: &Self::Member, on: bool) -> Result<(), StoreError>;

    /// Passes `typing {room}` from `member` to her partner in `room` if she sits in it and
    /// the partner is connected: never numbered, kept or held (docs/protocol.md section 7).
    async fn typing(&self, member: &Self::Member, room: &str) -> Result<(), StoreError>;

    /// Closes `group`'s lobby now; returns who was waiting there.
    async fn close_group(&self, group: &Group) -> Result<Vec<Self::Handle>, StoreError>;

    /// Closes the lobbies of groups expired at `now` and drops records of members whose
    /// node is gone; returns each closed group's code with its former waiters.
    async fn sweep(&self, now: OffsetDateTime) -> Vec<(AccessCode, Vec<Self::Handle>)>;

    /// Whether the backend can serve requests (readiness).
    async fn ready(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// How often [`Presence::sweep`] must run at least, if the backend has records to
    /// keep alive.
    fn maintenance_interval(&self) -> Option<Duration> {
        None
    }

    /// Members waiting and rooms open, counting this node's members (for metrics).
    async fn counts(&self) -> Result<(usize, usize), StoreError>;

    /// Who waits in `group`'s lobby and who sits in its rooms, on every node (for its
    /// owner, docs/protocol.md section 7); members whose node died are not counted.
    async fn occupancy(&self, group: &Group) -> Result<Occupancy, StoreError>;

    /// The pairings formed in each group since the last call that the backend has not
    /// saved itself, to be added to the groups' lasting counts; from then on they are
    /// the caller's. None by default: a backend that stores its pairs counts them as it
    /// makes them.
    fn take_pairings(&self) -> Vec<(AccessCode, u64)> {
        Vec::new()
    }
}
