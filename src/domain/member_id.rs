use super::random_id::random_id;

random_id!(
    /// A member's public id: 128 random bits in hex, with no relation to any session id.
    /// It is the one id a partner ever sees (`join_room.match.id` and `match.sid`), and the
    /// one the server puts in place of a session id found in a relayed payload
    /// (docs/protocol.md section 4).
    MemberId
);
