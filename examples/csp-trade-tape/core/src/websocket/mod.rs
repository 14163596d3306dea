//! A live source over a WebSocket: [`WebSocketSource`].
//!
//! It connects (`ws://`, or `wss://` with rustls), sends the subscriptions
//! of the run, and hands out each text message as a batch of events, decoded
//! by a [`Codec`] (the project's `src/messages.rs`). It reports its
//! connection on the run's [`crate::StatusReporter`]: CONNECTED,
//! DISCONNECTED, RECONNECTING (with the wait, which doubles after each
//! failed attempt up to a limit), BAD_MESSAGE and GAVE_UP. A connection that
//! stays silent is pinged, and treated as lost when the pong does not come.
//! Values published through its [`Publisher`] go out on the same
//! connection.

mod codec;
mod connect;
mod options;
mod source;

pub use codec::Codec;
pub use options::WebSocketOptions;
pub use source::{Publisher, WebSocketSource};
