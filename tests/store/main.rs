//! One contract suite for [`circle::store::GroupStore`], run against every backend.

mod contract;
mod redis;
mod sqlite;

#[path = "../support/redis_prefix.rs"]
mod redis_prefix;
