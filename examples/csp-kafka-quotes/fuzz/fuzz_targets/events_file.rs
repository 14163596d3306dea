//! The events-file reader (`core/src/events.rs`) with the adapter's input
//! values: any bytes give events or an error, never a panic or a hang.

#![no_main]

#[path = "../adapter.rs"]
mod adapter;

use adapter::input_adapter::InputValue;
use adapter_core::EventsReader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) = EventsReader::<InputValue, &[u8]>::new("fuzz input".to_owned(), data)
    else {
        return;
    };
    while let Ok(Some(_)) = reader.next_event() {}
});
