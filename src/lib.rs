//! The Circle: pairs two members of a closed group at random for a private chat.
//!
//! Layout (dependencies point down the list):
//! - [`config`]: command-line flags with environment fallbacks.
//! - [`startup`]: builds the application (store, hub, HTTP, Socket.IO) and runs it.
//! - [`http`]: the JSON API, health, metrics and the web client.
//! - [`realtime`]: Socket.IO events: joining, pairing, relaying.
//! - [`store`]: where groups live, behind one trait (SQLite on one node).
//! - [`matchmaking`]: the pairing rules, pure and synchronous.
//! - [`domain`]: validated values; no I/O.
#![warn(missing_docs)]

pub mod config;
pub mod domain;
pub mod http;
pub mod matchmaking;
pub mod metrics;
pub mod realtime;
pub mod shutdown;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod wire;
