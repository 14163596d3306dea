//! How text messages become events: the [`Codec`] trait.

use crate::row::EventValue;
use crate::source::EachEvent;
use crate::time::DateTime;

/// A venue's protocol: what to send to subscribe, and how a message
/// becomes events.
pub trait Codec<V: EventValue + ?Sized>: Send + 'static {
    /// The text messages that subscribe to `symbols` (sorted, each once),
    /// sent in order on every connect.
    fn subscribe(&self, symbols: &[String]) -> Vec<String>;

    /// Decodes one message into its events, handed to `each` in order:
    /// they tick as one batch. All or none: decode the whole message before
    /// handing any event. `received` is when the message arrived, the time
    /// of an event that carries none. The error says what is wrong; the
    /// source adds which message it was.
    fn decode(
        &self,
        text: &str,
        received: DateTime,
        each: &mut EachEvent<'_, V>,
    ) -> Result<(), String>;
}
