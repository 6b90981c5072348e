//! Black-box tests: the real server on an ephemeral port, driven over HTTP and through a
//! real Socket.IO client (rust_socketio), as members would.

mod backpressure;
mod chat;
mod connection_limits;
mod drain;
mod expiry;
mod groups;
mod health;
mod heartbeat;
mod helpers;
mod identity;
mod input;
mod log_flood;
mod logged_failures;
mod matchmaking;
mod multinode;
mod multinode_resume;
mod multinode_rounds;
mod multinode_send_timeout;
mod ordering;
mod polling_client;
mod privacy;
mod private_redis;
mod profanity;
mod prompts;
mod raw;
mod resumable;
mod resume;
mod rolling_restart;
mod rounds;
mod safety;
mod send_timeout;
mod slow_clients;
mod stats;
mod takeover;
mod transport;
mod typing;
mod upgrade;

#[path = "../support/redis_prefix.rs"]
mod redis_prefix;
