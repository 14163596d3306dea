//! `csp_trade_tape._native`: the Python extension module.
//!
//! It turns the adapters of this crate into capsules that the bundled bridge
//! functions (`_c_api_push_input_adapter`, `_c_api_output_adapter`,
//! `_c_api_adapter_manager_bridge`) hand to csp. Your adapter logic lives in
//! `source.rs`, `adapter_manager.rs`, `input_adapter.rs` and
//! `output_adapter.rs`, the record in `record.rs`, the WebSocket messages in `messages.rs`.

mod adapter_manager;
mod input_adapter;
mod messages;
mod output_adapter;
mod record;
mod source;

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use adapter_core::status;
use adapter_manager::{ManagerOptions, Shared};
use input_adapter::Subscription;
use output_adapter::Publication;

/// What one Python manager shares with its Rust manager and adapters. Each
/// `*_capsule` method returns a new single-use capsule for one engine-owned
/// object.
#[pyclass(frozen, module = "csp_trade_tape._native")]
struct Runtime {
    shared: Arc<Shared>,
}

#[pymethods]
impl Runtime {
    #[new]
    fn new(options: ManagerOptions) -> Self {
        Self {
            shared: Arc::new(Shared::new(options)),
        }
    }

    /// The counters of the last (or current) run: events, pushed, unrouted,
    /// received, mismatches, first_mismatch, and first_push_ns /
    /// last_receive_ns (Unix ns, or None).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let snapshot = self.shared.stats.snapshot();
        let stats = PyDict::new(py);
        stats.set_item("events", snapshot.events)?;
        stats.set_item("pushed", snapshot.pushed)?;
        stats.set_item("unrouted", snapshot.unrouted)?;
        stats.set_item("bad_messages", snapshot.bad_messages)?;
        stats.set_item("dropped", snapshot.dropped)?;
        stats.set_item("peak_in_flight", snapshot.peak_in_flight)?;
        stats.set_item("received", snapshot.received)?;
        stats.set_item("mismatches", snapshot.mismatches)?;
        stats.set_item("first_mismatch", snapshot.first_mismatch)?;
        let nanos = |time: Option<csp_api::DateTime>| time.map(csp_api::DateTime::as_nanos);
        stats.set_item("first_push_ns", nanos(snapshot.first_push))?;
        stats.set_item("last_receive_ns", nanos(snapshot.last_receive))?;
        Ok(stats)
    }

    /// How many values the output adapters have received so far.
    fn received(&self) -> u64 {
        self.shared.stats.received()
    }

    /// The manager of a new run.
    fn manager_capsule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        adapter_manager::capsule(py, &self.shared)
    }

    /// A subscription of the run whose manager was made last.
    fn input_capsule<'py>(
        &self,
        py: Python<'py>,
        subscription: Subscription,
    ) -> PyResult<Bound<'py, PyAny>> {
        input_adapter::capsule(py, subscription, &self.shared)
    }

    /// A publication of the run whose manager was made last.
    fn output_capsule<'py>(
        &self,
        py: Python<'py>,
        publication: Publication,
    ) -> PyResult<Bound<'py, PyAny>> {
        output_adapter::capsule(py, publication, &self.shared)
    }
}

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    csp_api::register_bridge_functions(module)?;
    csp_api::add_testing_module(module)?;
    module.add_class::<Runtime>()?;
    module.add("CSP_BUILD_VERSION", csp_api::CSP_BUILD_VERSION)?;
    module.add("STATUS_OPENED", adapter_manager::STATUS_OPENED)?;
    module.add("STATUS_FEED_ENDED", csp_api::STATUS_FEED_ENDED)?;
    module.add("STATUS_REPLAY_COMPLETE", csp_api::STATUS_REPLAY_COMPLETE)?;
    module.add("STATUS_FEED_FAILED", csp_api::STATUS_FEED_FAILED)?;
    module.add("STATUS_CONNECTED", status::STATUS_CONNECTED)?;
    module.add("STATUS_DISCONNECTED", status::STATUS_DISCONNECTED)?;
    module.add("STATUS_RECONNECTING", status::STATUS_RECONNECTING)?;
    module.add("STATUS_BAD_MESSAGE", status::STATUS_BAD_MESSAGE)?;
    module.add("STATUS_GAVE_UP", status::STATUS_GAVE_UP)?;
    module.add("STATUS_DROPPED", adapter_core::overflow::STATUS_DROPPED)?;
    module.add("DEFAULT_MAX_IN_FLIGHT", csp_api::DEFAULT_MAX_IN_FLIGHT)?;
    Ok(())
}
