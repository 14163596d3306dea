//! `TradeTapeAdapterManager`: owns the source and what the adapters share.
//!
//! In `start` it opens the source (`source.rs`) and the sink (an events file
//! that `publish` writes, if any), reports a status, and starts the feed. In
//! realtime the feed is one thread that routes each event to the input
//! adapters subscribed to its symbol, one csp batch per source batch; in a
//! simulation (`csp.run(realtime=False)`) csp asks the manager for one time
//! slice after another, and the feed pushes the events recorded at each
//! (they tick at their recorded times). In `stop` it ends the feed and closes
//! the sink. csp makes one manager per run.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use pyo3::prelude::*;

use crate::input_adapter::InputValue;
use crate::output_adapter::SinkValue;
use crate::source::{self, SourceSpec};
use adapter_core::websocket::Publisher;
use adapter_core::{SinkFile, SourceContext, Stats, WhenFull};
use csp_api::{
    AdapterManager, DateTime, Engine, Feed, FeedOptions, History, InFlight, ManagerLink, Result,
    StatusLevel, Subscriptions,
};

/// The `status_code` of the INFO status reported when the source is open.
pub const STATUS_OPENED: i64 = 1;

/// The manager's parameters, from the Python manager (one field each).
#[derive(Clone, Debug, FromPyObject)]
pub struct ManagerOptions {
    pub source: SourceSpec,
    /// An events file (or a Parquet file: a path ending in `.parquet`) that every published tick is written to.
    pub sink: Option<PathBuf>,
    /// Replay a file following the gaps between its recorded times.
    pub paced: bool,
    /// Recorded events a realtime run replays first, each at its time, from
    /// the run's start on; a simulation replays them alone.
    pub history: Option<SourceSpec>,
    /// The most events pushed and not yet consumed by the engine; `None`
    /// for no bound.
    pub max_in_flight: Option<u64>,
    /// What a live source does at the bound: `block`, `drop_oldest` or
    /// `drop_newest` (checked by Python).
    pub when_full: String,
}

impl ManagerOptions {
    /// The feed's bound on the values in flight.
    fn in_flight(&self) -> Result<Option<InFlight>> {
        let Some(when_full) = WhenFull::from_name(&self.when_full) else {
            let message = format!("when_full: no policy {:?}", self.when_full);
            return Err(csp_api::Error::value(message));
        };
        Ok(self.max_in_flight.map(|max| InFlight { max, when_full }))
    }
}

/// What the Python manager, the Rust manager and the adapters share.
pub struct Shared {
    pub options: ManagerOptions,
    pub stats: Arc<Stats>,
    run: Mutex<Arc<Run>>,
}

/// What one run's manager and adapters share.
#[derive(Default)]
pub struct Run {
    pub subscriptions: Arc<Subscriptions<InputValue>>,
    sink: Mutex<Option<SinkFile<SinkValue>>>,
    /// Sends on the source's connection, once it is open (a WebSocket).
    pub publisher: OnceLock<Publisher>,
}

impl Shared {
    pub fn new(options: ManagerOptions) -> Self {
        Self {
            options,
            stats: Arc::default(),
            run: Mutex::default(),
        }
    }

    /// Starts building a new run (csp makes the manager before its adapters).
    pub fn new_run(&self) -> Arc<Run> {
        let run = Arc::new(Run::default());
        *lock(&self.run) = Arc::clone(&run);
        run
    }

    /// The run being built or running.
    pub fn run(&self) -> Arc<Run> {
        Arc::clone(&lock(&self.run))
    }
}

impl Run {
    /// The sink, when the manager writes one.
    pub fn sink(&self) -> MutexGuard<'_, Option<SinkFile<SinkValue>>> {
        lock(&self.sink)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A single-use capsule of the manager of a new run.
pub fn capsule<'py>(py: Python<'py>, shared: &Arc<Shared>) -> PyResult<Bound<'py, PyAny>> {
    let manager = TradeTapeAdapterManager::new(Arc::clone(shared));
    csp_api::adapter_manager_capsule(py, manager)
}

pub struct TradeTapeAdapterManager {
    shared: Arc<Shared>,
    run: Arc<Run>,
    feed: Option<Feed>,
}

impl TradeTapeAdapterManager {
    /// The manager of a new run: csp makes it before the run's adapters.
    pub fn new(shared: Arc<Shared>) -> Self {
        Self {
            run: shared.new_run(),
            shared,
            feed: None,
        }
    }
}

impl AdapterManager for TradeTapeAdapterManager {
    fn name(&self) -> &str {
        "TradeTapeAdapterManager"
    }

    fn start(
        &mut self,
        _engine: Engine<'_>,
        link: ManagerLink,
        start: DateTime,
        _end: DateTime,
    ) -> Result<()> {
        let options = &self.shared.options;
        self.shared.stats.reset();
        // Every subscription of the run is known by now: csp builds every
        // adapter before it starts the managers.
        let context = SourceContext::new(start, self.run.subscriptions.symbols());
        let history = match &options.history {
            Some(spec) => Some(source::open_history(spec)?),
            None => None,
        };
        let (source, history, opened) = match history {
            // A simulation replays the history alone: the live source stays closed.
            Some(history) if !link.is_realtime() => {
                let describe = options.history.as_ref().map(SourceSpec::describe);
                (history, None, describe.unwrap_or_default())
            }
            history => {
                let source::Opened {
                    source,
                    history: own,
                    publisher,
                } = source::open(&options.source, &context)?;
                if let Some(publisher) = publisher {
                    // csp starts a run's manager once: the cell is empty.
                    let _ = self.run.publisher.set(publisher);
                }
                // A source's own history (Kafka's start_offset) replays the
                // same way; Python refuses it together with history=.
                let history = history.or(own);
                let mut opened = options.source.describe();
                if let Some(spec) = &options.history {
                    opened = format!("{opened} after the history of {}", spec.describe());
                }
                match history {
                    Some(history) if !link.is_realtime() => (history, None, opened),
                    history => {
                        let history = history.map(|source| History { source, start });
                        (source, history, opened)
                    }
                }
            }
        };
        if let Some(path) = &options.sink {
            *self.run.sink() = Some(SinkFile::create(path)?);
        }
        let opened = format!("opened {opened}");
        link.report(StatusLevel::Info, STATUS_OPENED, &opened)?;
        let feed_options = FeedOptions {
            paced: options.source.paced(options.paced),
            stop: context.stop,
            status: context.status,
            in_flight: options.in_flight()?,
        };
        let feed = Feed::start(
            self.name(),
            source,
            history,
            Arc::clone(&self.run.subscriptions),
            link,
            feed_options,
            Arc::clone(&self.shared.stats),
        )?;
        self.feed = Some(feed);
        Ok(())
    }

    /// Simulation only: the feed pushes the events at `time`.
    fn process_next_sim_time_slice(&mut self, time: DateTime) -> Result<Option<DateTime>> {
        match &mut self.feed {
            Some(feed) => feed.process_next_sim_time_slice(time),
            None => Ok(None),
        }
    }

    /// csp stops the manager after its adapters: the feed's pushes are
    /// already refused, and every published tick is in the sink.
    fn stop(&mut self) -> Result<()> {
        if let Some(feed) = self.feed.take() {
            feed.stop()?;
        }
        if let Some(sink) = self.run.sink().take() {
            sink.finish()?;
        }
        Ok(())
    }
}
