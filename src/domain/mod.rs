//! Validated domain types: every value a client sends becomes one of these at the edge.
//! Nothing here does I/O or knows a wire format.

mod access_code;
mod client_address;
mod display_name;
mod group;
mod member_id;
mod owner_token;
mod prompts;
mod random_id;
mod resume_token;
mod room_id;

pub use access_code::AccessCode;
pub use client_address::{ClientAddress, TrustedProxies};
pub use display_name::DisplayName;
pub use group::{Description, Group, GroupName, NewGroup, Rules};
pub use member_id::MemberId;
pub use owner_token::{OwnerToken, OwnerTokenHash};
pub use prompts::Prompts;
pub use resume_token::ResumeToken;
pub use room_id::RoomId;

/// Why a value sent by a client was refused; the `code` is stable and part of the protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    /// Stable snake_case error code, e.g. `invalid_name`.
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: &'static str,
}

impl Invalid {
    /// A refusal with the given code and message.
    pub const fn new(code: &'static str, message: &'static str) -> Self {
        Self { code, message }
    }
}

/// Trims `raw` and checks it holds between `min` and `max` characters without control
/// characters (a newline is allowed only when `multiline`).
fn checked_text(
    raw: &str,
    min: usize,
    max: usize,
    multiline: bool,
    error: Invalid,
) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    let length = trimmed.chars().count();
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t'));
    if length < min || length > max || !trimmed.chars().all(allowed) {
        return Err(error);
    }
    Ok(trimmed.to_owned())
}
