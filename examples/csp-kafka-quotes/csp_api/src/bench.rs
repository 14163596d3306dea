//! Benchmark adapters: the jobs of the C++ reference adapters in the template's
//! `bench/`, done through this crate's Rust layer. The input pushes int64
//! values from its own thread, flat out (optionally batched) or paced with a
//! CPU-busy wait; the output checks and counts them, or measures latency.
//! Python reaches them as `<package>._native.testing`.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::engine::Engine;
use super::error::{Error, Result};
use super::input::{PushInputAdapter, Pusher, push_input_adapter_capsule};
use super::output::{OutputAdapter, output_adapter_capsule};
use adapter_core::DateTime;

#[derive(Default)]
pub(crate) struct BenchState {
    pub(crate) pushed: AtomicI64,
    pub(crate) first_push_ns: AtomicI64,
    push_loop_ns: AtomicI64,
    pub(crate) received: AtomicI64,
    pub(crate) mismatches: AtomicI64,
    pub(crate) last_receive_ns: AtomicI64,
    latencies: Mutex<Vec<i64>>,
}

/// What the benchmark adapters measured in the last run.
#[pyclass(frozen, name = "BenchProbe")]
#[derive(Default)]
pub struct PyBenchProbe {
    pub(crate) state: Arc<BenchState>,
}

impl PyBenchProbe {
    /// Another handle on the same results.
    pub(crate) fn share(&self) -> Self {
        Self {
            state: Arc::clone(&self.state),
        }
    }
}

#[pymethods]
impl PyBenchProbe {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// pushed, first_push_ns, push_loop_ns, received, mismatches,
    /// last_receive_ns, latencies (ns, one per tick in latency mode).
    fn results<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let state = &self.state;
        let results = PyDict::new(py);
        results.set_item("pushed", state.pushed.load(Ordering::SeqCst))?;
        results.set_item("first_push_ns", state.first_push_ns.load(Ordering::SeqCst))?;
        results.set_item("push_loop_ns", state.push_loop_ns.load(Ordering::SeqCst))?;
        results.set_item("received", state.received.load(Ordering::SeqCst))?;
        results.set_item("mismatches", state.mismatches.load(Ordering::SeqCst))?;
        results.set_item(
            "last_receive_ns",
            state.last_receive_ns.load(Ordering::SeqCst),
        )?;
        let latencies = state.latencies.lock().unwrap_or_else(|e| e.into_inner());
        results.set_item("latencies", latencies.as_slice())?;
        Ok(results)
    }
}

pub(crate) fn now_ns() -> i64 {
    DateTime::now().as_nanos()
}

