//! Adapter managers: one per graph, started before its adapters.

use std::ffi::{CString, c_char, c_void};
use std::mem::size_of;
use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::engine::Engine;
use super::error::{Error, Result};
use super::ffi;
use super::guard;
use super::link::{LinkTarget, ManagerLink};
use super::user_data::{
    UserData, capsule_or_release, into_user_data, release_user_data, user_data_mut,
};
use adapter_core::DateTime;

/// An adapter manager: owns what its adapters share (connections, sessions,
/// counters). csp starts it before any adapter and stops it after them.
pub trait AdapterManager: Send + 'static {
    /// The manager's name, as csp reports it.
    fn name(&self) -> &str;

    /// Called before any adapter starts. `link` reports statuses, makes push
    /// batches and stops the engine with an error, from any thread, until
    /// `stop`: keep a clone for your threads.
    fn start(
        &mut self,
        _engine: Engine<'_>,
        _link: ManagerLink,
        _start: DateTime,
        _end: DateTime,
    ) -> Result<()> {
        Ok(())
    }

    /// Called after every adapter stopped. By then `link` refuses to act.
    fn stop(&mut self) -> Result<()> {
        Ok(())
    }

    /// In a simulation (`csp.run(realtime=False)`) only (csp's call in a
    /// realtime run never reaches it): push every event at `time` through
    /// the adapters' pushers (they tick at `time`) and return the time of the
    /// next event, or `None` when there is none. The first call is at the
    /// run's start time. An `Err` or a panic stops the run: `csp.run` raises it.
    fn process_next_sim_time_slice(&mut self, _time: DateTime) -> Result<Option<DateTime>> {
        Ok(None)
    }
}

struct ManagerShim<M: AdapterManager> {
    manager: M,
    name: CString,
    /// What a failing time slice is called (made once: slices are many).
    slice_context: String,
    /// The engine-owned manager, from `bind`.
    handle: ffi::CCspAdapterManagerHandle,
    link: Option<Arc<LinkTarget>>,
}

impl<M: AdapterManager> ManagerShim<M> {
    fn close_link(&mut self) {
        if let Some(link) = self.link.take() {
            link.close();
        }
    }
}

impl<M: AdapterManager> Drop for ManagerShim<M> {
    /// However the engine ends, no link reaches a destroyed manager.
    fn drop(&mut self) {
        self.close_link();
    }
}

impl<M: AdapterManager> UserData for ManagerShim<M> {
    fn name(&self) -> &str {
        self.name.to_str().unwrap_or("adapter manager")
    }
}

/// Wraps `manager` in a single-use `csp.c.AdapterManagerCapsule` for
/// `_c_api_adapter_manager_bridge`.
pub fn adapter_manager_capsule<M: AdapterManager>(
    py: Python<'_>,
    manager: M,
) -> PyResult<Bound<'_, PyAny>> {
    let name = guard::name_of("adapter manager", || manager.name().to_owned())?;
    let name = CString::new(name)
        .map_err(|_| PyValueError::new_err("an adapter manager name must not contain NUL"))?;
    let slice_context = format!("{} process_next_sim_time_slice", name.to_string_lossy());
    let user_data = into_user_data(ManagerShim {
        manager,
        name,
        slice_context,
        handle: std::ptr::null_mut(),
        link: None,
    });
    let vtable = ffi::CCspAdapterManagerVTable {
        abi_version: ffi::CCSP_ABI_VERSION,
        struct_size: size_of::<ffi::CCspAdapterManagerVTable>() as u32,
        user_data,
        name: Some(manager_name::<M>),
        process_next_sim_time_slice: Some(manager_sim_time_slice::<M>),
        start: Some(manager_start::<M>),
        stop: Some(manager_stop::<M>),
        destroy: Some(release_user_data::<ManagerShim<M>>),
        bind: Some(manager_bind::<M>),
    };
    // SAFETY: the vtable is fully initialised; on success the capsule owns user_data.
    unsafe {
        let capsule = ffi::ccsp_adapter_manager_capsule_new(&vtable);
        capsule_or_release(py, capsule, user_data, release_user_data::<ManagerShim<M>>)
    }
}

unsafe extern "C" fn manager_name<M: AdapterManager>(user_data: *mut c_void) -> *const c_char {
    // SAFETY: the bridge passes back the user_data it got from us; the name
    // lives as long as the shim.
    unsafe { user_data_mut::<ManagerShim<M>>(user_data) }
        .name
        .as_ptr()
}

unsafe extern "C" fn manager_sim_time_slice<M: AdapterManager>(
    user_data: *mut c_void,
    time: ffi::CCspDateTime,
) -> ffi::CCspDateTime {
    // SAFETY: the bridge passes back the user_data it got from us.
    let shim = unsafe { user_data_mut::<ManagerShim<M>>(user_data) };
    // csp asks a realtime run's manager for a time slice too (once, at the
    // start time): not the manager's business.
    if shim.link.as_ref().is_none_or(|link| link.is_realtime()) {
        return ffi::CCSP_DATETIME_NONE;
    }
    let mut next = None;
    // On failure the bridge finds the last error set and raises it.
    guard::call(&shim.slice_context, || {
        next = shim
            .manager
            .process_next_sim_time_slice(DateTime::from_nanos(time))?;
        Ok(())
    });
    next.map_or(ffi::CCSP_DATETIME_NONE, DateTime::as_nanos)
}

unsafe extern "C" fn manager_bind<M: AdapterManager>(
    user_data: *mut c_void,
    manager: ffi::CCspAdapterManagerHandle,
) {
    // SAFETY: the bridge passes back the user_data it got from us.
    unsafe { user_data_mut::<ManagerShim<M>>(user_data) }.handle = manager;
}

unsafe extern "C" fn manager_start<M: AdapterManager>(
    user_data: *mut c_void,
    engine: ffi::CCspEngineHandle,
    start: ffi::CCspDateTime,
    end: ffi::CCspDateTime,
) -> ffi::CCspErrorCode {
    // SAFETY: the bridge passes back the user_data it got from us.
    let shim = unsafe { user_data_mut::<ManagerShim<M>>(user_data) };
    let context = format!("{} start", shim.name.to_string_lossy());
    guard::call(&context, || {
        if shim.handle.is_null() {
            return Err(Error::runtime(format!(
                "{} was started without its manager handle: the bridge predates status reports",
                shim.name.to_string_lossy()
            )));
        }
        let target = Arc::new(LinkTarget::new(
            shim.name.to_string_lossy().into_owned(),
            shim.handle,
            engine,
        ));
        shim.link = Some(Arc::clone(&target));
        shim.manager.start(
            Engine::new(engine),
            ManagerLink::new(target),
            DateTime::from_nanos(start),
            DateTime::from_nanos(end),
        )
    })
}

unsafe extern "C" fn manager_stop<M: AdapterManager>(user_data: *mut c_void) -> ffi::CCspErrorCode {
    // SAFETY: the bridge passes back the user_data it got from us.
    let shim = unsafe { user_data_mut::<ManagerShim<M>>(user_data) };
    let context = format!("{} stop", shim.name.to_string_lossy());
    guard::call(&context, || {
        shim.close_link();
        shim.manager.stop()
    })
}
