//! The Circle: pairs two members of a closed group at random for a private chat.
//!
//! Layout (dependencies point down the list):
//! - [`config`]: command-line flags with environment fallbacks.
//! - [`startup`]: builds the application (store, hub, HTTP, Socket.IO) and runs it.
//! - [`server`]: serves connections: accepting, the connection cap, timeouts, draining.
//! - [`http`]: the JSON API, health, metrics and the web client.
//! - [`realtime`]: Socket.IO events: joining, pairing, relaying; lobbies and rooms in
//!   memory on one node, in Redis (Lua scripts, Redis adapter) on several.
//! - [`store`]: where groups live, behind one trait (SQLite on one node, Redis on several).
//! - [`matchmaking`]: the pairing rules, pure and synchronous.
//! - [`series`]: timed rounds' settings and schedule, pure.
//! - [`wire`]: JSON shapes shared by HTTP and Socket.IO.
//! - [`metrics`], [`telemetry`], [`shutdown`]: counters, logs, stopping.
//! - [`read_gate`]: stops reading a connection whose client's queue is full.
//! - [`filter`]: the per-reader profanity filter for chat payloads; pure, no I/O.
//! - [`domain`]: validated values; no I/O.
#![warn(missing_docs)]

pub mod config;
mod detach;
pub mod domain;
pub mod filter;
pub mod http;
pub mod matchmaking;
pub mod metrics;
pub mod read_gate;
pub mod realtime;
pub mod series;
pub mod server;
pub mod shutdown;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod wire;
