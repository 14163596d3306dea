//! Push input adapters: Rust threads pushing values into a csp graph.

use std::any::type_name;
use std::ffi::c_void;
use std::marker::PhantomData;
use std::mem::size_of;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;

use super::engine;
use super::error::{Error, Result};
use super::ffi;
use super::gate::{self, Gate, SoloGate};
use super::guard;
use super::link::PushBatch;
use super::record::StructBinding;
use super::user_data::{
    UserData, capsule_or_release, into_user_data, release_user_data, user_data_mut,
};
use super::value::{AdapterHandle, PushValue};
use adapter_core::DateTime;

/// A push input adapter: csp calls `start` when the graph starts and `stop`
/// when it ends; in between, the adapter pushes values with the [`Pusher`]
/// it got in `start`, typically from a thread of its own.
///
/// In a simulation (`csp.run(realtime=False)`) the same adapter is a managed
/// sim input adapter of its manager: its [`Pusher`] ticks at the engine's
/// time and only from inside the manager's
/// [`process_next_sim_time_slice`](crate::AdapterManager::process_next_sim_time_slice),
/// which is where the manager's feed pushes in a simulation.
pub trait PushInputAdapter: Send + 'static {
    /// The value type it pushes (`bool`, `i64`, `f64`, `str`, `DateTime`, `TimeDelta`,
    /// or a [`Record`](crate::Record)).
    type Value: PushValue + ?Sized;

    /// The name used in error messages.
    fn name(&self) -> &str {
        short_type_name::<Self>()
    }

    fn start(&mut self, pusher: Pusher<Self::Value>, start: DateTime, end: DateTime) -> Result<()>;

    /// Called once when the graph stops: stop and join your threads here.
    /// By then every [`Pusher`] already refuses pushes.
    fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Pushes values of type `T` into the graph. Cheap to clone, `Send` and
/// `Sync`; every push after the adapter stopped returns an error of kind
/// [`ErrorKind::Stopped`](crate::ErrorKind::Stopped) instead of touching the engine.
pub struct Pusher<T: PushValue + ?Sized> {
    target: Arc<PushTarget>,
    _value: PhantomData<fn(&T)>,
}

struct PushTarget {
    name: String,
    adapter: AdapterHandle,
    /// The thread that started the adapter: the engine's.
    engine_thread: usize,
    /// What the pushed type looked up when the adapter started.
    binding: StructBinding,
    engine: ffi::CCspEngineHandle,
    /// It ticks every value pushed (`csp.PushMode.NON_COLLAPSING`), a
    /// realtime push adapter.
    non_collapsing: bool,
    /// Open between start and stop; every use of the handles passes it.
    gate: Gate,
    /// Gates that a manager's feed pushes through instead of this one, a
    /// batch at a time; `deactivate` closes them before the adapter's own
    /// and leaves `None`.
    linked: Mutex<Option<Vec<Arc<SoloGate>>>>,
}

// SAFETY: the raw handles are only used inside the open gate, or inside an
// open linked gate; `stop` closes them all, waiting for the uses inside,
// before the engine tears down.
unsafe impl Send for PushTarget {}
// SAFETY: as above; the bridge's push functions are thread-safe.
unsafe impl Sync for PushTarget {}

impl PushTarget {
    #[inline]
    fn with_active<R>(&self, f: impl FnOnce() -> Result<R>) -> Result<R> {
        if let AdapterHandle::Sim(_) = self.adapter {
            return self.on_engine_thread(f);
        }
        self.gate.run(&self.name, f)
    }

    /// A managed sim adapter is only pushed to on the engine thread, which is
    /// also the only thread that closes its gate (in stop and destroy): there
    /// an open gate stays open, and no pass (two atomic writes) is needed.
    #[inline]
    fn on_engine_thread<R>(&self, f: impl FnOnce() -> Result<R>) -> Result<R> {
        if current_thread() != self.engine_thread {
            return Err(Error::runtime(format!(
                "{}: in a simulation, values are pushed only from the manager's \
                 process_next_sim_time_slice, on the engine thread",
                self.name
            )));
        }
        if !self.gate.is_open() {
            return Err(gate::stopped(&self.name));
        }
        f()
    }

    /// Closes the linked gates, then the adapter's own: each waits for the
    /// pushes inside it.
    fn deactivate(&self) {
        let linked = lock(&self.linked).take().unwrap_or_default();
        for gate in linked {
            gate.close();
        }
        self.gate.close();
    }

