use crate::domain::Invalid;

/// Why an event was refused: a stable code and a human message, sent in the ack or in a
/// `request_error` (docs/protocol.md section 2).
pub type Refusal = Invalid;

/// The payload is not what the event takes (not an object, wrong types).
pub const INVALID_PAYLOAD: Refusal = Refusal::new("invalid_payload", "the payload is malformed");
/// A message without a string `room`.
pub const INVALID_ROOM: Refusal = Refusal::new("invalid_room", "room must be a string");
/// The access code is unknown, expired, closed or malformed.
pub const GROUP_NOT_FOUND: Refusal =
    Refusal::new("group_not_found", "no live group has this access code");
/// The sender may not send into that room.
pub const NOT_IN_ROOM: Refusal = Refusal::new("not_in_room", "you are not in this room");
/// `next` before any `join_group`.
pub const NOT_IN_GROUP: Refusal = Refusal::new("not_in_group", "join a group first");
/// A message over the size limit.
pub const MESSAGE_TOO_LARGE: Refusal =
    Refusal::new("message_too_large", "the message is over the size limit");
/// Too many messages, or too many failed joins from one address.
pub const RATE_LIMITED: Refusal = Refusal::new("rate_limited", "too many requests, slow down");
/// Events with binary attachments are not accepted.
pub const BINARY_NOT_ALLOWED: Refusal =
    Refusal::new("binary_not_allowed", "binary attachments are not accepted");
/// Events that would break the closed group (`join_room`, `gmessage`).
pub const FORBIDDEN: Refusal = Refusal::new("forbidden", "this event is not allowed");
/// The partner is away and her buffer of held events is full (docs/protocol.md section 6).
pub const PARTNER_UNREACHABLE: Refusal = Refusal::new(
    "partner_unreachable",
    "your partner's connection dropped and no more messages can be held for her",
);
/// Too many messages wait already for a partner whose connection reads slowly.
pub const OVERLOADED: Refusal = Refusal::new(
    "overloaded",
    "too many messages are waiting for your partner; try again shortly",
);
/// The token is unknown, expired or used already; join the group again.
pub const RESUME_FAILED: Refusal = Refusal::new(
    "resume_failed",
    "this session cannot be resumed; join the group again",
);
/// Removed from this group by members' reports (docs/protocol.md section 7).
pub const REMOVED: Refusal = Refusal::new("removed", "you were removed from this group");
/// A report's reason is not one of `spam`, `abuse`, `other`.
pub const INVALID_REASON: Refusal =
    Refusal::new("invalid_reason", "reason must be one of spam, abuse, other");
/// The store cannot be reached.
pub const UNAVAILABLE: Refusal = Refusal::new(
    "unavailable",
    "the service is unavailable, try again shortly",
);

/// [`UNAVAILABLE`], once the store or Redis `cause` is logged (its text names no code,
/// name or message); the one place a socket handler turns such a failure into a refusal.
pub fn unavailable(cause: impl std::fmt::Display) -> Refusal {
    tracing::warn!(%cause, "the store or Redis failed");
    UNAVAILABLE
}
