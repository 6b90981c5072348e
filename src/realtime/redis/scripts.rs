//! The Lua scripts that make every lobby and room change atomic across nodes.
//!
//! Each script starts with `keys.lua`, which reads the key prefixes that
//! [`Keys::script_prefixes`] passes first; [`invoke`] passes them. Then come the shared
//! functions it uses, then its own body.

use crate::store::{Keys, TALLY_LUA};
use redis::{Script, ScriptInvocation};
use std::sync::LazyLock;

/// The key prefixes, read by every script.
const KEYS: &str = include_str!("keys.lua");
/// `vacate()`, shared by the scripts that move a member.
const VACATE: &str = include_str!("vacate.lua");
/// `take_partner()`, `seat_pair()` and `partner_in()`, shared by the scripts that pair
/// (after [`TALLY_LUA`], with which `seat_pair()` counts each pairing).
const PAIRING: &str = include_str!("pairing.lua");
/// `put()` and the journal's arguments, shared by the scripts that deliver events.
const JOURNAL: &str = include_str!("journal.lua");
/// Stops a script about a member who resumed on another node.
const GUARD: &str = include_str!("guard.lua");
/// Marks a joining member resumable.
const MARK: &str = include_str!("mark.lua");
/// A group's series of timed rounds and its present members, shared by the round
/// scripts (after [`VACATE`], [`TALLY_LUA`] and [`PAIRING`]).
const ROUNDS: &str = include_str!("rounds.lua");

/// `keys.lua`, then everything a round script may use, then `body`.
fn round_script(body: &str) -> Script {
    script(&[VACATE, TALLY_LUA, PAIRING, ROUNDS], body)
}

/// `keys.lua`, then the shared `parts`, then `body`.
fn script(parts: &[&str], body: &str) -> Script {
    let mut source = format!("{KEYS}\n");
    for part in parts {
        source.push_str(part);
        source.push('\n');
    }
    source.push_str(body);
    Script::new(&source)
}

/// Leave, then wait in a lobby or pair at once.
pub static JOIN: LazyLock<Script> =
    LazyLock::new(|| script(&[VACATE, TALLY_LUA, PAIRING], include_str!("join.lua")));
/// Join as a resumable member: her record is marked so in the same step.
pub static JOIN_RESUMABLE: LazyLock<Script> = LazyLock::new(|| {
    script(
        &[VACATE, TALLY_LUA, PAIRING, MARK],
        include_str!("join.lua"),
    )
});
/// Leave a room (a named one, or whatever she is in).
pub static LEAVE: LazyLock<Script> = LazyLock::new(|| script(&[VACATE], include_str!("leave.lua")));
/// Block or report the partner of a room (docs/protocol.md section 7).
pub static PART: LazyLock<Script> =
    LazyLock::new(|| script(&[VACATE, PAIRING], include_str!("part.lua")));
/// Mark a member away: she keeps her place but is not paired.
pub static AWAY: LazyLock<Script> =
    LazyLock::new(|| script(&[TALLY_LUA, PAIRING], include_str!("away.lua")));
/// Mark a member present again, pairing her at once in her lobby if someone is eligible.
pub static BACK: LazyLock<Script> =
    LazyLock::new(|| script(&[TALLY_LUA, PAIRING], include_str!("back.lua")));
/// Close a group's lobby.
pub static CLOSE: LazyLock<Script> = LazyLock::new(|| script(&[], include_str!("close.lua")));
/// Count a group's waiting and seated members.
pub static OCCUPANCY: LazyLock<Script> =
    LazyLock::new(|| script(&[], include_str!("occupancy.lua")));
/// Refresh one node's member records and find partners and groups that are gone.
pub static REAP: LazyLock<Script> = LazyLock::new(|| script(&[], include_str!("reap.lua")));

/// Mark one of this node's members away, unless she resumed on another node.
pub static AWAY_HERE: LazyLock<Script> =
    LazyLock::new(|| script(&[TALLY_LUA, PAIRING, GUARD], include_str!("away.lua")));
/// One of this node's members is gone for good, unless she resumed on another node.
pub static ENDED: LazyLock<Script> =
    LazyLock::new(|| script(&[VACATE, GUARD], include_str!("ended.lua")));
/// Deliver a notice to one member.
pub static NOTIFY: LazyLock<Script> =
    LazyLock::new(|| script(&[JOURNAL], include_str!("notify.lua")));
/// Deliver a chat message to the members of a room.
pub static RELAY: LazyLock<Script> =
    LazyLock::new(|| script(&[JOURNAL], include_str!("relay.lua")));
/// Pass `typing` to the partner in a room: not numbered, not kept.
pub static TYPING: LazyLock<Script> =
    LazyLock::new(|| script(&[JOURNAL], include_str!("typing.lua")));
/// Move a resumable member to a node and read her kept events.
pub static ATTACH: LazyLock<Script> =
    LazyLock::new(|| script(&[JOURNAL], include_str!("attach.lua")));
/// Keep a resumable member's profanity filter in her record.
pub static FILTER: LazyLock<Script> = LazyLock::new(|| script(&[], include_str!("filter.lua")));
/// Use up a resume token.
pub static REDEEM: LazyLock<Script> = LazyLock::new(|| script(&[], include_str!("redeem.lua")));

/// Pause a group's ordinary pairing, or let it run again.
pub static PAUSE: LazyLock<Script> = LazyLock::new(|| round_script(include_str!("pause.lua")));
/// Read what the next round's pairing needs.
pub static ROUND_VIEW: LazyLock<Script> =
    LazyLock::new(|| round_script(include_str!("round_view.lua")));
/// Start a round (or a new series) by a plan, once.
pub static ROUND_START: LazyLock<Script> =
    LazyLock::new(|| round_script(include_str!("round_start.lua")));
/// Apply a round's end (warning, break, finish), once.
pub static ROUND_END: LazyLock<Script> =
    LazyLock::new(|| round_script(include_str!("round_end.lua")));
/// Stop a running series.
pub static ROUND_STOP: LazyLock<Script> =
    LazyLock::new(|| round_script(include_str!("round_stop.lua")));
/// Find (and lease) the running series a node drives.
pub static ROUND_LEASE: LazyLock<Script> =
    LazyLock::new(|| round_script(include_str!("round_lease.lua")));
/// Drop the series of a group that is gone.
pub static ROUND_FORGET: LazyLock<Script> =
    LazyLock::new(|| round_script(include_str!("round_forget.lua")));

/// A call of `script` with the key prefixes of `keys` in front; add the script's own
/// arguments.
pub fn invoke<'a>(script: &'a Script, keys: &Keys) -> ScriptInvocation<'a> {
    let mut call = script.prepare_invoke();
    for prefix in keys.script_prefixes() {
        call.arg(prefix);
    }
    call
}
