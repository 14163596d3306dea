//! The messages of the Kafka transport: edit this file for your topic's
//! encoding; the source, its client and the feed stay as they are.
//!
//! - Each record is keyed by its symbol; its value is one event,
//!   `{"bid": ..., "ask": ..., "size": ..., "venue": ...}`
//!   (a record without a key names it: `"symbol": "A"`), or a JSON array of
//!   them, which ticks as one batch. Events tick at the record's timestamp
//!   while the run replays history, and when it arrived once live
//!   (a `time` in the value is not read).
//!   [`JsonMessages::decode`] reads it.
//! - `publish(x, symbol)` produces each tick as the same shape ([`encode`],
//!   with `symbol` and `time` too), keyed and stamped by the source, at the
//!   engine's time.
//!
//! Types in messages: numbers for `int` and `float`, `true`/`false`, text
//! for `str`, times as above, durations as integer nanoseconds (or text
//! seconds, `"1.5"`). A `float` that is not finite has no JSON form: it
//! goes out as `null`, which does not decode.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::input_adapter::InputValue;
use crate::output_adapter::OutputValue;
use crate::record::KafkaQuotesRecord;
use adapter_core::kafka::KafkaCodec;
use adapter_core::wire::{JsonTime, one_or_many};
use adapter_core::{DateTime, EachEvent, Event};

/// One event as the server sends it.
#[derive(Deserialize)]
struct Incoming<'m> {
    #[serde(borrow, default)]
    symbol: Option<Cow<'m, str>>,
    bid: f64,
    ask: f64,
    size: i64,
    #[serde(borrow, default)]
    venue: Option<Cow<'m, str>>,
}

/// One published tick as it goes out.
#[derive(Serialize)]
struct Outgoing<'a> {
    symbol: &'a str,
    time: JsonTime,
    bid: f64,
    ask: f64,
    size: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    venue: Option<&'a str>,
}

/// The JSON protocol above.
pub struct JsonMessages;

impl KafkaCodec<InputValue> for JsonMessages {
    fn decode(
        &self,
        key: Option<&str>,
        text: &str,
        time: DateTime,
        each: &mut EachEvent<'_, InputValue>,
    ) -> Result<(), String> {
        let mut messages = Vec::new();
        one_or_many(text, |message: Incoming<'_>| messages.push(message))?;
        // The key is the symbol; a record without one names it in the value.
        if key.is_none() && messages.iter().any(|message| message.symbol.is_none()) {
            return Err("the record has no key and its value no symbol".to_owned());
        }
        for message in messages {
            let symbol = key.or(message.symbol.as_deref()).unwrap_or_default();
            each(Event {
                time,
                symbol,
                value: KafkaQuotesRecord {
                    bid: message.bid,
                    ask: message.ask,
                    size: message.size,
                    venue: message.venue.map(Cow::into_owned),
                },
            });
        }
        Ok(())
    }
}
/// The message that publishes `value` under `symbol`, ticked at `time`.
pub fn encode(time: DateTime, symbol: &str, value: OutputValue<'_>) -> String {
    let outgoing = Outgoing {
        symbol,
        time: JsonTime(time),
        bid: value.bid,
        ask: value.ask,
        size: value.size,
        venue: value.venue.as_deref(),
    };
    // Plain fields always serialize (a float that is not finite as null).
    serde_json::to_string(&outgoing).unwrap_or_default()
}
