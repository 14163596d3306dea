//! The JSON decoding of WebSocket messages (`src/messages.rs`, as it is) with
//! the adapter's input values: any text gives events or an error, never a
//! panic.

#![no_main]

#[path = "../adapter.rs"]
mod adapter;
#[allow(dead_code)]
#[path = "../../src/messages.rs"]
mod messages;

// `src/messages.rs` finds these at the crate's root, as in the adapter.
use adapter::{input_adapter, output_adapter, record};

use adapter_core::DateTime;
use adapter_core::websocket::Codec;
use libfuzzer_sys::fuzz_target;
use messages::JsonMessages;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut events = 0_usize;
    let _ = JsonMessages.decode(text, DateTime::from_nanos(0), &mut |_| events += 1);
});
