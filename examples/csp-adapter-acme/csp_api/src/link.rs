//! What a running adapter manager can do from any thread: report statuses,
//! make push batches of its engine, and stop the engine with an error.

use std::sync::Arc;

use super::engine;
use super::error::{Error, Result};
use super::ffi;
use super::gate::Gate;

use adapter_core::DateTime;
/// How serious a status is: `csp.adapters.status.Level` in Python.
pub use adapter_core::Level as StatusLevel;

fn raw_level(level: StatusLevel) -> ffi::CCspStatusLevel {
    match level {
        StatusLevel::Debug => ffi::CCSP_STATUS_LEVEL_DEBUG,
        StatusLevel::Info => ffi::CCSP_STATUS_LEVEL_INFO,
        StatusLevel::Warning => ffi::CCSP_STATUS_LEVEL_WARNING,
        StatusLevel::Error => ffi::CCSP_STATUS_LEVEL_ERROR,
        StatusLevel::Critical => ffi::CCSP_STATUS_LEVEL_CRITICAL,
    }
}

/// A started manager's link to its engine, from its `start` until its
/// `stop`. Cheap to clone, `Send` and `Sync`; after `stop` every call
/// returns an error of kind [`ErrorKind::Stopped`](super::ErrorKind::Stopped).
#[derive(Clone)]
pub struct ManagerLink {
    target: Arc<LinkTarget>,
}

pub(crate) struct LinkTarget {
    name: String,
    manager: ffi::CCspAdapterManagerHandle,
    engine: ffi::CCspEngineHandle,
    realtime: bool,
    /// Open between the manager's start and stop.
    gate: Gate,
}

// SAFETY: the handles are only used inside the open gate; the manager's stop
// closes it, waiting for the uses inside, before the engine tears down.
unsafe impl Send for LinkTarget {}
// SAFETY: as above; the bridge functions used here are thread-safe.
unsafe impl Sync for LinkTarget {}

impl LinkTarget {
    pub(crate) fn new(
        name: String,
        manager: ffi::CCspAdapterManagerHandle,
        engine: ffi::CCspEngineHandle,
    ) -> Self {
        Self {
            name,
            manager,
            engine,
            // SAFETY: made in the manager's start, while the engine is live.
            realtime: unsafe { ffi::ccsp_engine_is_realtime(engine) },
            gate: Gate::default(),
        }
    }

    pub(crate) fn close(&self) {
        self.gate.close();
    }

    pub(crate) fn is_realtime(&self) -> bool {
        self.realtime
    }

    fn with_active<R>(&self, f: impl FnOnce() -> Result<R>) -> Result<R> {
        self.gate.run(&self.name, f)
    }
}

impl ManagerLink {
    pub(crate) fn new(target: Arc<LinkTarget>) -> Self {
        Self { target }
    }

    /// Ticks `csp.adapters.status.Status(level, status_code, msg)` on every
    /// `status()` time series of the manager (with none, nothing happens).
    pub fn report(&self, level: StatusLevel, code: i64, message: &str) -> Result<()> {
        self.target.with_active(|| {
            // SAFETY: the manager is alive while we are inside its gate.
            Error::check(unsafe {
                ffi::ccsp_adapter_manager_push_status(
                    self.target.manager,
                    raw_level(level),
                    code,
                    message.as_ptr().cast(),
                    message.len(),
                )
            })
        })
    }

    /// A new push batch of the engine: see [`PushBatch`].
    pub fn batch(&self) -> Result<PushBatch> {
        self.target.with_active(|| {
            // SAFETY: the engine is alive while we are inside the gate.
            let handle = unsafe { ffi::ccsp_push_batch_create(self.target.engine) };
            if handle.is_null() {
                Error::check(ffi::CCSP_ERROR_OUT_OF_MEMORY)?;
            }
            Ok(PushBatch {
                handle,
                owner: Arc::clone(&self.target),
            })
        })
    }

    /// Stops the engine with `error`: `csp.run` raises it as the Python
    /// exception of its kind (`ValueError`, `FileNotFoundError`, ...).
    pub fn fail(&self, error: &Error) -> Result<()> {
        self.target.with_active(|| {
            // SAFETY: the engine is alive while we are inside the gate.
            unsafe { engine::shutdown_with_error(self.target.engine, error) }
        })
    }

