//! The Parquet reader (`core/src/parquet/`) with the adapter's input values
//! and the default columns: any file gives events or an error. The bytes are
//! written to a file of their own, as the reader reads paths. A damaged file
//! can make the parquet crate panic: the reader catches that and reports the
//! file as damaged, so here a panic counts as a crash only outside the
//! parquet and arrow crates.

#![no_main]

#[path = "../adapter.rs"]
mod adapter;

use std::sync::OnceLock;

use adapter::input_adapter::InputValue;
use adapter_core::Source;
use adapter_core::parquet::{ParquetFile, ParquetOptions};
use libfuzzer_sys::fuzz_target;

/// This process's file for the inputs.
fn path() -> &'static std::path::Path {
    static PATH: OnceLock<std::path::PathBuf> = OnceLock::new();
    PATH.get_or_init(|| std::env::temp_dir().join(format!("fuzz-{}.parquet", std::process::id())))
}

/// Lets a panic of the parquet or arrow crates unwind (the reader catches
/// it); any other aborts, as libFuzzer's own hook does.
fn abort_outside_parquet() {
    let abort = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |panic| {
        let file = panic.location().map(|at| at.file()).unwrap_or_default();
        if !(file.contains("/parquet-") || file.contains("/arrow-")) {
            abort(panic);
        }
    }));
}

fuzz_target!(init: abort_outside_parquet(), |data: &[u8]| {
    if std::fs::write(path(), data).is_err() {
        return;
    }
    let options = ParquetOptions::new::<InputValue>(vec![path().to_path_buf()]);
    let Ok(mut file) = ParquetFile::<InputValue>::open(options) else {
        return;
    };
    let mut batch = Vec::new();
    while let Ok(true) = file.next_batch(&mut batch) {
        batch.clear();
    }
});
