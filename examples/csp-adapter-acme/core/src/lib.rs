//! The pure Rust core of the adapter: csp's time types and the demo logic.
//!
//! Nothing here links csp or Python, so `cargo test` runs it anywhere.
//! Put logic you want to unit-test without a csp engine here.

pub mod demo;
pub mod stats;
pub mod time;

pub use stats::{Stats, StatsSnapshot};
pub use time::{DateTime, TimeDelta};
