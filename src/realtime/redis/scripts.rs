//! The Lua scripts that make every lobby and room change atomic across nodes.

use redis::Script;
use std::sync::LazyLock;

/// `vacate()`, shared by the scripts, prepended to each.
const VACATE: &str = include_str!("vacate.lua");

fn with_vacate(body: &str) -> Script {
    Script::new(&format!("{VACATE}\n{body}"))
}

/// Leave, then wait in a lobby or pair at once.
pub static JOIN: LazyLock<Script> = LazyLock::new(|| with_vacate(include_str!("join.lua")));
/// Leave a room (a named one, or whatever she is in).
pub static LEAVE: LazyLock<Script> = LazyLock::new(|| with_vacate(include_str!("leave.lua")));
/// Close a group's lobby.
pub static CLOSE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("close.lua")));
/// Refresh one node's member records and find partners and groups that are gone.
pub static REAP: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("reap.lua")));
