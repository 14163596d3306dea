//! Rust objects handed to the bridge as `user_data`, and the capsules that
//! own them until an engine-owned adapter takes over.

use std::ffi::c_void;

use pyo3::prelude::*;

use super::guard;

/// Moves `value` to the heap; release it with [`release_user_data::<T>`].
pub(crate) fn into_user_data<T>(value: T) -> *mut c_void {
    Box::into_raw(Box::new(value)).cast()
}

/// # Safety
/// `user_data` must come from `into_user_data::<T>` and not be released;
/// the engine calls back on one thread at a time, so the borrow is unique.
pub(crate) unsafe fn user_data_mut<'a, T>(user_data: *mut c_void) -> &'a mut T {
    // SAFETY: guaranteed by the caller.
    unsafe { &mut *user_data.cast::<T>() }
}

/// The VTables' `destroy`: drops the object, reporting (not unwinding) a panic.
///
/// # Safety
/// Called exactly once, with a pointer from `into_user_data::<T>`.
pub(crate) unsafe extern "C" fn release_user_data<T>(user_data: *mut c_void) {
    guard::call_infallible(std::any::type_name::<T>(), || {
        // SAFETY: guaranteed by the caller.
        drop(unsafe { Box::from_raw(user_data.cast::<T>()) });
    });
}

/// Wraps the bridge's answer to a `ccsp_*_capsule_new` call: the new capsule,
/// or the Python error, after releasing the `user_data` no capsule owns.
///
/// # Safety
/// `capsule` is what the bridge returned for a VTable carrying `user_data`,
/// which `release` frees.
pub(crate) unsafe fn capsule_or_release<'py>(
    py: Python<'py>,
    capsule: *mut c_void,
    user_data: *mut c_void,
    release: unsafe extern "C" fn(*mut c_void),
) -> PyResult<Bound<'py, PyAny>> {
    if capsule.is_null() {
        // SAFETY: the bridge did not take ownership of user_data.
        unsafe { release(user_data) };
        return Err(PyErr::fetch(py));
    }
    // SAFETY: the bridge returned a new reference to a capsule.
    Ok(unsafe { Bound::from_owned_ptr(py, capsule.cast()) })
}
