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
use adapter_core::{EventsFile, Source, SourceContext, Synthetic};
use csp_api::{Result, TimeDelta};

/// The `source` argument of the Python manager.
#[derive(Clone, Debug, FromPyObject)]
pub enum SourceSpec {
    /// A `Synthetic(count, symbols, interval, batch_size)` from Python.
    Synthetic(SyntheticSpec),
    /// The path of an events file (`str` or `os.PathLike`).
    File(PathBuf),
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
            Self::File(path) => format!("events file {}", path.display()),
        }
    }

    /// Whether the feed follows its events' times (a synthetic feed with an
    /// interval does; a file does when the manager is `paced`).
    pub fn paced(&self, paced: bool) -> bool {
        match self {
            Self::Synthetic(spec) => !spec.interval.is_zero(),
            Self::File(_) => paced,
        }
    }
}

/// Opens the source of a run (`context`: its start, its subscriptions, its
/// stop signal and where it reports statuses). A missing file is an error of
/// kind `NotFound`: `csp.run` raises `FileNotFoundError`.
pub fn open(spec: &SourceSpec, context: &SourceContext) -> Result<Box<dyn Source<InputValue>>> {
    Ok(match spec {
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