    /// Whether the run is realtime; false in a simulation, where statuses
    /// tick in the manager's next (or current) sim time slice.
    pub fn is_realtime(&self) -> bool {
        self.target.is_realtime()
    }

    /// Whether the manager is still running.
    pub fn is_active(&self) -> bool {
        self.target.gate.is_open()
    }
}

/// Values for push input adapters of one engine (of one push group, or all
/// of none) that reach the engine together when the batch is sent: csp
/// handles one batch at a time (`LAST_VALUE` inputs collapse within it,
/// `NON_COLLAPSING` ones tick in turn over the next cycles, `BURST` ones get
/// the batch's values as one list). Fill it with
/// [`Pusher::push_into`](super::Pusher::push_into); dropping it sends it too.
///
/// A batch for several adapters must end with the last value of the
/// `NON_COLLAPSING` adapter that gets the most of it: otherwise csp can lose
/// a later event of the group when the engine lags (see
/// `adapter_core::batch_order`, whose `closing_push` says which). The
/// manager's feed orders its batches so.
pub struct PushBatch {
    handle: ffi::CCspPushBatchHandle,
    owner: Arc<LinkTarget>,
}

// SAFETY: a batch is used by one thread at a time (it is not Sync) and only
// touches the engine inside its owner's gate.
unsafe impl Send for PushBatch {}

impl PushBatch {
    pub(crate) fn handle(&self) -> ffi::CCspPushBatchHandle {
        self.handle
    }

    /// Hands the values pushed so far to the engine; the batch can be reused.
    pub fn send(&mut self) -> Result<()> {
        self.owner.with_active(|| {
            // SAFETY: the batch is live and its engine runs.
            Error::check(unsafe { ffi::ccsp_push_batch_flush(self.handle) })
        })
    }

    /// Ends a batch inside this one: the values pushed so far tick as one
    /// batch, those pushed after as the next; one send sends both.
    pub(crate) fn split(&mut self) -> Result<()> {
        // SAFETY: the batch is live; splitting marks its last unsent event
        // and touches neither the engine nor an adapter.
        Error::check(unsafe { ffi::ccsp_push_batch_split(self.handle) })
    }

    /// Makes the pushes into this batch replayed ticks recorded at `time`
    /// (they tick at that time, not at receive time), or live ones again
    /// with `None`. Only adapters made to replay take them.
    pub(crate) fn replay_at(&mut self, time: Option<DateTime>) -> Result<()> {
        let time = time.map_or(ffi::CCSP_DATETIME_NONE, DateTime::as_nanos);
        // SAFETY: the batch is live; this touches neither the engine nor an adapter.
        Error::check(unsafe { ffi::ccsp_push_batch_replay_at(self.handle, time) })
    }

    /// Frees the values pushed since the last send, without sending them.
    ///
    /// # Safety
    /// Their adapters are alive: the caller holds a pass of a gate linked to
    /// each of them ([`Pusher::link_gate`](super::Pusher::link_gate)).
    pub(crate) unsafe fn discard_linked(&mut self) {
        // SAFETY: the batch is live; the adapters are alive (from the caller).
        unsafe { ffi::ccsp_push_batch_discard(self.handle) }
    }

    /// [`PushBatch::send`] without entering the manager's gate.
    ///
    /// # Safety
    /// The engine runs: the caller holds a pass of a gate linked to one of
    /// the engine's push adapters ([`Pusher::link_gate`](super::Pusher::link_gate)),
    /// which csp stops before the manager.
    #[inline]
    pub(crate) unsafe fn send_linked(&mut self) -> Result<()> {
        // SAFETY: the batch is live; its engine runs (from the caller).
        Error::check(unsafe { ffi::ccsp_push_batch_flush(self.handle) })
    }
}

impl Drop for PushBatch {
    fn drop(&mut self) {
        match self.owner.gate.enter() {
            // SAFETY: the batch is live and dropped once; the engine runs.
            Some(_pass) => unsafe { ffi::ccsp_push_batch_destroy(self.handle) },
            // The engine may be gone: free the batch without sending it.
            // SAFETY: the batch is live and dropped once.
            None => unsafe { ffi::ccsp_push_batch_abandon(self.handle) },
        }
    }
}
