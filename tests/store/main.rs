//! One contract suite for [`circle::store::GroupStore`], run against every backend.

mod contract;
mod redis;
mod sqlite;
