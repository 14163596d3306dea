//! `AcmeOutputAdapter`: consumes a `ts[int]` on the engine thread.
//!
//! Demo logic to replace with yours: it checks that value `i` is the `i`-th
//! value of the rule in `adapter_core::demo`, counts mismatches, and stops the
//! engine after `stop_after` values (0: never), noting when the last arrived.

use std::sync::Arc;

use crate::adapter_manager::Shared;
use adapter_core::demo::DemoValue;
use csp_api::{DateTime, Engine, OutputAdapter, Result};

/// The csp type this adapter consumes: `ts[int]`.
pub type OutputValue<'a> = i64;

pub struct AcmeOutputAdapter {
    shared: Arc<Shared>,
    stop_after: u64,
}

impl AcmeOutputAdapter {
    pub fn new(shared: Arc<Shared>, stop_after: u64) -> Self {
        Self { shared, stop_after }
    }
}

impl OutputAdapter for AcmeOutputAdapter {
    type Value<'a> = OutputValue<'a>;

    fn name(&self) -> &str {
        "AcmeOutputAdapter"
    }

    fn on_tick(&mut self, value: OutputValue<'_>, engine: Engine<'_>) -> Result<()> {
        let stats = &self.shared.stats;
        let index = stats.next_received_index();
        if !<i64 as DemoValue>::is_demo(index, &value) {
            stats.record_mismatch(index, &<i64 as DemoValue>::demo(index), &value);
        }
        if index + 1 == self.stop_after {
            stats.record_last_receive(DateTime::now());
            engine.shutdown()?;
        }
        Ok(())
    }
}
