//! A live source for the generated tests whose peer never sends: it blocks
//! until the run stops, heeding the stop signal or (`heeds_stop=False`)
//! ignoring it, as a careless source would. The run must end on time either
//! way. It notes the symbols it was opened with.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use pyo3::prelude::*;

use super::feed::Subscriptions;
use super::manager::adapter_manager_capsule;
use super::source_manager::{SourceManager, subscriber_capsule};
use adapter_core::{Event, EventsError, Source, StopSignal};

/// How long a source that ignores the stop signal sleeps at a time: longer
/// than the feed waits for it.
const DEAF_SLEEP: Duration = Duration::from_millis(2500);

struct SilentSource {
    stop: StopSignal,
    heeds_stop: bool,
}

impl Source<i64> for SilentSource {
    fn next_batch(&mut self, _batch: &mut Vec<Event<i64>>) -> Result<bool, EventsError> {
        if !self.heeds_stop {
            thread::sleep(DEAF_SLEEP);
            return Ok(true);
        }
        // A blocking read of a peer that never sends, woken by the stop signal.
        while !self.stop.wait_timeout(Duration::from_secs(3600)) {}
        Ok(false)
    }
}

/// One run's silent manager and subscriptions, made from Python.
#[pyclass(frozen, name = "SilentFeed")]
pub(crate) struct PySilentFeed {
    heeds_stop: bool,
    subscriptions: Arc<Subscriptions<i64>>,
    opened_with: Arc<Mutex<Option<Vec<String>>>>,
}

#[pymethods]
impl PySilentFeed {
    #[new]
    #[pyo3(signature = (heeds_stop=true))]
    fn new(heeds_stop: bool) -> Self {
        Self {
            heeds_stop,
            subscriptions: Arc::default(),
            opened_with: Arc::default(),
        }
    }

    /// The manager: a feed of the silent source.
    fn manager_capsule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let heeds_stop = self.heeds_stop;
        let opened_with = Arc::clone(&self.opened_with);
        let manager = SourceManager::new("SilentManager", &self.subscriptions, move |context| {
            *opened_with.lock().unwrap_or_else(PoisonError::into_inner) =
                Some(context.symbols.clone());
            SilentSource {
                stop: context.stop.clone(),
                heeds_stop,
            }
        });
        adapter_manager_capsule(py, manager)
    }

    /// A subscription to `symbol`.
    fn input_capsule<'py>(&self, py: Python<'py>, symbol: String) -> PyResult<Bound<'py, PyAny>> {
        subscriber_capsule(py, &self.subscriptions, symbol)
    }

    /// The symbols the source was opened with (None before a run).
    fn opened_with(&self) -> Option<Vec<String>> {
        self.opened_with
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
