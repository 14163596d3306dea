//! Where the manager's events come from: replace this with your own feed.
//!
//! [`open`] turns the manager's `source` (from Python) into a
//! [`Source`]: an events file or Parquet files to replay, or the synthetic demo feed. To bring
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
use adapter_core::parquet::{ParquetFile, ParquetOptions};
use adapter_core::websocket::{Publisher, WebSocketOptions, WebSocketSource};
use adapter_core::wire::BadMessages;
use adapter_core::{EventsFile, Source, SourceContext, Synthetic};
use csp_api::{Result, TimeDelta};

/// The `source` argument of the Python manager.
#[derive(Clone, Debug, FromPyObject)]
pub enum SourceSpec {
    /// A `Synthetic(count, symbols, interval, batch_size)` from Python.
    Synthetic(SyntheticSpec),
    /// A `WebSocket(url, ...)` from Python.
    WebSocket(WebSocketSpec),
    /// A `ParquetFile(paths, ...)` from Python.
    Parquet(ParquetSpec),
    /// The path of an events file (`str` or `os.PathLike`), or of a Parquet file (ending in `.parquet`) read with the default columns.
    File(PathBuf),
}

/// Parquet files to replay (`ParquetFile` in `adapters.py`, which checks the values).
#[derive(Clone, Debug, FromPyObject)]
pub struct ParquetSpec {
    pub paths: Vec<PathBuf>,
    pub time_column: String,
    pub symbol_column: String,
    /// `(column, field)` pairs: the field (`value` for a scalar) is read
    /// from that column instead of the one of its own name.
    pub field_map: Vec<(String, String)>,
}

impl ParquetSpec {
    fn options(&self) -> Result<ParquetOptions> {
        let mut options = ParquetOptions::new::<InputValue>(self.paths.clone());
        options.time_column.clone_from(&self.time_column);
        options.symbol_column.clone_from(&self.symbol_column);
        for (column, field) in &self.field_map {
            options
                .map_field::<InputValue>(column, field)
                .map_err(csp_api::Error::value)?;
        }
        Ok(options)
    }
}

/// A live WebSocket (`WebSocket` in `adapters.py`, which checks the values).
#[derive(Clone, Debug, FromPyObject)]
pub struct WebSocketSpec {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub ca_file: Option<PathBuf>,
    pub connect_timeout: Duration,
    pub reconnect_interval: Duration,
    pub max_reconnect_interval: Duration,
    pub max_attempts: Option<u32>,
    pub ping_interval: Duration,
    pub pong_timeout: Duration,
    pub max_message_size: usize,
    pub bad_messages: String,
}

impl WebSocketSpec {
    fn options(&self) -> WebSocketOptions {
        WebSocketOptions {
            url: self.url.clone(),
            headers: self.headers.clone(),
            ca_file: self.ca_file.clone(),
            connect_timeout: self.connect_timeout,
            reconnect_interval: self.reconnect_interval,
            max_reconnect_interval: self.max_reconnect_interval,
            max_attempts: self.max_attempts,
            ping_interval: self.ping_interval,
            pong_timeout: self.pong_timeout,
            max_message_size: self.max_message_size,
            bad_messages: BadMessages::named(&self.bad_messages),
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
            Self::WebSocket(spec) => format!("WebSocket {}", spec.url),
            Self::Parquet(spec) => {
                let paths: Vec<String> =
                    spec.paths.iter().map(|p| p.display().to_string()).collect();
                format!("Parquet {}", paths.join(", "))
            }
            Self::File(path) if is_parquet(path) => format!("Parquet {}", path.display()),
            Self::File(path) => format!("events file {}", path.display()),
        }
    }

    /// Whether the feed follows its events' times (a synthetic feed with an
    /// interval does; a file does when the manager is `paced`).
    pub fn paced(&self, paced: bool) -> bool {
        match self {
            Self::Synthetic(spec) => !spec.interval.is_zero(),
            Self::WebSocket(_) => false,
            Self::Parquet(_) => paced,
            Self::File(_) => paced,
        }
    }
}

/// Opens the source of a run (`context`: its start, its subscriptions, its
/// stop signal and where it reports statuses). A missing file is an error of
/// kind `NotFound`: `csp.run` raises `FileNotFoundError`.
pub fn open(spec: &SourceSpec, context: &SourceContext) -> Result<Opened> {
    let source: Box<dyn Source<InputValue>> = match spec {
        SourceSpec::WebSocket(spec) => {
            let (source, publisher) = WebSocketSource::new(spec.options(), JsonMessages, context)?;
            let source = Box::new(source);
            let (history, publisher) = (None, Some(publisher));
            return Ok(Opened {
                source,
                history,
                publisher,
            });
        }
        SourceSpec::Parquet(spec) => Box::new(ParquetFile::<InputValue>::open(spec.options()?)?),
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
        SourceSpec::Parquet(spec) => {
            Ok(Box::new(ParquetFile::<InputValue>::open(spec.options()?)?))
        }
        other => Err(csp_api::Error::value(format!(
            "history must be recorded events (an events file or Parquet files), not {}",
            other.describe()
        ))),
    }
}

/// An events file, or a Parquet file if the path ends in `.parquet`.
fn file(path: &Path) -> Result<Box<dyn Source<InputValue>>> {
    if is_parquet(path) {
        let options = ParquetOptions::new::<InputValue>(vec![path.to_owned()]);
        return Ok(Box::new(ParquetFile::<InputValue>::open(options)?));
    }
    Ok(Box::new(EventsFile::<InputValue>::open(path)?))
}

fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("parquet"))
}
