//! `csp_adapter_acme._native`: the Python extension module.
//!
//! It turns the adapters of this crate into capsules that the bundled bridge
//! functions (`_c_api_push_input_adapter`, `_c_api_output_adapter`,
//! `_c_api_adapter_manager_bridge`) hand to csp. Your adapter logic lives in
//! `adapter_manager.rs`, `input_adapter.rs` and `output_adapter.rs`.

mod adapter_manager;
mod input_adapter;
mod output_adapter;

use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use adapter_manager::AcmeAdapterManager;
use input_adapter::AcmeInputAdapter;
use output_adapter::AcmeOutputAdapter;

/// The state one adapter manager shares with its adapters. Each method
/// returns a new single-use capsule for one engine-owned object.
#[pyclass(frozen, module = "csp_adapter_acme._native")]
struct Runtime {
    shared: Arc<adapter_manager::Shared>,
}

#[pymethods]
impl Runtime {
    #[new]
    fn new() -> Self {
        Self {
            shared: Arc::default(),
        }
    }

    /// The demo counters: pushed, received, mismatches, first_mismatch, and
    /// first_push_ns / last_receive_ns (Unix ns, or None).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let snapshot = self.shared.stats.snapshot();
        let stats = PyDict::new(py);
        stats.set_item("pushed", snapshot.pushed)?;
        stats.set_item("received", snapshot.received)?;
        stats.set_item("mismatches", snapshot.mismatches)?;
        stats.set_item("first_mismatch", snapshot.first_mismatch)?;
        let nanos = |time: Option<csp_api::DateTime>| time.map(csp_api::DateTime::as_nanos);
        stats.set_item("first_push_ns", nanos(snapshot.first_push))?;
        stats.set_item("last_receive_ns", nanos(snapshot.last_receive))?;
        Ok(stats)
    }

    /// How many values the output adapter has received so far.
    fn received(&self) -> u64 {
        self.shared.stats.received()
    }

    fn manager_capsule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let shared = Arc::clone(&self.shared);
        let manager = AcmeAdapterManager::new(shared);
        csp_api::adapter_manager_capsule(py, manager)
    }

    fn input_capsule<'py>(
        &self,
        py: Python<'py>,
        count: u64,
        interval_ns: i64,
        batch_size: u64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let interval = u64::try_from(interval_ns)
            .map(Duration::from_nanos)
            .map_err(|_| PyValueError::new_err("interval must not be negative"))?;
        let shared = Arc::clone(&self.shared);
        let plan = input_adapter::Plan {
            count,
            interval,
            batch_size: batch_size.max(1),
        };
        let adapter = AcmeInputAdapter::new(shared, plan);
        csp_api::push_input_adapter_capsule(py, adapter)
    }

    fn output_capsule<'py>(&self, py: Python<'py>, stop_after: u64) -> PyResult<Bound<'py, PyAny>> {
        let shared = Arc::clone(&self.shared);
        let output = AcmeOutputAdapter::new(shared, stop_after);
        csp_api::output_adapter_capsule(py, output)
    }
}

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    csp_api::register_bridge_functions(module)?;
    csp_api::add_testing_module(module)?;
    module.add_class::<Runtime>()?;
    module.add("CSP_BUILD_VERSION", csp_api::CSP_BUILD_VERSION)?;
    module.add("STATUS_STARTED", adapter_manager::STATUS_STARTED)?;
    Ok(())
}
