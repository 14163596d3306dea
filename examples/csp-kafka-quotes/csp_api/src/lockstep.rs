//! A manager with a live source for the generated tests: the source hands
//! each batch only once the one before has ticked (a recording output adapter
//! counts the values), the way a request/response feed waits for an answer. A
//! feed that held a batch back, to send it with the next one, would never get
//! the next one: the source gives up after 10 s and `csp.run` raises. Its
//! subscriptions may be put in different push groups, which no csp batch can
//! span: the feed's push then fails halfway through a batch.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use pyo3::prelude::*;

use super::feed::Subscriptions;
use super::manager::adapter_manager_capsule;
use super::source_manager::{SourceManager, subscriber_capsule};
use super::testing::{Probe, PyProbe};
use adapter_core::{DateTime, Event, EventsError, Source};

/// How long the source waits for the batch before to tick.
const PATIENCE: Duration = Duration::from_secs(10);

/// Batches `0..count`, batch `k` value `k` of each symbol, each once the
/// probe has recorded the values before. Keeps the default
/// `next_batch_ready` (false): it is live.
struct LockstepSource {
    count: u64,
    symbols: Vec<String>,
    next: u64,
    probe: Arc<Probe>,
}

impl Source<i64> for LockstepSource {
    fn next_batch(
        &mut self,
        batch: &mut Vec<Event<i64>>,
    ) -> std::result::Result<bool, EventsError> {
        if self.next == self.count {
            return Ok(false);
        }
        let deadline = Instant::now() + PATIENCE;
        while (self.probe.recorded() as u64) < self.next * self.symbols.len() as u64 {
            if Instant::now() > deadline {
                return Err(EventsError::failed(format!(
                    "batch {} did not tick within {PATIENCE:?} of being read",
                    self.next - 1
                )));
            }
            thread::sleep(Duration::from_micros(100));
        }
        let time = DateTime::now();
        batch.extend(self.symbols.iter().map(|symbol| Event {
            time,
            symbol: symbol.clone(),
            value: self.next as i64,
        }));
        self.next += 1;
        Ok(true)
    }
}

/// One run's lockstep manager and subscriptions, made from Python.
#[pyclass(frozen, name = "Lockstep")]
pub(crate) struct PyLockstep {
    count: u64,
    symbols: Vec<String>,
    probe: Arc<Probe>,
    subscriptions: Arc<Subscriptions<i64>>,
}

#[pymethods]
impl PyLockstep {
    #[new]
    fn new(count: u64, symbols: Vec<String>, probe: &PyProbe) -> Self {
        Self {
            count,
            symbols,
            probe: Arc::clone(&probe.state),
            subscriptions: Arc::default(),
        }
    }

    /// The manager: a feed of the lockstep source.
    fn manager_capsule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let source = LockstepSource {
            count: self.count,
            symbols: self.symbols.clone(),
            next: 0,
            probe: Arc::clone(&self.probe),
        };
        let manager = SourceManager::new("LockstepManager", &self.subscriptions, move |_| source);
        adapter_manager_capsule(py, manager)
    }

    /// A subscription to `symbol`.
    fn input_capsule<'py>(&self, py: Python<'py>, symbol: String) -> PyResult<Bound<'py, PyAny>> {
        subscriber_capsule(py, &self.subscriptions, symbol)
    }
}