struct BenchInput {
    count: i64,
    rate: i64,
    batch: i64,
    state: Arc<BenchState>,
    running: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl PushInputAdapter for BenchInput {
    type Value = i64;

    fn name(&self) -> &str {
        "BenchInput"
    }

    fn start(&mut self, pusher: Pusher<i64>, _start: DateTime, _end: DateTime) -> Result<()> {
        self.running.store(true, Ordering::SeqCst);
        let (count, rate, batch) = (self.count, self.rate, self.batch);
        let (state, running) = (Arc::clone(&self.state), Arc::clone(&self.running));
        let worker = pusher.spawn("bench-input", move |pusher| {
            let pushed = if rate > 0 {
                paced(pusher, count, rate, &running)
            } else {
                flat_out(pusher, count, batch, &running, &state)
            }?;
            state.pushed.store(pushed, Ordering::SeqCst);
            Ok(())
        })?;
        self.worker = Some(worker);
        Ok(())
    }

    fn stop(&mut self) -> Result<()> {
        stop_worker(&self.running, self.worker.take())
    }
}

/// Tells a benchmark input's thread to stop and joins it.
pub(crate) fn stop_worker(running: &AtomicBool, worker: Option<JoinHandle<()>>) -> Result<()> {
    running.store(false, Ordering::SeqCst);
    match worker {
        Some(worker) => worker
            .join()
            .map_err(|_| Error::runtime("the bench thread could not be joined")),
        None => Ok(()),
    }
}

fn flat_out(
    pusher: &Pusher<i64>,
    count: i64,
    batch: i64,
    running: &AtomicBool,
    state: &BenchState,
) -> Result<i64> {
    let started = Instant::now();
    state.first_push_ns.store(now_ns(), Ordering::SeqCst);
    let mut i = 0;
    while i < count && running.load(Ordering::Relaxed) {
        if batch > 1 {
            let end = count.min(i + batch);
            pusher.push_batch(i..end)?;
            i = end;
        } else {
            pusher.push(i)?;
            i += 1;
        }
    }
    let elapsed = i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
    state.push_loop_ns.store(elapsed, Ordering::SeqCst);
    Ok(i)
}

/// One push every 1/rate seconds, spinning (CPU-busy) in between.
fn paced(pusher: &Pusher<i64>, count: i64, rate: i64, running: &AtomicBool) -> Result<i64> {
    let start = now_ns();
    let period = 1_000_000_000 / rate;
    let mut i = 0;
    while i < count && running.load(Ordering::Relaxed) {
        let due = start + i * period;
        while now_ns() < due {
            std::hint::spin_loop();
        }
        pusher.push(now_ns())?;
        i += 1;
    }
    Ok(i)
}

struct BenchOutput {
    latency: bool,
    expected: i64,
    received: i64,
    mismatches: i64,
    latencies: Vec<i64>,
    state: Arc<BenchState>,
}

impl OutputAdapter for BenchOutput {
    type Value<'a> = i64;

    fn name(&self) -> &str {
        "BenchOutput"
    }

    fn on_tick(&mut self, value: i64, engine: Engine<'_>) -> Result<()> {
        let index = self.received;
        self.received += 1;
        if self.latency {
            self.latencies.push(now_ns() - value);
        } else if value != index {
            self.mismatches += 1;
        }
        if self.received == self.expected {
            self.state.last_receive_ns.store(now_ns(), Ordering::SeqCst);
            engine.shutdown()?;
        }
        Ok(())
    }

    fn stop(&mut self) -> Result<()> {
        let state = &self.state;
        state.received.store(self.received, Ordering::SeqCst);
        state.mismatches.store(self.mismatches, Ordering::SeqCst);
        *state.latencies.lock().unwrap_or_else(|e| e.into_inner()) =
            std::mem::take(&mut self.latencies);
        Ok(())
    }
}

/// A push input adapter of int values: `count` values flat out (in batches
/// of `batch` when > 1), or paced at `rate` per second with a busy wait,
/// each value then the push time in ns.
#[pyfunction]
pub(crate) fn bench_input_capsule<'py>(
    py: Python<'py>,
    probe: &PyBenchProbe,
    count: i64,
    rate: i64,
    batch: i64,
) -> PyResult<Bound<'py, PyAny>> {
    let adapter = BenchInput {
        count,
        rate,
        batch,
        state: Arc::clone(&probe.state),
        running: Arc::new(AtomicBool::new(false)),
        worker: None,
    };
    push_input_adapter_capsule(py, adapter)
}

/// An output adapter of int values: checks value i == i (or records the
/// latency from the pushed timestamp) and stops the engine after `expected`.
#[pyfunction]
pub(crate) fn bench_output_capsule<'py>(
    py: Python<'py>,
    probe: &PyBenchProbe,
    latency: bool,
    expected: i64,
) -> PyResult<Bound<'py, PyAny>> {
    let adapter = BenchOutput {
        latency,
        expected,
        received: 0,
        mismatches: 0,
        latencies: Vec::with_capacity(if latency {
            usize::try_from(expected).unwrap_or(0)
        } else {
            0
        }),
        state: Arc::clone(&probe.state),
    };
    output_adapter_capsule(py, adapter)
}
