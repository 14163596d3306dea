//! The messages of the WebSocket transport: edit this file to speak your
//! venue's protocol; the source, its connection and the feed stay as they are.
//!
//! - On every connect the source sends [`JsonMessages::subscribe`]'s
//!   messages: `{"op": "subscribe", "symbols": ["A", "B"]}`.
//! - Each text message the server sends is one event,
//!   `{"symbol": "A", "time": "2024-01-02T09:30:00Z", "price": ..., "size": ..., "venue": ...}`
//!   (`time`, RFC 3339 text or integer nanoseconds since the epoch, is
//!   optional; an event without one has the time it arrived), or a JSON array
//!   of them, which ticks as one batch. [`JsonMessages::decode`] reads it.
//! - `publish(x, symbol)` sends each tick as the same shape ([`encode`]),
//!   at the engine's time.
//!
//! The record's field `symbol` is the message's `symbol`: the symbol of the
//! event it came in, the `publish` symbol of one that goes out.
//!
//! Types in messages: numbers for `int` and `float`, `true`/`false`, text
//! for `str`, times as above, durations as integer nanoseconds (or text
//! seconds, `"1.5"`). A `float` that is not finite has no JSON form: it
//! goes out as `null`, which does not decode.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::input_adapter::InputValue;
use crate::output_adapter::OutputValue;
use crate::record::TradeTapeRecord;
use adapter_core::websocket::Codec;
use adapter_core::wire::{JsonTime, one_or_many};
use adapter_core::{DateTime, EachEvent, Event};

/// What the source sends to subscribe.
#[derive(Serialize)]
struct Subscribe<'a> {
    op: &'static str,
    symbols: &'a [String],
}

/// One event as the server sends it.
#[derive(Deserialize)]
struct Incoming<'m> {
    #[serde(borrow)]
    symbol: Cow<'m, str>,
    time: Option<JsonTime>,
    price: f64,
    size: i64,
    #[serde(borrow, default)]
    venue: Option<Cow<'m, str>>,
}

/// One published tick as it goes out.
#[derive(Serialize)]
struct Outgoing<'a> {
    symbol: &'a str,
    time: JsonTime,
    price: f64,
    size: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    venue: Option<&'a str>,
}

/// The JSON protocol above.
pub struct JsonMessages;

impl Codec<InputValue> for JsonMessages {
    fn subscribe(&self, symbols: &[String]) -> Vec<String> {
        let message = Subscribe {
            op: "subscribe",
            symbols,
        };
        // A list of strings always serializes.
        vec![serde_json::to_string(&message).unwrap_or_default()]
    }

    fn decode(
        &self,
        text: &str,
        received: DateTime,
        each: &mut EachEvent<'_, InputValue>,
    ) -> Result<(), String> {
        one_or_many(text, |message: Incoming<'_>| {
            each(Event {
                time: message.time.map_or(received, |time| time.0),
                symbol: &message.symbol,
                value: TradeTapeRecord {
                    symbol: message.symbol.to_string(),
                    price: message.price,
                    size: message.size,
                    venue: message.venue.map(Cow::into_owned),
                },
            });
        })
    }
}
/// The message that publishes `value` under `symbol`, ticked at `time`.
pub fn encode(time: DateTime, symbol: &str, value: OutputValue<'_>) -> String {
    let outgoing = Outgoing {
        symbol,
        time: JsonTime(time),
        price: value.price,
        size: value.size,
        venue: value.venue.as_deref(),
    };
    // Plain fields always serialize (a float that is not finite as null).
    serde_json::to_string(&outgoing).unwrap_or_default()
}
