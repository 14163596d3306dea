//! The JSON decoding of Kafka records (`src/messages.rs`, as it is) with
//! the adapter's input values: any text gives events or an error, never a
//! panic. The input is the record key, a 0xFF byte, then the value (no 0xFF: no key).

#![no_main]

#[path = "../adapter.rs"]
mod adapter;
#[allow(dead_code)]
#[path = "../../src/messages.rs"]
mod messages;

// `src/messages.rs` finds these at the crate's root, as in the adapter.
use adapter::{input_adapter, output_adapter, record};

use adapter_core::DateTime;
use adapter_core::kafka::KafkaCodec;
use libfuzzer_sys::fuzz_target;
use messages::JsonMessages;

fuzz_target!(|data: &[u8]| {
    let (key, value) = match data.iter().position(|&byte| byte == 0xFF) {
        Some(at) => (std::str::from_utf8(&data[..at]).ok(), &data[at + 1..]),
        None => (None, data),
    };
    let Ok(text) = std::str::from_utf8(value) else {
        return;
    };
    let mut events = 0_usize;
    let _ = JsonMessages.decode(key, text, DateTime::from_nanos(0), &mut |_| events += 1);
});
