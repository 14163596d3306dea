//! How records become events: the [`KafkaCodec`] trait.

use crate::row::EventValue;
use crate::source::EachEvent;
use crate::time::DateTime;

/// A topic's encoding: how one record becomes events.
pub trait KafkaCodec<V: EventValue + ?Sized>: Send + 'static {
    /// Decodes one record into its events, handed to `each` in order: they
    /// tick as one batch. All or none: decode the whole record before
    /// handing any event. `key` is the record's key (the symbol) when it
    /// has one that is UTF-8 text; `time` is its timestamp while the run
    /// replays history, and the time it arrived once live: the time of an
    /// event that carries none. The error says what is wrong; the source
    /// adds which record it was.
    fn decode(
        &self,
        key: Option<&str>,
        value: &str,
        time: DateTime,
        each: &mut EachEvent<'_, V>,
    ) -> Result<(), String>;
}
