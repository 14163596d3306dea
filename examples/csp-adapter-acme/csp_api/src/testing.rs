//! Adapters that exercise the plumbing itself, for the generated tests:
//! fault injection at every callback, replay and recording of arbitrary
//! values of every type, counts of the objects handed to the engine, and the
//! benchmark adapters of `bench.rs` and `bench_records.rs`.
//! Python reaches them as `<package>._native.testing`; your adapters do not
//! use them.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use super::bench;
use super::bench_records;
use super::engine::Engine;
use super::error::{Error, ErrorKind, Result};
use super::feed::{Feed, FeedOptions, Subscriptions};
use super::ffi;
use super::gate::{Gate, SoloEntry};
use super::input::{PushInputAdapter, Pusher, push_input_adapter_capsule};
use super::link::ManagerLink;
use super::lockstep;
use super::manager::{AdapterManager, adapter_manager_capsule};
use super::output::{OutputAdapter, output_adapter_capsule};
use super::scripted;
use super::silent;
use super::user_data::{
    UserData, capsule_or_release, into_user_data, object_counts, release_user_data,
};
use super::value::{PushValue, TickValue};
use adapter_core::{DateTime, Event, EventsError, Source, Stats, TimeDelta};

/// Where a fault is injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Point {
    ManagerName,
    ManagerStart,
    ManagerStop,
    InputStart,
    InputStop,
    PushThread,
    Fatal,
    OutputStart,
    OutputExecute,
    OutputStop,
    FeedSource,
    SimTimeSlice,
    Destroy,
}

const POINTS: [(&str, Point); 13] = [
    ("manager_name", Point::ManagerName),
    ("manager_start", Point::ManagerStart),
    ("manager_stop", Point::ManagerStop),
    ("input_start", Point::InputStart),
    ("input_stop", Point::InputStop),
    ("push_thread", Point::PushThread),
    ("fatal", Point::Fatal),
    ("output_start", Point::OutputStart),
    ("output_execute", Point::OutputExecute),
    ("output_stop", Point::OutputStop),
    ("feed_source", Point::FeedSource),
    ("sim_time_slice", Point::SimTimeSlice),
    ("destroy", Point::Destroy),
];

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = POINTS
            .iter()
            .find(|(_, point)| point == self)
            .map_or("?", |(name, _)| name);
        f.write_str(name)
    }
}

/// A panic or an `Err` at one point, or nothing.
#[derive(Clone, Copy, Debug, Default)]
struct Fault {
    at: Option<(Point, bool)>,
}

impl Fault {
    fn parse(point: Option<&str>, panic: bool) -> PyResult<Self> {
        let Some(name) = point else {
            return Ok(Self::default());
        };
        let point = POINTS
            .iter()
            .find(|(candidate, _)| *candidate == name)
            .map(|(_, point)| *point)
            .ok_or_else(|| {
                let names: Vec<_> = POINTS.iter().map(|(name, _)| *name).collect();
                PyValueError::new_err(format!(
                    "unknown fault point {name:?}; use one of {}",
                    names.join(", ")
                ))
            })?;
        Ok(Self {
            at: Some((point, panic)),
        })
    }

    /// Panics or fails if the fault is at `here`.
    fn check(self, here: Point) -> Result<()> {
        match self.at {
            Some((point, true)) if point == here => panic!("injected panic at {here}"),
            Some((point, false)) if point == here => {
                Err(Error::runtime(format!("injected error at {here}")))
            }
            _ => Ok(()),
        }
    }
}

/// What the probe adapters saw, shared with Python.
#[pyclass(frozen, name = "Probe")]
#[derive(Default)]
pub struct PyProbe {
    pub(crate) state: Arc<Probe>,
}

#[derive(Default)]
pub(crate) struct Probe {
    pushed: AtomicU64,
    saw_stopped: AtomicBool,
    thread_exited: AtomicBool,
    values: Mutex<Vec<Recorded>>,
}

#[pymethods]
impl PyProbe {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// Values the push thread pushed successfully.
    fn pushed(&self) -> u64 {
        self.state.pushed.load(Ordering::SeqCst)
    }

    /// Whether a push was refused because the graph had stopped.
    fn saw_stopped(&self) -> bool {
        self.state.saw_stopped.load(Ordering::SeqCst)
    }

    /// Whether the push thread has returned.
    fn thread_exited(&self) -> bool {
        self.state.thread_exited.load(Ordering::SeqCst)
    }

