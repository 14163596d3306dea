//! Benchmark adapters for records: the jobs of the C++ reference record
//! adapters in the template's `bench/`, through this crate's Rust layer. The
//! input pushes the demo rule's records from its own thread; the output checks
//! every field of each. Any `csp.Struct` with the fields of [`BenchRecord`]
//! will do as the graph's type. Python reaches them as
//! `<package>._native.testing`.

use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use pyo3::prelude::*;

use super::bench::{PyBenchProbe, now_ns, stop_worker};
use super::engine::Engine;
use super::error::Result;
use super::input::{PushInputAdapter, Pusher, push_input_adapter_capsule};
use super::output::{OutputAdapter, output_adapter_capsule};
use adapter_core::DateTime;
use adapter_core::demo::DemoValue;

crate::record! {
    /// Record `i` of the demo rule: symbol `"tick-{i}"`, price `i * 0.5`,
    /// size `i`, time 2020-01-01 plus `i` microseconds.
    pub struct BenchRecord {
        pub symbol: String,
        pub price: f64,
        pub size: i64,
        pub time: DateTime,
    }
}

struct RecordInput {
    count: u64,
    probe: PyBenchProbe,
    running: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl PushInputAdapter for RecordInput {
    type Value = BenchRecord;

    fn name(&self) -> &str {
        "BenchRecordInput"
    }

    fn start(
        &mut self,
        pusher: Pusher<BenchRecord>,
        _start: DateTime,
        _end: DateTime,
    ) -> Result<()> {
        self.running.store(true, Ordering::SeqCst);
        let (count, running) = (self.count, Arc::clone(&self.running));
        let state = Arc::clone(&self.probe.state);
        let worker = pusher.spawn("bench-record-input", move |pusher| {
            state.first_push_ns.store(now_ns(), Ordering::SeqCst);
            // One record, rewritten for each push: the bridge copies it.
            let mut record = BenchRecord::demo(0);
            let mut pushed = 0;
            while pushed < count && running.load(Ordering::Relaxed) {
                record.symbol.clear();
                let _ = write!(record.symbol, "tick-{pushed}");
                record.price = f64::demo(pushed);
                record.size = i64::demo(pushed);
                record.time = DateTime::demo(pushed);
                pusher.push(&record)?;
                pushed += 1;
            }
            state.pushed.store(pushed as i64, Ordering::SeqCst);
            Ok(())
        })?;
        self.worker = Some(worker);
        Ok(())
    }

    fn stop(&mut self) -> Result<()> {
        stop_worker(&self.running, self.worker.take())
    }
}

struct RecordOutput {
    expected: u64,
    received: u64,
    mismatches: i64,
    probe: PyBenchProbe,
}

impl OutputAdapter for RecordOutput {
    type Value<'a> = &'a BenchRecord;

    fn name(&self) -> &str {
        "BenchRecordOutput"
    }

    fn on_tick(&mut self, record: &BenchRecord, engine: Engine<'_>) -> Result<()> {
        if !BenchRecord::is_demo(self.received, record) {
            self.mismatches += 1;
        }
        self.received += 1;
        if self.received == self.expected {
            self.probe
                .state
                .last_receive_ns
                .store(now_ns(), Ordering::SeqCst);
            engine.shutdown()?;
        }
        Ok(())
    }

    fn stop(&mut self) -> Result<()> {
        let state = &self.probe.state;
        state.received.store(self.received as i64, Ordering::SeqCst);
        state.mismatches.store(self.mismatches, Ordering::SeqCst);
        Ok(())
    }
}

/// A push input adapter of the demo rule's records 0 .. `count`, pushed flat
/// out from its own thread.
#[pyfunction]
pub(crate) fn bench_record_input_capsule<'py>(
    py: Python<'py>,
    probe: &PyBenchProbe,
    count: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let adapter = RecordInput {
        count,
        probe: probe.share(),
        running: Arc::new(AtomicBool::new(false)),
        worker: None,
    };
    push_input_adapter_capsule(py, adapter)
}

/// An output adapter checking that record `j` is the demo rule's record `j`;
/// it stops the engine after `expected`.
#[pyfunction]
pub(crate) fn bench_record_output_capsule<'py>(
    py: Python<'py>,
    probe: &PyBenchProbe,
    expected: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let adapter = RecordOutput {
        expected,
        received: 0,
        mismatches: 0,
        probe: probe.share(),
    };
    output_adapter_capsule(py, adapter)
}
