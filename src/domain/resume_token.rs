use super::random_id::random_id;

random_id!(
    /// The secret that lets a resumable member come back on a new connection: 128 random
    /// bits in hex, single use (each resume hands out a new one), never logged or written
    /// to disk (docs/protocol.md section 6).
    ResumeToken
);

impl std::borrow::Borrow<str> for ResumeToken {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}
