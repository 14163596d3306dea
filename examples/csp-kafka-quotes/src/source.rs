//! Where the manager's events come from: replace this with your own feed.
//!
//! [`open`] turns the manager's `source` (from Python) into a
//! [`Source`]: an events file to replay, or the synthetic demo feed. To bring
//! your own feed (a socket, a vendor SDK), implement
//! [`adapter_core::Source`] for it (hand out events a batch at a time, block
//! until something arrives, return `Ok(false)` when it ends) and return it
//! from here; routing by symbol, push batches, status and the plumbing stay
//! as they are. The [`SourceContext`] holds the symbols the graph subscribed
//! to (subscribe upstream to just those) and the stop signal, which a source
//! that blocks must heed for the run to end on time (see the README).

use std::path::{Path, PathBuf};
use std::time::Duration;

use pyo3::FromPyObject;

use crate::input_adapter::InputValue;
use crate::messages::JsonMessages;
use adapter_core::kafka::{self, KafkaOptions, Publisher, StartOffset};
use adapter_core::wire::BadMessages;
use adapter_core::{EventsFile, Source, SourceContext, Synthetic};
use csp_api::{DateTime, Result, TimeDelta};

/// The `source` argument of the Python manager.
#[derive(Clone, Debug, FromPyObject)]
pub enum SourceSpec {
    /// A `Synthetic(count, symbols, interval, batch_size)` from Python.
    Synthetic(SyntheticSpec),
    /// A `Kafka(brokers, topic, ...)` from Python.
    Kafka(KafkaSpec),
    /// The path of an events file (`str` or `os.PathLike`).
    File(PathBuf),
}

/// A Kafka topic (`Kafka` in `adapters.py`, which checks the values).
#[derive(Clone, Debug, FromPyObject)]
pub struct KafkaSpec {
    pub brokers: Vec<String>,
    pub topic: String,
    /// `(form, nanoseconds)`: `("earliest" | "latest" | "start_time", 0)`,
    /// `("before", timedelta)` or `("at", datetime since the epoch)`.
    pub start_offset: Option<(String, i64)>,
    pub connect_timeout: Duration,
    pub reconnect_interval: Duration,
    pub max_reconnect_interval: Duration,
    pub max_attempts: Option<u32>,
    pub fetch_wait: Duration,
    pub fetch_bytes: usize,
    pub bad_messages: String,
}

impl KafkaSpec {
    fn options(&self) -> KafkaOptions {
        let start_offset = self
            .start_offset
            .as_ref()
            .map(|(form, nanos)| match form.as_str() {
                "earliest" => StartOffset::Earliest,
                "latest" => StartOffset::Latest,
                "before" => StartOffset::Before(TimeDelta::from_nanos(*nanos)),
                "at" => StartOffset::At(DateTime::from_nanos(*nanos)),
                _ => StartOffset::StartTime,
            });
        KafkaOptions {
            start_offset,
            connect_timeout: self.connect_timeout,
            reconnect_interval: self.reconnect_interval,
            max_reconnect_interval: self.max_reconnect_interval,
            max_attempts: self.max_attempts,
            fetch_wait: self.fetch_wait,
            fetch_bytes: self.fetch_bytes,
            bad_messages: BadMessages::named(&self.bad_messages),
            ..KafkaOptions::new(self.brokers.clone(), self.topic.clone())
        }
    }
}

/// An open source, the history it replays first (if it has its own), and
/// what publishes on its connection (if it has one).
pub struct Opened {
    pub source: Box<dyn Source<InputValue>>,
    pub history: Option<Box<dyn Source<InputValue>>>,
    pub publisher: Option<Publisher>,
}

/// The demo feed: `count` events, value `i` by the demo rule, symbols in
/// turn, `batch_size` events a batch, event `i` at `start + i * interval`.
#[derive(Clone, Debug, FromPyObject)]
pub struct SyntheticSpec {
    pub count: u64,
    pub symbols: Vec<String>,
    pub interval: Duration,
    pub batch_size: u64,
}

impl SourceSpec {
    /// What the manager reports when it opens the source.
    pub fn describe(&self) -> String {
        match self {
            Self::Synthetic(spec) => format!(
                "synthetic feed of {} events over {} symbols",
                spec.count,
                spec.symbols.len()
            ),
            Self::Kafka(spec) => format!("Kafka {}", spec.options().describe()),
            Self::File(path) => format!("events file {}", path.display()),
        }
    }

    /// Whether the feed follows its events' times (a synthetic feed with an
    /// interval does; a file does when the manager is `paced`).
    pub fn paced(&self, paced: bool) -> bool {
        match self {
            Self::Synthetic(spec) => !spec.interval.is_zero(),
            Self::Kafka(_) => false,
            Self::File(_) => paced,
        }
    }
}

/// Opens the source of a run (`context`: its start, its subscriptions, its
/// stop signal and where it reports statuses). A missing file is an error of
/// kind `NotFound`: `csp.run` raises `FileNotFoundError`.
pub fn open(spec: &SourceSpec, context: &SourceContext) -> Result<Opened> {
    let source: Box<dyn Source<InputValue>> = match spec {
        SourceSpec::Kafka(spec) => {
            let (source, history, publisher) = kafka::open(spec.options(), JsonMessages, context)?;
            let source = Box::new(source);
            let history = history.map(|history| Box::new(history) as Box<dyn Source<InputValue>>);
            let publisher = Some(publisher);
            return Ok(Opened {
                source,
                history,
                publisher,
            });
        }
        SourceSpec::File(path) => file(path)?,
        SourceSpec::Synthetic(spec) => {
            // Zero means as fast as possible; the events still get distinct
            // times, 1 microsecond apart.
            let step = match spec.interval.is_zero() {
                true => TimeDelta::from_micros(1),
                false => TimeDelta::from(spec.interval),
            };
            let feed = Synthetic::new(
                spec.count,
                spec.symbols.clone(),
                spec.batch_size,
                context.start,
                step,
            )
            .map_err(csp_api::Error::value)?;
            Box::new(feed)
        }
    };
    let (history, publisher) = (None, None);
    Ok(Opened {
        source,
        history,
        publisher,
    })
}

/// Opens the history a run replays first: recorded events only.
pub fn open_history(spec: &SourceSpec) -> Result<Box<dyn Source<InputValue>>> {
    match spec {
        SourceSpec::File(path) => file(path),
        other => Err(csp_api::Error::value(format!(
            "history must be recorded events (an events file), not {}",
            other.describe()
        ))),
    }
}

/// An events file.
fn file(path: &Path) -> Result<Box<dyn Source<InputValue>>> {
    Ok(Box::new(EventsFile::<InputValue>::open(path)?))
}
