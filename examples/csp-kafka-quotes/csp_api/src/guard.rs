//! Runs Rust callbacks for the engine so that neither a panic nor an error
//! crosses the C ABI: both become an error code plus a last-error message.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use super::error::{Error, ErrorKind, Result};
use super::ffi;

/// Runs `f` on behalf of `context` (for example "AcmeInputAdapter start").
/// Inlined into each callback, with the failure path kept out of line: it
/// runs on every tick of an output adapter.
#[inline]
pub(crate) fn call(context: &str, f: impl FnOnce() -> Result<()>) -> ffi::CCspErrorCode {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => ffi::CCSP_OK,
        outcome => failed(context, outcome),
    }
}

// Takes the whole outcome (success included, though `call` handles that):
// moving it unchanged keeps the inlined `call` shortest (measured).
#[cold]
#[inline(never)]
fn failed(context: &str, outcome: std::thread::Result<Result<()>>) -> ffi::CCspErrorCode {
    match outcome {
        Ok(Ok(())) => ffi::CCSP_OK,
        Ok(Err(error)) => report(&error.context(context)),
        Err(payload) => report(&Error::runtime(format!(
            "{context} panicked: {}",
            panic_message(payload.as_ref())
        ))),
    }
}

/// Runs `f` where no error can be returned (destroy, after `csp.run` has
/// returned): a panic is reported to `sys.unraisablehook`, as Python does
/// for exceptions in destructors.
pub(crate) fn call_infallible(context: &str, f: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        let message = format!("{context} panicked: {}", panic_message(payload.as_ref()));
        // Reporting must not unwind either.
        let reported = catch_unwind(AssertUnwindSafe(|| {
            Python::attach(|py| {
                PyRuntimeError::new_err(message.clone()).write_unraisable(py, None)
            });
        }));
        if reported.is_err() {
            eprintln!("{message}");
        }
    }
}

/// Asks an adapter or manager for its name when its capsule is made: a panic
/// becomes a Python `RuntimeError` raised where the graph is built.
pub(crate) fn name_of(kind: &str, name: impl FnOnce() -> String) -> PyResult<String> {
    catch_unwind(AssertUnwindSafe(name)).map_err(|payload| {
        PyRuntimeError::new_err(format!(
            "{kind} name() panicked: {}",
            panic_message(payload.as_ref())
        ))
    })
}

pub(crate) fn report(error: &Error) -> ffi::CCspErrorCode {
    let message = error.message();
    // SAFETY: pointer and length describe a live UTF-8 buffer; the bridge copies it.
    unsafe { ffi::ccsp_set_last_error(error.code(), message.as_ptr().cast(), message.len()) };
    error.code()
}

/// The error a thread of ours is to raise from `csp.run` once `body` has run:
/// none when it returned `Ok` or stopped because the graph did; an `Err`
/// keeps its kind, with `<thread> failed: ` in front; a panic is a runtime
/// error, `<thread> panicked: ...`.
pub(crate) fn thread_failure(thread: &str, body: impl FnOnce() -> Result<()>) -> Option<Error> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => None,
        Ok(Err(error)) if error.kind() == ErrorKind::Stopped => None,
        Ok(Err(error)) => Some(error.context(format!("{thread} failed"))),
        Err(payload) => Some(Error::runtime(format!(
            "{thread} panicked: {}",
            panic_message(payload.as_ref())
        ))),
    }
}

pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}
