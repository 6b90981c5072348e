//! Black-box tests: the real server on an ephemeral port, driven over HTTP and through a
//! real Socket.IO client (rust_socketio), as members would.

mod chat;
mod expiry;
mod groups;
mod health;
mod helpers;
mod identity;
mod input;
mod log_flood;
mod matchmaking;
mod multinode;
mod privacy;
mod raw;
mod transport;

#[path = "../support/redis_prefix.rs"]
mod redis_prefix;
