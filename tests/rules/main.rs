//! The pairing rules (docs/protocol.md section 3) have two executors: the pure
//! [`circle::matchmaking::Hub`] (the reference model) and the Redis scripts behind
//! [`circle::realtime::redis::RedisRules`]. One contract suite runs against both, and a
//! differential test drives random operations through both and compares them after
//! every step. docs/rules.md tells how to change a rule.
//!
//! Redis comes from `CIRCLE_TEST_REDIS_URL` (default redis://127.0.0.1:6379).

mod contract;
mod differential;
mod executors;
mod round_contract;
mod series_steps;

#[path = "../support/redis_prefix.rs"]
mod redis_prefix;