    fn link(&self, gate: &Arc<SoloGate>) {
        let mut linked = lock(&self.linked);
        match linked.as_mut() {
            Some(gates) => gates.push(Arc::clone(gate)),
            None => {
                // Stopped already: pushes through `gate` must not reach it.
                drop(linked);
                gate.close();
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T: PushValue + ?Sized> Clone for Pusher<T> {
    fn clone(&self) -> Self {
        Self {
            target: Arc::clone(&self.target),
            _value: PhantomData,
        }
    }
}

impl<T: PushValue + ?Sized> Pusher<T> {
    /// Pushes one value; it ticks in a coming engine cycle.
    pub fn push(&self, value: T::Arg<'_>) -> Result<()> {
        self.target.with_active(|| {
            let target = &*self.target;
            // SAFETY: the adapter is started, bound, and stays alive while we are inside its gate.
            unsafe { T::push_raw(target.adapter, &target.binding, value, std::ptr::null_mut()) }
        })
    }

    /// Adds one value to `batch` (of this adapter's engine, and of its push
    /// group); the engine receives it when the batch is sent.
    #[inline]
    pub fn push_into(&self, batch: &mut PushBatch, value: T::Arg<'_>) -> Result<()> {
        self.target.with_active(|| {
            let target = &*self.target;
            // SAFETY: the adapter is started, bound and alive; the batch is
            // live (the bridge refuses a batch of another engine or group).
            unsafe { T::push_raw(target.adapter, &target.binding, value, batch.handle()) }
        })
    }

    /// Whether it is a realtime push adapter that ticks every value pushed
    /// (`csp.PushMode.NON_COLLAPSING`): one tick per engine cycle, so the
    /// rest of a batch waits for the next cycles.
    pub(crate) fn is_non_collapsing(&self) -> bool {
        self.target.non_collapsing
    }

    /// Makes `gate` a gate of this adapter: its stop (or destruction) closes
    /// `gate` first, waiting for the pushes inside, so that whoever holds a
    /// pass of `gate` may push with [`Pusher::push_linked`].
    pub(crate) fn link_gate(&self, gate: &Arc<SoloGate>) {
        self.target.link(gate);
    }

    /// [`Pusher::push_into`] (or with no batch, [`Pusher::push`]) without
    /// entering the adapter's own gate: the manager's feed enters one linked
    /// gate per batch instead of one gate per push.
    ///
    /// # Safety
    /// The caller holds a pass of a gate given to [`Pusher::link_gate`] of
    /// this pusher, and the adapter is a push adapter (realtime).
    #[inline]
    pub(crate) unsafe fn push_linked(
        &self,
        batch: Option<&mut PushBatch>,
        value: T::Arg<'_>,
    ) -> Result<()> {
        let target = &*self.target;
        debug_assert!(matches!(target.adapter, AdapterHandle::Push(_)));
        let batch = batch.map_or(std::ptr::null_mut(), |batch| batch.handle());
        // SAFETY: the linked gate is open, so the adapter's stop has not
        // closed it: the adapter is started, bound and alive; a batch is
        // live (the bridge refuses a batch of another engine or group).
        unsafe { T::push_raw(target.adapter, &target.binding, value, batch) }
    }

    /// Pushes into `batch` an ack of `pushed` events: once the engine has
    /// consumed what came before it, [`Pusher::consumed_linked`] returns
    /// `pushed`. It ticks nothing.
    ///
    /// # Safety
    /// As [`Pusher::push_linked`].
    pub(crate) unsafe fn ack_linked(&self, batch: &mut PushBatch, pushed: u64) -> Result<()> {
        let AdapterHandle::Push(adapter) = self.target.adapter else {
            return Ok(());
        };
        // SAFETY: the linked gate is open: the adapter is alive (from the
        // caller); the batch is live.
        Error::check(unsafe { ffi::ccsp_push_batch_ack(batch.handle(), adapter, pushed) })
    }

    /// The count of the last ack the engine consumed (0 before any).
    ///
    /// # Safety
    /// As [`Pusher::push_linked`].
    pub(crate) unsafe fn consumed_linked(&self) -> u64 {
        let AdapterHandle::Push(adapter) = self.target.adapter else {
            return 0;
        };
        // SAFETY: the linked gate is open: the adapter is alive (from the caller).
        unsafe { ffi::ccsp_push_input_adapter_consumed(adapter) }
    }

    /// Ends the adapter's replay of history: what it is pushed from now on
    /// is live (nothing, for an adapter made without replays).
    ///
    /// # Safety
    /// As [`Pusher::push_linked`].
    pub(crate) unsafe fn replay_complete_linked(&self) -> Result<()> {
        let AdapterHandle::Push(adapter) = self.target.adapter else {
            return Ok(());
        };
        // SAFETY: the linked gate is open: the adapter is alive (from the caller).
        Error::check(unsafe { ffi::ccsp_push_input_adapter_replay_complete(adapter) })
    }

    /// Pushes all `values` as one batch: the engine receives them together
    /// (in a simulation: at the current time). Returns how many were pushed.
    pub fn push_batch<'v, I>(&self, values: I) -> Result<usize>
    where
        I: IntoIterator<Item = T::Arg<'v>>,
    {
        self.target.with_active(|| {
            let batch = Batch::new(self.target.adapter)?;
            let mut pushed = 0;
            for value in values {
                let target = &*self.target;
                // SAFETY: adapter started, bound and alive; batch is live.
                unsafe { T::push_raw(target.adapter, &target.binding, value, batch.0) }?;
                pushed += 1;
            }
            batch.flush()?;
            Ok(pushed)
        })
    }

    /// Whether the graph still accepts pushes.
    pub fn is_active(&self) -> bool {
        self.target.gate.is_open()
    }

    /// Stops the engine with an error: `csp.run` raises `RuntimeError(message)`.
    /// Use it for a fatal failure on your own thread.
    pub fn shutdown_engine(&self, message: impl std::fmt::Display) -> Result<()> {
        self.fail(&Error::runtime(message.to_string()))
    }

    /// Stops the engine with `error`, the adapter's name in front: `csp.run`
    /// raises it as the Python exception of its kind.
    pub fn fail(&self, error: &Error) -> Result<()> {
        // From any thread, in a simulation too.
        self.target.gate.run(&self.target.name, || {
            let error = error.clone().context(&self.target.name);
            // SAFETY: the engine is alive while the adapter is active.
            unsafe { engine::shutdown_with_error(self.target.engine, &error) }
        })
    }
}

/// A bridge push batch, destroyed (and so flushed) on drop; none (a null
/// handle) for a managed sim adapter, which ticks each push at once.
struct Batch(ffi::CCspPushBatchHandle);

impl Batch {
    fn new(adapter: AdapterHandle) -> Result<Self> {
        let AdapterHandle::Push(adapter) = adapter else {
            return Ok(Self(std::ptr::null_mut()));
        };
        // SAFETY: the adapter is started and alive (checked by the caller).
        let handle = unsafe { ffi::ccsp_push_batch_new(adapter) };
        if handle.is_null() {
            Error::check(ffi::CCSP_ERROR_OUT_OF_MEMORY)?;
        }
        Ok(Self(handle))
    }

    fn flush(&self) -> Result<()> {
        if self.0.is_null() {
            return Ok(());
        }
        // SAFETY: the batch is live.
        Error::check(unsafe { ffi::ccsp_push_batch_flush(self.0) })
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the batch is live and dropped once.
            unsafe { ffi::ccsp_push_batch_destroy(self.0) };
        }
    }
}

/// What the engine-owned bridge object keeps as `user_data`.
struct InputShim<A: PushInputAdapter> {
    adapter: A,
    name: String,
    target: Option<Arc<PushTarget>>,
}

impl<A: PushInputAdapter> UserData for InputShim<A> {
    fn name(&self) -> &str {
        &self.name
    }
}

/// Wraps `adapter` in a single-use `csp.c.InputAdapterCapsule` for
/// `_c_api_push_input_adapter`.
pub fn push_input_adapter_capsule<A: PushInputAdapter>(
    py: Python<'_>,
    adapter: A,
) -> PyResult<Bound<'_, PyAny>> {
    let name = guard::name_of("push input adapter", || adapter.name().to_owned())?;
    let user_data = into_user_data(InputShim {
        adapter,
        name,
        target: None,
    });
    let vtable = ffi::CCspPushInputAdapterVTable {
        abi_version: ffi::CCSP_ABI_VERSION,
        struct_size: size_of::<ffi::CCspPushInputAdapterVTable>() as u32,
        user_data,
        start: Some(input_start::<A>),
        stop: Some(input_stop::<A>),
        destroy: Some(release_user_data::<InputShim<A>>),
        value_type: <A::Value as PushValue>::TYPE.to_raw(),
        start_managed_sim: Some(input_start_sim::<A>),
    };
    // SAFETY: the vtable is fully initialised; on success the capsule owns
    // user_data and destroys it exactly once (itself, or via the adapter).
    unsafe {
        let capsule = ffi::ccsp_push_input_adapter_capsule_new(&vtable);
        capsule_or_release(py, capsule, user_data, release_user_data::<InputShim<A>>)
    }
}

impl<A: PushInputAdapter> Drop for InputShim<A> {
    /// However the engine ends, no push reaches a destroyed adapter.
    fn drop(&mut self) {
        if let Some(target) = &self.target {
            target.deactivate();
        }
    }
}

unsafe extern "C" fn input_start<A: PushInputAdapter>(
    user_data: *mut c_void,
    engine: ffi::CCspEngineHandle,
    adapter: ffi::CCspPushInputAdapterHandle,
    start: ffi::CCspDateTime,
    end: ffi::CCspDateTime,
) -> ffi::CCspErrorCode {
    // SAFETY: the bridge passes back the user_data it got from us.
    let shim = unsafe { user_data_mut::<InputShim<A>>(user_data) };
    // SAFETY: the adapter handle is live during start.
    unsafe { shim.start(engine, AdapterHandle::Push(adapter), start, end) }
}

unsafe extern "C" fn input_start_sim<A: PushInputAdapter>(
    user_data: *mut c_void,
    engine: ffi::CCspEngineHandle,
    adapter: ffi::CCspManagedSimInputAdapterHandle,
    start: ffi::CCspDateTime,
    end: ffi::CCspDateTime,
) -> ffi::CCspErrorCode {
    // SAFETY: the bridge passes back the user_data it got from us.
    let shim = unsafe { user_data_mut::<InputShim<A>>(user_data) };
    // SAFETY: the adapter handle is live during start.
    unsafe { shim.start(engine, AdapterHandle::Sim(adapter), start, end) }
}

impl<A: PushInputAdapter> InputShim<A> {
    /// # Safety
    /// `engine` and `adapter` must be live, during the adapter's start.
    unsafe fn start(
        &mut self,
        engine: ffi::CCspEngineHandle,
        adapter: AdapterHandle,
        start: ffi::CCspDateTime,
        end: ffi::CCspDateTime,
    ) -> ffi::CCspErrorCode {
        let context = format!("{} start", self.name);
        guard::call(&context, || {
            // SAFETY: the adapter handle is live during start.
            let graph_type = unsafe { adapter.value_type() };
            let pushed_type = <A::Value as PushValue>::TYPE;
            if graph_type != pushed_type {
                return Err(Error::type_mismatch(format!(
                    "{} pushes {pushed_type} but the graph declared its time series as ts[{graph_type}]",
                    self.name
                )));
            }
            // SAFETY: the adapter handle is live during start.
            let binding = unsafe { <A::Value as PushValue>::bind(adapter) }
                .map_err(|error| error.context(&self.name))?;
            let non_collapsing = match adapter {
                // SAFETY: the adapter handle is live during start.
                AdapterHandle::Push(push) => unsafe {
                    ffi::ccsp_push_input_adapter_is_non_collapsing(push)
                },
                AdapterHandle::Sim(_) => false,
            };
            let target = Arc::new(PushTarget {
                name: self.name.clone(),
                adapter,
                engine_thread: current_thread(),
                binding,
                engine,
                non_collapsing,
                gate: Gate::default(),
                linked: Mutex::new(Some(Vec::new())),
            });
            self.target = Some(Arc::clone(&target));
            let pusher = Pusher {
                target,
                _value: PhantomData,
            };
            self.adapter.start(
                pusher,
                DateTime::from_nanos(start),
                DateTime::from_nanos(end),
            )
        })
    }
}

unsafe extern "C" fn input_stop<A: PushInputAdapter>(user_data: *mut c_void) -> ffi::CCspErrorCode {
    // SAFETY: the bridge passes back the user_data it got from us.
    let shim = unsafe { user_data_mut::<InputShim<A>>(user_data) };
    let context = format!("{} stop", shim.name);
    guard::call(&context, || {
        if let Some(target) = shim.target.take() {
            target.deactivate();
        }
        shim.adapter.stop()
    })
}

/// An identity of the calling thread, unique among live threads: the
/// address of a thread-local (cheaper than `std::thread::current()`, which
/// counts a reference).
#[inline]
fn current_thread() -> usize {
    thread_local! {
        static MARKER: u8 = const { 0 };
    }
    MARKER.with(|marker| std::ptr::from_ref(marker) as usize)
}

pub(crate) fn short_type_name<T: ?Sized>() -> &'static str {
    let full = type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}

impl<T: PushValue + ?Sized + 'static> Pusher<T> {
    /// Runs `body` on a new named thread. If `body` returns an error or
    /// panics while the graph is still running, the engine shuts down with
    /// that error and `csp.run` raises it.
    pub fn spawn<F>(self, thread_name: &str, body: F) -> Result<std::thread::JoinHandle<()>>
    where
        F: FnOnce(&Pusher<T>) -> Result<()> + Send + 'static,
    {
        let handle = std::thread::Builder::new()
            .name(thread_name.to_owned())
            .spawn(move || {
                if let Some(error) = guard::thread_failure("push thread", || body(&self)) {
                    // Err here means the graph already stopped: nobody to tell.
                    let _ = self.fail(&error);
                }
            })?;
        Ok(handle)
    }
}
