//! The running csp engine, as adapters see it during a callback.

use std::fmt;
use std::marker::PhantomData;

use super::error::{Error, Result};
use super::ffi;
use adapter_core::DateTime;

/// A handle on the engine, valid during the callback that received it.
///
/// It is neither `Send` nor storable past the callback: from your own
/// threads, use [`Pusher::shutdown_engine`](super::Pusher::shutdown_engine).
#[derive(Clone, Copy)]
pub struct Engine<'a> {
    handle: ffi::CCspEngineHandle,
    _callback: PhantomData<&'a ()>,
}

impl Engine<'_> {
    pub(crate) fn new(handle: ffi::CCspEngineHandle) -> Self {
        Self {
            handle,
            _callback: PhantomData,
        }
    }

    /// The engine's current time.
    pub fn now(&self) -> DateTime {
        // SAFETY: the handle is live for the duration of the callback.
        DateTime::from_nanos(unsafe { ffi::ccsp_engine_now(self.handle) })
    }

    /// Whether the run is realtime (`csp.run(realtime=True)`); false in a
    /// simulation, where adapters tick from the manager's
    /// [`process_next_sim_time_slice`](super::AdapterManager::process_next_sim_time_slice).
    pub fn is_realtime(&self) -> bool {
        // SAFETY: the handle is live for the duration of the callback.
        unsafe { ffi::ccsp_engine_is_realtime(self.handle) }
    }

    /// Asks the engine to stop after the current cycle; `csp.run` returns normally.
    pub fn shutdown(&self) -> Result<()> {
        // SAFETY: the handle is live for the duration of the callback.
        Error::check(unsafe { ffi::ccsp_engine_shutdown(self.handle) })
    }

    /// Stops the engine with an error: `csp.run` raises `RuntimeError(message)`.
    pub fn shutdown_with_error(&self, message: impl fmt::Display) -> Result<()> {
        self.fail(&Error::runtime(message.to_string()))
    }

    /// Stops the engine with `error`: `csp.run` raises it as the Python
    /// exception of its kind.
    pub fn fail(&self, error: &Error) -> Result<()> {
        // SAFETY: the handle is live for the duration of the callback.
        unsafe { shutdown_with_error(self.handle, error) }
    }
}

/// # Safety
/// `engine` must be a live engine handle.
pub(crate) unsafe fn shutdown_with_error(
    engine: ffi::CCspEngineHandle,
    error: &Error,
) -> Result<()> {
    let message = error.message();
    // SAFETY: the caller guarantees the handle; the bridge copies the message.
    Error::check(unsafe {
        ffi::ccsp_engine_shutdown_with_error_code(
            engine,
            error.code(),
            message.as_ptr().cast(),
            message.len(),
        )
    })
}
