use super::random_id::random_id;

random_id!(
    /// The id of one private room: 128 random bits in hex, fresh for every pairing and never
    /// reused. Knowing it is the permission to send into the room (docs/protocol.md section 2).
    RoomId
);

impl std::borrow::Borrow<str> for RoomId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}
