//! Rust objects handed to the bridge as `user_data`, and the capsules that
//! own them until an engine-owned adapter takes over.

use std::ffi::c_void;
use std::sync::atomic::{AtomicU64, Ordering};

use pyo3::prelude::*;

use super::guard;

static CREATED: AtomicU64 = AtomicU64::new(0);
static RELEASED: AtomicU64 = AtomicU64::new(0);

/// How many adapter and manager objects were handed to the bridge so far, and
/// how many of them were released: equal whenever no engine or capsule is alive.
pub fn object_counts() -> (u64, u64) {
    (
        CREATED.load(Ordering::SeqCst),
        RELEASED.load(Ordering::SeqCst),
    )
}

/// An object the engine owns through a VTable's `user_data`.
pub(crate) trait UserData {
    /// The adapter's or manager's name, for error messages.
    fn name(&self) -> &str;
}

/// Moves `value` to the heap; release it with [`release_user_data::<T>`].
pub(crate) fn into_user_data<T: UserData>(value: T) -> *mut c_void {
    CREATED.fetch_add(1, Ordering::SeqCst);
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
pub(crate) unsafe extern "C" fn release_user_data<T: UserData>(user_data: *mut c_void) {
    RELEASED.fetch_add(1, Ordering::SeqCst);
    // SAFETY: guaranteed by the caller.
    let object = unsafe { Box::from_raw(user_data.cast::<T>()) };
    let context = format!("{} destroy", object.name());
    guard::call_infallible(&context, || drop(object));
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
