//! `testing.FeedProbe`: a manager whose feed replays an events file of `int`
//! values into input adapters subscribed by symbol, for the generated tests
//! of the feed's routing, batching, status and errors on real csp graphs.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};

use pyo3::prelude::*;

use super::engine::Engine;
use super::error::Result;
use super::feed::{Feed, FeedCounters, FeedOptions, Subscriptions};
use super::input::{PushInputAdapter, Pusher, push_input_adapter_capsule};
use super::link::{ManagerLink, StatusLevel};
use super::manager::{AdapterManager, adapter_manager_capsule};
use adapter_core::{DateTime, EventsFile};

/// `status_code` of the INFO status the probe reports when it opened its file.
pub const STATUS_OPENED: i64 = 1;

/// One manager of `int` subscriptions fed from an events file.
#[pyclass(frozen, name = "FeedProbe", module = "testing")]
pub struct PyFeedProbe {
    path: PathBuf,
    options: FeedOptions,
    /// The subscriptions of the run being built (a new set per manager capsule).
    current: Mutex<Arc<Subscriptions<i64>>>,
    counters: Mutex<Arc<FeedCounters>>,
}

#[pymethods]
impl PyFeedProbe {
    #[new]
    #[pyo3(signature = (path, paced=false))]
    fn new(path: PathBuf, paced: bool) -> Self {
        Self {
            path,
            options: FeedOptions { paced },
            current: Mutex::default(),
            counters: Mutex::default(),
        }
    }

    /// The manager of a new run.
    fn manager_capsule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let subscriptions = Arc::new(Subscriptions::default());
        let counters = Arc::new(FeedCounters::default());
        *lock(&self.current) = Arc::clone(&subscriptions);
        *lock(&self.counters) = Arc::clone(&counters);
        let manager = FeedManager {
            path: self.path.clone(),
            options: self.options,
            subscriptions,
            counters,
            feed: None,
        };
        adapter_manager_capsule(py, manager)
    }

    /// A subscription to `symbol` in the run whose manager was made last.
    fn input_capsule<'py>(&self, py: Python<'py>, symbol: String) -> PyResult<Bound<'py, PyAny>> {
        let subscriptions = Arc::clone(&lock(&self.current));
        subscriptions.expect_one();
        push_input_adapter_capsule(
            py,
            FeedInput {
                symbol,
                subscriptions,
            },
        )
    }

    /// (events read, values pushed, events nobody subscribed to) of the last run.
    fn counters(&self) -> (u64, u64, u64) {
        let counters = lock(&self.counters);
        (
            counters.events.load(Ordering::Relaxed),
            counters.pushed.load(Ordering::Relaxed),
            counters.unrouted.load(Ordering::Relaxed),
        )
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

struct FeedManager {
    path: PathBuf,
    options: FeedOptions,
    subscriptions: Arc<Subscriptions<i64>>,
    counters: Arc<FeedCounters>,
    feed: Option<Feed>,
}

impl AdapterManager for FeedManager {
    fn name(&self) -> &str {
        "FeedProbe"
    }

    fn start(
        &mut self,
        _engine: Engine<'_>,
        link: ManagerLink,
        _start: DateTime,
        _end: DateTime,
    ) -> Result<()> {
        let source = EventsFile::<i64>::open(&self.path)?;
        link.report(
            StatusLevel::Info,
            STATUS_OPENED,
            &format!("opened {}", self.path.display()),
        )?;
        self.feed = Some(Feed::start(
            "feed-probe",
            source,
            Arc::clone(&self.subscriptions),
            link,
            self.options,
            Arc::clone(&self.counters),
        )?);
        Ok(())
    }

    fn stop(&mut self) -> Result<()> {
        match self.feed.take() {
            Some(feed) => feed.stop(),
            None => Ok(()),
        }
    }
}

struct FeedInput {
    symbol: String,
    subscriptions: Arc<Subscriptions<i64>>,
}

impl PushInputAdapter for FeedInput {
    type Value = i64;

    fn start(&mut self, pusher: Pusher<i64>, _start: DateTime, _end: DateTime) -> Result<()> {
        self.subscriptions.register(&self.symbol, pusher);
        Ok(())
    }
}
