//! [`SinkFile`]: where the manager writes what `publish` sends, an events
//! file.

use std::path::Path;

use crate::events::{EventsError, EventsWriter};
use crate::row::EventValue;
use crate::time::DateTime;

/// A file that published values are written to, a row each.
pub enum SinkFile<V: EventValue + ?Sized> {
    Events(EventsWriter<V>),
}

impl<V: EventValue + ?Sized> SinkFile<V> {
    /// Creates (or truncates) `path` as an events file.
    pub fn create(path: &Path) -> Result<Self, EventsError> {
        EventsWriter::create(path).map(Self::Events)
    }

    /// Writes one row.
    pub fn write(&mut self, time: DateTime, symbol: &str, value: &V) -> Result<(), EventsError> {
        match self {
            Self::Events(writer) => writer.write(time, symbol, value),
        }
    }

    /// Writes out what is buffered and closes the file.
    pub fn finish(self) -> Result<(), EventsError> {
        match self {
            Self::Events(writer) => writer.into_inner().map(drop),
        }
    }
}
