//! Output adapters: Rust code consuming a csp time series on the engine thread.

use std::ffi::c_void;
use std::mem::size_of;

use pyo3::prelude::*;

use super::engine::Engine;
use super::error::Result;
use super::ffi;
use super::guard;
use super::input::short_type_name;
use super::value::TickValue;
use adapter_core::DateTime;

/// An output adapter: csp calls `on_tick` on the engine thread each time its
/// input ticks, with the new value.
pub trait OutputAdapter: Send + 'static {
    /// The value type it reads (`bool`, `i64`, `f64`, `&'a str`, `DateTime`, `TimeDelta`).
    type Value<'a>: TickValue<'a>;

    /// The name used in error messages.
    fn name(&self) -> &str {
        short_type_name::<Self>()
    }

    fn start(&mut self, _engine: Engine<'_>, _start: DateTime, _end: DateTime) -> Result<()> {
        Ok(())
    }

    /// Handles one tick. An `Err` stops the graph: `csp.run` raises it.
    fn on_tick(&mut self, value: Self::Value<'_>, engine: Engine<'_>) -> Result<()>;

    fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

struct OutputShim<A: OutputAdapter> {
    adapter: A,
    execute_context: String,
}

/// Wraps `adapter` in a single-use `csp.c.OutputAdapterCapsule` for
/// `_c_api_output_adapter`.
pub fn output_adapter_capsule<A: OutputAdapter>(
    py: Python<'_>,
    adapter: A,
) -> PyResult<Bound<'_, PyAny>> {
    let execute_context = format!("{} on_tick", adapter.name());
    let user_data = Box::into_raw(Box::new(OutputShim {
        adapter,
        execute_context,
    }))
    .cast::<c_void>();
    let vtable = ffi::CCspOutputAdapterVTable {
        abi_version: ffi::CCSP_ABI_VERSION,
        struct_size: size_of::<ffi::CCspOutputAdapterVTable>() as u32,
        user_data,
        start: Some(output_start::<A>),
        stop: Some(output_stop::<A>),
        execute: Some(output_execute::<A>),
        destroy: Some(output_destroy::<A>),
    };
    // SAFETY: the vtable is fully initialised; on success the capsule owns user_data.
    let capsule = unsafe { ffi::ccsp_output_adapter_capsule_new(&vtable) };
    if capsule.is_null() {
        // SAFETY: the bridge did not take ownership.
        unsafe { output_destroy::<A>(user_data) };
        return Err(PyErr::fetch(py));
    }
    // SAFETY: the bridge returned a new reference to a capsule.
    Ok(unsafe { Bound::from_owned_ptr(py, capsule.cast()) })
}

/// # Safety
/// `user_data` must come from `output_adapter_capsule::<A>`.
unsafe fn shim<'a, A: OutputAdapter>(user_data: *mut c_void) -> &'a mut OutputShim<A> {
    // SAFETY: guaranteed by the caller; the engine calls back from one thread.
    unsafe { &mut *user_data.cast::<OutputShim<A>>() }
}

unsafe extern "C" fn output_start<A: OutputAdapter>(
    user_data: *mut c_void,
    engine: ffi::CCspEngineHandle,
    start: ffi::CCspDateTime,
    end: ffi::CCspDateTime,
) -> ffi::CCspErrorCode {
    // SAFETY: the bridge passes back the user_data it got from us.
    let shim = unsafe { shim::<A>(user_data) };
    let context = format!("{} start", shim.adapter.name());
    guard::call(&context, || {
        shim.adapter.start(
            Engine::new(engine),
            DateTime::from_nanos(start),
            DateTime::from_nanos(end),
        )
    })
}

unsafe extern "C" fn output_execute<A: OutputAdapter>(
    user_data: *mut c_void,
    engine: ffi::CCspEngineHandle,
    input: ffi::CCspInputHandle,
) -> ffi::CCspErrorCode {
    // SAFETY: the bridge passes back the user_data it got from us.
    let shim = unsafe { shim::<A>(user_data) };
    guard::call(&shim.execute_context, || {
        // SAFETY: `input` is the live input of this execute call.
        let value = unsafe { <A::Value<'_> as TickValue<'_>>::read_raw(input) }?;
        shim.adapter.on_tick(value, Engine::new(engine))
    })
}

unsafe extern "C" fn output_stop<A: OutputAdapter>(user_data: *mut c_void) -> ffi::CCspErrorCode {
    // SAFETY: the bridge passes back the user_data it got from us.
    let shim = unsafe { shim::<A>(user_data) };
    let context = format!("{} stop", shim.adapter.name());
    guard::call(&context, || shim.adapter.stop())
}

unsafe extern "C" fn output_destroy<A: OutputAdapter>(user_data: *mut c_void) {
    guard::call_infallible("output adapter destroy", || {
        // SAFETY: called exactly once with the pointer from Box::into_raw.
        drop(unsafe { Box::from_raw(user_data.cast::<OutputShim<A>>()) });
    });
}