    /// Values a recording output adapter received (datetime and timedelta
    /// as integer nanoseconds).
    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let values = self.state.values.lock().unwrap_or_else(|e| e.into_inner());
        let list = PyList::empty(py);
        for value in values.iter() {
            match value {
                Recorded::Bool(v) => list.append(*v)?,
                Recorded::Int(v) => list.append(*v)?,
                Recorded::Float(v) => list.append(*v)?,
                Recorded::Str(v) => list.append(v.as_str())?,
            }
        }
        Ok(list)
    }
}

impl Probe {
    /// How many values the recording output adapters received.
    pub(crate) fn recorded(&self) -> usize {
        self.values.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

enum Recorded {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

/// A value type the replay adapter can own and push.
trait Replayable: Clone + Send + 'static {
    type Push: PushValue + ?Sized;
    fn arg(&self) -> <Self::Push as PushValue>::Arg<'_>;
}

/// A value type the recording adapter can read and keep.
trait Recordable: 'static {
    type Tick<'a>: TickValue<'a>;
    fn record(value: Self::Tick<'_>) -> Recorded;
}

macro_rules! copy_types {
    ($($rust:ty => $variant:ident($convert:expr)),*) => {$(
        impl Replayable for $rust {
            type Push = $rust;
            fn arg(&self) -> $rust {
                *self
            }
        }

        impl Recordable for $rust {
            type Tick<'a> = $rust;
            fn record(value: $rust) -> Recorded {
                let convert: fn($rust) -> _ = $convert;
                Recorded::$variant(convert(value))
            }
        }
    )*};
}

copy_types!(
    bool => Bool(|v| v),
    i64 => Int(|v| v),
    f64 => Float(|v| v),
    DateTime => Int(DateTime::as_nanos),
    TimeDelta => Int(TimeDelta::as_nanos)
);

impl Replayable for String {
    type Push = str;
    fn arg(&self) -> &str {
        self
    }
}

impl Recordable for String {
    type Tick<'a> = &'a str;
    fn record(value: &str) -> Recorded {
        Recorded::Str(value.to_owned())
    }
}

/// Pushes `values` from its own thread, then (with `keep_pushing`) pushes
/// the last one again and again, [`KEEP_PUSHING_BURST`] at a time with 1 ms
/// between, until the graph stops.
struct ReplayInput<V: Replayable> {
    values: Vec<V>,
    keep_pushing: bool,
    fault: Fault,
    probe: Arc<Probe>,
    worker: Option<JoinHandle<()>>,
}

impl<V: Replayable> PushInputAdapter for ReplayInput<V> {
    type Value = V::Push;

    fn name(&self) -> &str {
        "ReplayInput"
    }

    fn start(&mut self, pusher: Pusher<V::Push>, _start: DateTime, _end: DateTime) -> Result<()> {
        self.fault.check(Point::InputStart)?;
        let values = self.values.clone();
        let (keep_pushing, fault, probe) = (self.keep_pushing, self.fault, Arc::clone(&self.probe));
        let worker = pusher.spawn("replay-input", move |pusher| {
            let outcome = replay(pusher, &values, keep_pushing, fault, &probe);
            if matches!(&outcome, Err(e) if e.kind() == ErrorKind::Stopped) {
                probe.saw_stopped.store(true, Ordering::SeqCst);
            }
            probe.thread_exited.store(true, Ordering::SeqCst);
            outcome
        })?;
        self.worker = Some(worker);
        Ok(())
    }

    fn stop(&mut self) -> Result<()> {
        if let Some(worker) = self.worker.take() {
            worker
                .join()
                .map_err(|_| Error::runtime("the replay thread could not be joined"))?;
        }
        self.fault.check(Point::InputStop)
    }
}

impl<V: Replayable> Drop for ReplayInput<V> {
    fn drop(&mut self) {
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
        // A panic here reaches the bridge's destroy guard.
        let _ = self.fault.check(Point::Destroy);
    }
}

/// How many pushes a `keep_pushing` replay makes between its pauses.
const KEEP_PUSHING_BURST: usize = 1_000;

fn replay<V: Replayable>(
    pusher: &Pusher<V::Push>,
    values: &[V],
    keep_pushing: bool,
    fault: Fault,
    probe: &Probe,
) -> Result<()> {
    for value in values {
        pusher.push(value.arg())?;
        probe.pushed.fetch_add(1, Ordering::SeqCst);
    }
    fault.check(Point::PushThread)?;
    if fault.at.is_some_and(|(point, _)| point == Point::Fatal) {
        pusher.shutdown_engine("injected fatal error")?;
    }
    if let (true, Some(last)) = (keep_pushing, values.last()) {
        // In bursts with a pause between: a pusher without a bound that
        // outruns a non-collapsing adapter makes each engine cycle longer
        // than the one before, and its backlog grows without end.
        loop {
            for _ in 0..KEEP_PUSHING_BURST {
                pusher.push(last.arg())?;
                probe.pushed.fetch_add(1, Ordering::SeqCst);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    Ok(())
}

/// Records every value it receives into its probe.
struct RecordingOutput<R: Recordable> {
    fault: Fault,
    probe: Arc<Probe>,
    _type: std::marker::PhantomData<fn() -> R>,
}

impl<R: Recordable> OutputAdapter for RecordingOutput<R> {
    type Value<'a> = R::Tick<'a>;

    fn name(&self) -> &str {
        "RecordingOutput"
    }

    fn start(&mut self, _engine: Engine<'_>, _start: DateTime, _end: DateTime) -> Result<()> {
        self.fault.check(Point::OutputStart)
    }

    fn on_tick(&mut self, value: R::Tick<'_>, _engine: Engine<'_>) -> Result<()> {
        self.fault.check(Point::OutputExecute)?;
        let mut values = self.probe.values.lock().unwrap_or_else(|e| e.into_inner());
        values.push(R::record(value));
        Ok(())
    }

    fn stop(&mut self) -> Result<()> {
        self.fault.check(Point::OutputStop)
    }
}

impl<R: Recordable> Drop for RecordingOutput<R> {
    fn drop(&mut self) {
        let _ = self.fault.check(Point::Destroy);
    }
}

struct FaultyManager {
    fault: Fault,
    feed: Option<Feed>,
}

/// A source that fails where told, else never ends (one event a millisecond).
struct FaultySource {
    fault: Fault,
}

impl Source<i64> for FaultySource {
    /// It stands for a recorded feed: a simulation replays it.
    fn is_live(&self) -> bool {
        false
    }

    fn next_batch(
        &mut self,
        batch: &mut Vec<Event<i64>>,
    ) -> std::result::Result<bool, EventsError> {
        if let Err(error) = self.fault.check(Point::FeedSource) {
            return Err(EventsError::failed(error.message()));
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
        batch.push(Event {
            time: DateTime::now(),
            symbol: "nobody".to_owned(),
            value: 0,
        });
        Ok(true)
    }
}

impl AdapterManager for FaultyManager {
    fn name(&self) -> &str {
        if let Err(error) = self.fault.check(Point::ManagerName) {
            panic!("{error}");
        }
        "FaultyManager"
    }

    fn start(
        &mut self,
        _engine: Engine<'_>,
        link: ManagerLink,
        _start: DateTime,
        _end: DateTime,
    ) -> Result<()> {
        self.fault.check(Point::ManagerStart)?;
        // A feed with no subscriptions, reading a source that fails on cue.
        let source = FaultySource { fault: self.fault };
        let feed = Feed::start(
            "FaultyManager",
            source,
            None,
            Arc::new(Subscriptions::default()),
            link,
            FeedOptions::default(),
            Arc::new(Stats::default()),
        )?;
        self.feed = Some(feed);
        Ok(())
    }

    fn process_next_sim_time_slice(&mut self, time: DateTime) -> Result<Option<DateTime>> {
        self.fault.check(Point::SimTimeSlice)?;
        match &mut self.feed {
            Some(feed) => feed.process_next_sim_time_slice(time),
            None => Ok(None),
        }
    }

    fn stop(&mut self) -> Result<()> {
        if let Some(feed) = self.feed.take() {
            feed.stop()?;
        }
        self.fault.check(Point::ManagerStop)
    }
}

impl Drop for FaultyManager {
    fn drop(&mut self) {
        let _ = self.fault.check(Point::Destroy);
    }
}

/// Runs `$body` with `$t` bound to the Rust type of csp type `$name`.
macro_rules! with_value_type {
    ($name:expr, $t:ident => $body:expr) => {
        match $name {
            "bool" => {
                type $t = bool;
                $body
            }
            "int" => {
                type $t = i64;
                $body
            }
            "float" => {
                type $t = f64;
                $body
            }
            "str" => {
                type $t = String;
                $body
            }
            "datetime" => {
                type $t = DateTime;
                $body
            }
            "timedelta" => {
                type $t = TimeDelta;
                $body
            }
            other => Err(PyValueError::new_err(format!(
                "unknown value type {other:?}; use bool, int, float, str, datetime or timedelta"
            ))),
        }
    };
}

/// Owned values of type `V` from Python; datetime and timedelta as integer nanoseconds.
fn extract_values<V: FromNanosOrPy>(values: &Bound<'_, PyAny>) -> PyResult<Vec<V>> {
    values.try_iter()?.map(|item| V::from_py(&item?)).collect()
}

trait FromNanosOrPy: Sized {
    fn from_py(value: &Bound<'_, PyAny>) -> PyResult<Self>;
}

macro_rules! extract_directly {
    ($($t:ty),*) => {$(
        impl FromNanosOrPy for $t {
            fn from_py(value: &Bound<'_, PyAny>) -> PyResult<Self> {
                value.extract::<$t>()
            }
        }
    )*};
}

extract_directly!(bool, i64, f64, String);

impl FromNanosOrPy for DateTime {
    fn from_py(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(DateTime::from_nanos(value.extract::<i64>()?))
    }
}

impl FromNanosOrPy for TimeDelta {
    fn from_py(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(TimeDelta::from_nanos(value.extract::<i64>()?))
    }
}

/// A push input adapter of csp type `value_type` pushing `values` in order.
#[pyfunction]
#[pyo3(signature = (value_type, values, probe, fault=None, panic=true, keep_pushing=false))]
fn replay_input_capsule<'py>(
    py: Python<'py>,
    value_type: &str,
    values: &Bound<'py, PyAny>,
    probe: &PyProbe,
    fault: Option<&str>,
    panic: bool,
    keep_pushing: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let fault = Fault::parse(fault, panic)?;
    with_value_type!(value_type, V => {
        let adapter = ReplayInput::<V> {
            values: extract_values::<V>(values)?,
            keep_pushing,
            fault,
            probe: Arc::clone(&probe.state),
            worker: None,
        };
        push_input_adapter_capsule(py, adapter)
    })
}

/// An output adapter of csp type `value_type` recording into `probe`.
#[pyfunction]
#[pyo3(signature = (value_type, probe, fault=None, panic=true))]
fn recording_output_capsule<'py>(
    py: Python<'py>,
    value_type: &str,
    probe: &PyProbe,
    fault: Option<&str>,
    panic: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let fault = Fault::parse(fault, panic)?;
    with_value_type!(value_type, V => {
        let adapter = RecordingOutput::<V> {
            fault,
            probe: Arc::clone(&probe.state),
            _type: std::marker::PhantomData,
        };
        output_adapter_capsule(py, adapter)
    })
}

/// An adapter manager that fails where told.
#[pyfunction]
#[pyo3(signature = (fault=None, panic=true))]
fn faulty_manager_capsule<'py>(
    py: Python<'py>,
    fault: Option<&str>,
    panic: bool,
) -> PyResult<Bound<'py, PyAny>> {
    adapter_manager_capsule(
        py,
        FaultyManager {
            fault: Fault::parse(fault, panic)?,
            feed: None,
        },
    )
}

/// A push input adapter capsule whose VTable header says `abi_version` and
/// `struct_size`, to check that the bridge refuses what it cannot read.
#[pyfunction]
fn input_capsule_with_header(
    py: Python<'_>,
    abi_version: u32,
    struct_size: u32,
) -> PyResult<Bound<'_, PyAny>> {
    type Shim = Placeholder;
    let user_data = into_user_data(Placeholder);
    let vtable = ffi::CCspPushInputAdapterVTable {
        abi_version,
        struct_size,
        user_data,
        start: None,
        stop: None,
        destroy: Some(release_user_data::<Shim>),
        value_type: ffi::CCSP_TYPE_UNKNOWN,
        start_managed_sim: None,
    };
    // SAFETY: the vtable is initialised; on success the capsule owns user_data.
    unsafe {
        let capsule = ffi::ccsp_push_input_adapter_capsule_new(&vtable);
        capsule_or_release(py, capsule, user_data, release_user_data::<Shim>)
    }
}

struct Placeholder;

impl UserData for Placeholder {
    fn name(&self) -> &str {
        "Placeholder"
    }
}

/// `(created, released)`: adapter and manager objects handed to the bridge.
#[pyfunction(name = "object_counts")]
fn py_object_counts() -> (u64, u64) {
    object_counts()
}

/// Races `threads` threads entering a gate flat out against one `close`
/// after `millis` ms; returns how many passes were granted. Fails if a pass
/// was granted after `close` returned, or if `close` returned while one was
/// still held (the guarantees that keep pushes off a stopped adapter). With
/// `solo`, the gate is the feed's one-thread gate (`threads` must be 1).
#[pyfunction]
#[pyo3(signature = (threads, millis, solo=false))]
fn gate_race(py: Python<'_>, threads: usize, millis: u64, solo: bool) -> PyResult<u64> {
    py.detach(|| {
        if solo {
            if threads != 1 {
                return Err(PyValueError::new_err("one thread enters a solo gate"));
            }
            let entry = SoloEntry::default();
            let gate = Arc::clone(entry.gate());
            return race(vec![entry], millis, move || gate.close());
        }
        let gate = Arc::new(Gate::default());
        let doors = (0..threads).map(|_| Arc::clone(&gate)).collect();
        let closer = Arc::clone(&gate);
        let granted = race(doors, millis, move || closer.close())?;
        if gate.enter().is_some() || gate.is_open() {
            return Err(PyValueError::new_err("the gate opened again after close"));
        }
        Ok(granted)
    })
}

/// A racer's way through a gate: runs `inside` within a pass, or returns
/// false once the gate is closed.
trait Door: Send + 'static {
    fn pass(&mut self, inside: impl FnOnce()) -> bool;
}

impl Door for Arc<Gate> {
    fn pass(&mut self, inside: impl FnOnce()) -> bool {
        self.enter().map(|_pass| inside()).is_some()
    }
}

impl Door for SoloEntry {
    fn pass(&mut self, inside: impl FnOnce()) -> bool {
        self.enter().map(|_pass| inside()).is_some()
    }
}

/// Runs a racer through each of `doors` until refused, calls `close` once
/// every racer is in and `millis` ms have passed; returns the passes.
fn race<D: Door>(doors: Vec<D>, millis: u64, close: impl FnOnce()) -> PyResult<u64> {
    let racers = doors.len() as u64;
    let closed = Arc::new(AtomicBool::new(false));
    let running = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = doors
        .into_iter()
        .map(|mut door| {
            let (closed, running) = (Arc::clone(&closed), Arc::clone(&running));
            std::thread::spawn(move || {
                let mut granted = 0_u64;
                let mut late = false;
                while door.pass(|| {
                    if granted == 0 {
                        running.fetch_add(1, Ordering::SeqCst);
                    }
                    granted += 1;
                    std::hint::spin_loop();
                    late |= closed.load(Ordering::SeqCst);
                }) {}
                (granted, late)
            })
        })
        .collect();
    // Close only once every racer is inside the loop, however slow the
    // machine is to start threads.
    while running.load(Ordering::SeqCst) < racers {
        std::thread::yield_now();
    }
    std::thread::sleep(std::time::Duration::from_millis(millis));
    close();
    closed.store(true, Ordering::SeqCst);
    let mut granted = 0;
    for handle in handles {
        let (count, late) = handle
            .join()
            .map_err(|_| PyValueError::new_err("a gate racer panicked"))?;
        if late {
            return Err(PyValueError::new_err(
                "a pass was held after close returned",
            ));
        }
        granted += count;
    }
    Ok(granted)
}

/// Adds the `testing` submodule to the extension module.
pub fn add_testing_module(parent: &Bound<'_, PyModule>) -> PyResult<()> {
    let module = PyModule::new(parent.py(), "testing")?;
    module.add_class::<PyProbe>()?;
    module.add_class::<lockstep::PyLockstep>()?;
    module.add_class::<silent::PySilentFeed>()?;
    module.add_class::<scripted::PyScriptedFeed>()?;
    module.add_function(wrap_pyfunction!(replay_input_capsule, &module)?)?;
    module.add_function(wrap_pyfunction!(recording_output_capsule, &module)?)?;
    module.add_function(wrap_pyfunction!(faulty_manager_capsule, &module)?)?;
    module.add_function(wrap_pyfunction!(input_capsule_with_header, &module)?)?;
    module.add_function(wrap_pyfunction!(py_object_counts, &module)?)?;
    module.add_function(wrap_pyfunction!(gate_race, &module)?)?;
    module.add_class::<bench::PyBenchProbe>()?;
    module.add_function(wrap_pyfunction!(bench::bench_input_capsule, &module)?)?;
    module.add_function(wrap_pyfunction!(bench::bench_output_capsule, &module)?)?;
    module.add_function(wrap_pyfunction!(
        bench_records::bench_record_input_capsule,
        &module
    )?)?;
    module.add_function(wrap_pyfunction!(
        bench_records::bench_record_output_capsule,
        &module
    )?)?;
    let points: Vec<_> = POINTS.iter().map(|(name, _)| *name).collect();
    module.add("FAULT_POINTS", points)?;
    parent.add_submodule(&module)
}
