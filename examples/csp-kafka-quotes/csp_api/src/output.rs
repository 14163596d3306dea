//! Output adapters: Rust code consuming a csp time series on the engine thread.

use std::ffi::c_void;
use std::mem::size_of;

use pyo3::prelude::*;

use super::engine::Engine;
use super::error::Result;
use super::ffi;
use super::guard;
use super::input::short_type_name;
use super::record::StructBinding;
use super::user_data::{
    UserData, capsule_or_release, into_user_data, release_user_data, user_data_mut,
};
use super::value::TickValue;
use adapter_core::DateTime;

/// An output adapter: csp calls `on_tick` on the engine thread each time its
/// input ticks, with the new value.
pub trait OutputAdapter: Send + 'static {
    /// The value type it reads (`bool`, `i64`, `f64`, `&'a str`, `DateTime`, `TimeDelta`,
    /// or a [`Record`](crate::Record)).
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
    name: String,
    execute_context: String,
    /// A record's fields, looked up at the first tick.
    binding: StructBinding,
}

impl<A: OutputAdapter> UserData for OutputShim<A> {
    fn name(&self) -> &str {
        &self.name
    }
}

/// Wraps `adapter` in a single-use `csp.c.OutputAdapterCapsule` for
/// `_c_api_output_adapter`.
pub fn output_adapter_capsule<A: OutputAdapter>(
    py: Python<'_>,
    adapter: A,
) -> PyResult<Bound<'_, PyAny>> {
    let name = guard::name_of("output adapter", || adapter.name().to_owned())?;
    let execute_context = format!("{name} on_tick");
    let user_data = into_user_data(OutputShim {
        adapter,
        name,
        execute_context,
        binding: StructBinding::default(),
    });
    let vtable = ffi::CCspOutputAdapterVTable {
        abi_version: ffi::CCSP_ABI_VERSION,
        struct_size: size_of::<ffi::CCspOutputAdapterVTable>() as u32,
        user_data,
        start: Some(output_start::<A>),
        stop: Some(output_stop::<A>),
        execute: Some(output_execute::<A>),
        destroy: Some(release_user_data::<OutputShim<A>>),
    };
    // SAFETY: the vtable is fully initialised; on success the capsule owns user_data.
    unsafe {
        let capsule = ffi::ccsp_output_adapter_capsule_new(&vtable);
        capsule_or_release(py, capsule, user_data, release_user_data::<OutputShim<A>>)
    }
}

unsafe extern "C" fn output_start<A: OutputAdapter>(
    user_data: *mut c_void,
    engine: ffi::CCspEngineHandle,
    start: ffi::CCspDateTime,
    end: ffi::CCspDateTime,
) -> ffi::CCspErrorCode {
    // SAFETY: the bridge passes back the user_data it got from us.
    let shim = unsafe { user_data_mut::<OutputShim<A>>(user_data) };
    let context = format!("{} start", shim.name);
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
    let shim = unsafe { user_data_mut::<OutputShim<A>>(user_data) };
    guard::call(&shim.execute_context, || {
        // SAFETY: `input` is the live input of this execute call.
        let value = unsafe { <A::Value<'_> as TickValue<'_>>::read_raw(input, &mut shim.binding) }?;
        shim.adapter.on_tick(value, Engine::new(engine))
    })
}

unsafe extern "C" fn output_stop<A: OutputAdapter>(user_data: *mut c_void) -> ffi::CCspErrorCode {
    // SAFETY: the bridge passes back the user_data it got from us.
    let shim = unsafe { user_data_mut::<OutputShim<A>>(user_data) };
    let context = format!("{} stop", shim.name);
    guard::call(&context, || shim.adapter.stop())
}
