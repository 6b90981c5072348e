//! The Lua scripts that make every lobby and room change atomic across nodes.
//!
//! Each script starts with `keys.lua`, which reads the key prefixes that
//! [`Keys::script_prefixes`] passes first; [`invoke`] passes them.

use crate::store::Keys;
use redis::{Script, ScriptInvocation};
use std::sync::LazyLock;

/// The key prefixes, read by every script.
const KEYS: &str = include_str!("keys.lua");
/// `vacate()`, shared by the scripts that move a member.
const VACATE: &str = include_str!("vacate.lua");

fn with_keys(body: &str) -> Script {
    Script::new(&format!("{KEYS}\n{body}"))
}

fn with_vacate(body: &str) -> Script {
    with_keys(&format!("{VACATE}\n{body}"))
}

/// Leave, then wait in a lobby or pair at once.
pub static JOIN: LazyLock<Script> = LazyLock::new(|| with_vacate(include_str!("join.lua")));
/// Leave a room (a named one, or whatever she is in).
pub static LEAVE: LazyLock<Script> = LazyLock::new(|| with_vacate(include_str!("leave.lua")));
/// Close a group's lobby.
pub static CLOSE: LazyLock<Script> = LazyLock::new(|| with_keys(include_str!("close.lua")));
/// Refresh one node's member records and find partners and groups that are gone.
pub static REAP: LazyLock<Script> = LazyLock::new(|| with_keys(include_str!("reap.lua")));

/// A call of `script` with the key prefixes of `keys` in front; add the script's own
/// arguments.
pub fn invoke<'a>(script: &'a Script, keys: &Keys) -> ScriptInvocation<'a> {
    let mut call = script.prepare_invoke();
    for prefix in keys.script_prefixes() {
        call.arg(prefix);
    }
    call
}
