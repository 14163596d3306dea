//! A safe Rust layer over the bundled csp C ABI (`cpp/csp_c_api.h`), and the
//! C++ bridge that implements that ABI on csp's engine (built by `build.rs`).
//!
//! Plumbing: implement [`PushInputAdapter`], [`OutputAdapter`] and
//! [`AdapterManager`] in the extension crate and turn them into capsules with
//! the `*_capsule` functions; you should not need to edit anything here.
//! Every callback the engine makes into Rust is guarded: an `Err` or a panic
//! becomes a Python exception raised from `csp.run`, never an abort.

#[cfg(feature = "testing")]
mod bench;
#[cfg(feature = "testing")]
mod bench_records;
mod engine;
mod error;
mod feed;
#[allow(dead_code)] // raw bindings mirror the whole header
mod ffi;
mod gate;
mod guard;
mod input;
mod link;
#[cfg(feature = "testing")]
mod lockstep;
mod manager;
mod outbox;
mod output;
mod record;
#[cfg(feature = "testing")]
mod scripted;
#[cfg(feature = "testing")]
mod silent;
mod sim_replay;
#[cfg(feature = "testing")]
mod source_manager;
#[cfg(feature = "testing")]
mod testing;
mod user_data;
mod value;

#[doc(hidden)]
pub use adapter_core as __core;
pub use adapter_core::{DateTime, TimeDelta};
pub use engine::Engine;
pub use error::{Error, ErrorKind, Result};
pub use feed::{
    DEFAULT_MAX_IN_FLIGHT, Feed, FeedOptions, FeedValue, History, InFlight, STATUS_FEED_ENDED,
    STATUS_FEED_FAILED, STATUS_REPLAY_COMPLETE, Subscriptions,
};
pub use input::{PushInputAdapter, Pusher, push_input_adapter_capsule};
pub use link::{ManagerLink, PushBatch, StatusLevel};
pub use manager::{AdapterManager, adapter_manager_capsule};
pub use output::{OutputAdapter, output_adapter_capsule};
pub use record::{Record, StructField};
#[doc(hidden)]
pub use record::{StructBinding, StructReader, StructWriter};
pub use user_data::object_counts;
pub use value::{PushValue, TickValue, ValueType};

use pyo3::prelude::*;

/// Adds `_native.testing` (the fault injection and benchmark adapters of
/// the generated tests and `make bench`) when built with the `testing`
/// feature (`CSP_ADAPTER_TESTING=1`); otherwise adds nothing.
pub fn add_testing_module(module: &Bound<'_, PyModule>) -> PyResult<()> {
    #[cfg(feature = "testing")]
    return testing::add_testing_module(module);
    #[cfg(not(feature = "testing"))]
    {
        let _ = module;
        Ok(())
    }
}

/// The csp version whose headers the bridge was compiled against.
pub const CSP_BUILD_VERSION: &str = env!("CSP_BUILD_VERSION");

/// Adds `_c_api_push_input_adapter`, `_c_api_output_adapter` and
/// `_c_api_adapter_manager_bridge` to the extension module.
pub fn register_bridge_functions(module: &Bound<'_, PyModule>) -> PyResult<()> {
    // SAFETY: the module is a live module object and we hold the GIL.
    let status = unsafe { ffi::ccsp_register_bridge_functions(module.as_ptr().cast()) };
    if status == 0 {
        Ok(())
    } else {
        Err(PyErr::fetch(module.py()))
    }
}
