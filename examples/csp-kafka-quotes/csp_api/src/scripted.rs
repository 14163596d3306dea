//! A live source for the generated tests that follows a script: batches of
//! events, statuses it reports between them, pauses, and an error to end
//! with. Once the script is done it waits for the run to stop, as a live
//! source whose peer went quiet.

use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::feed::Subscriptions;
use super::manager::adapter_manager_capsule;
use super::source_manager::{SourceManager, subscriber_capsule};
use adapter_core::{DateTime, Event, EventsError, Source, StatusReporter, StopSignal};

#[derive(Clone, Debug)]
enum Step {
    Batch(Vec<(String, i64)>),
    Status(&'static str, String),
    Wait(Duration),
    Fail(&'static str, String),
}

const STATUSES: [&str; 5] = [
    "connected",
    "disconnected",
    "reconnecting",
    "bad_message",
    "gave_up",
];
const FAILURES: [&str; 3] = ["value", "connection", "runtime"];

fn one_of(what: &str, name: &str, names: &[&'static str]) -> PyResult<&'static str> {
    names.iter().find(|n| **n == name).copied().ok_or_else(|| {
        PyValueError::new_err(format!("unknown {what} {name:?}: use one of {names:?}"))
    })
}

impl Step {
    fn from_py(step: &Bound<'_, PyAny>) -> PyResult<Self> {
        let items: Vec<Bound<'_, PyAny>> = step.extract()?;
        let kind: String = items.first().map_or(Ok(String::new()), |k| k.extract())?;
        let arg = |i: usize| {
            items.get(i).ok_or_else(|| {
                PyValueError::new_err(format!("step {kind:?} needs {} arguments", i))
            })
        };
        Ok(match kind.as_str() {
            "batch" => Self::Batch(arg(1)?.extract()?),
            "status" => Self::Status(
                one_of("status", &arg(1)?.extract::<String>()?, &STATUSES)?,
                arg(2)?.extract()?,
            ),
            "wait" => Self::Wait(Duration::from_secs_f64(arg(1)?.extract()?)),
            "fail" => Self::Fail(
                one_of("failure", &arg(1)?.extract::<String>()?, &FAILURES)?,
                arg(2)?.extract()?,
            ),
            _ => {
                let message = format!("unknown step {kind:?}: batch, status, wait or fail");
                return Err(PyValueError::new_err(message));
            }
        })
    }
}

struct ScriptedSource {
    steps: std::vec::IntoIter<Step>,
    stop: StopSignal,
    status: StatusReporter,
}

impl Source<i64> for ScriptedSource {
    fn next_batch(&mut self, batch: &mut Vec<Event<i64>>) -> Result<bool, EventsError> {
        for step in self.steps.by_ref() {
            match step {
                Step::Batch(events) => {
                    let time = DateTime::now();
                    batch.extend(events.into_iter().map(|(symbol, value)| Event {
                        time,
                        symbol,
                        value,
                    }));
                    return Ok(true);
                }
                Step::Status(name, message) => match name {
                    "connected" => self.status.connected(message),
                    "disconnected" => self.status.disconnected(message),
                    "reconnecting" => self.status.reconnecting(message),
                    "bad_message" => self.status.bad_message(message),
                    _ => self.status.gave_up(message),
                },
                Step::Wait(pause) => {
                    self.stop.wait_timeout(pause);
                }
                Step::Fail(name, message) => {
                    return Err(match name {
                        "value" => EventsError::bad_data(message),
                        "connection" => EventsError::connection(message),
                        _ => EventsError::failed(message),
                    });
                }
            }
        }
        // The script is done: a peer gone quiet, until the run stops.
        while !self.stop.wait_timeout(Duration::from_secs(3600)) {}
        Ok(false)
    }
}

/// One run's scripted manager and subscriptions, made from Python.
#[pyclass(frozen, name = "ScriptedFeed")]
pub(crate) struct PyScriptedFeed {
    steps: Vec<Step>,
    subscriptions: Arc<Subscriptions<i64>>,
}

#[pymethods]
impl PyScriptedFeed {
    /// `steps`: `("batch", [(symbol, value), ...])`, `("status", name,
    /// message)`, `("wait", seconds)` or `("fail", kind, message)`.
    #[new]
    fn new(steps: Vec<Bound<'_, PyAny>>) -> PyResult<Self> {
        let steps = steps.iter().map(Step::from_py).collect::<PyResult<_>>()?;
        Ok(Self {
            steps,
            subscriptions: Arc::default(),
        })
    }

    /// The manager: a feed of the scripted source.
    fn manager_capsule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let steps = self.steps.clone();
        let manager = SourceManager::new("ScriptedManager", &self.subscriptions, move |context| {
            ScriptedSource {
                steps: steps.into_iter(),
                stop: context.stop.clone(),
                status: context.status.clone(),
            }
        });
        adapter_manager_capsule(py, manager)
    }

    /// A subscription to `symbol`.
    fn input_capsule<'py>(&self, py: Python<'py>, symbol: String) -> PyResult<Bound<'py, PyAny>> {
        subscriber_capsule(py, &self.subscriptions, symbol)
    }
}
