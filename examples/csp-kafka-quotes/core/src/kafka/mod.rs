//! A live source over a Kafka topic, and the history it replays first: two
//! [`KafkaSource`]s of one reader ([`open`]).
//!
//! Each record's key is the event's symbol and its value one message,
//! decoded by a [`KafkaCodec`] (the project's `src/messages.rs`). Every
//! partition of the topic is read from the offset that
//! [`KafkaOptions::start_offset`] names; what the topic held when the run
//! started is history, replayed at the records' timestamps, and what comes
//! after is live. The source reports the broker on the run's
//! [`crate::StatusReporter`]: CONNECTED, DISCONNECTED, RECONNECTING (with
//! the wait, which doubles after each failed attempt up to a limit),
//! BAD_MESSAGE and GAVE_UP. Values published through its [`Publisher`] are
//! produced to the topic, keyed by their symbol.
//!
//! The client is `rskafka`: pure Rust on tokio, nothing to build in C.

mod codec;
mod options;
mod partitions;
mod producer;
mod source;

pub use codec::KafkaCodec;
pub use options::{KafkaOptions, StartOffset};
pub use producer::Publisher;
pub use source::{KafkaSource, open};
