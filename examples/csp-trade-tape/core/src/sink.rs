//! [`SinkFile`]: where the manager writes what `publish` sends, an events
//! file, or a Parquet file when the path ends in `.parquet`.

use std::path::Path;

use crate::events::{EventsError, EventsWriter};
use crate::parquet::ParquetWriter;
use crate::row::EventValue;
use crate::time::DateTime;

/// A file that published values are written to, a row each.
pub enum SinkFile<V: EventValue + ?Sized> {
    Events(EventsWriter<V>),
    Parquet(ParquetWriter<V>),
}

impl<V: EventValue + ?Sized> SinkFile<V> {
    /// Creates (or truncates) `path`: Parquet if it ends in `.parquet`, else an events file.
    pub fn create(path: &Path) -> Result<Self, EventsError> {
        if path
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("parquet"))
        {
            return ParquetWriter::create(path).map(Self::Parquet);
        }
        EventsWriter::create(path).map(Self::Events)
    }

    /// Writes one row.
    pub fn write(&mut self, time: DateTime, symbol: &str, value: &V) -> Result<(), EventsError> {
        match self {
            Self::Events(writer) => writer.write(time, symbol, value),
            Self::Parquet(writer) => writer.write(time, symbol, value),
        }
    }

    /// Writes out what is buffered and closes the file.
    pub fn finish(self) -> Result<(), EventsError> {
        match self {
            Self::Events(writer) => writer.into_inner().map(drop),
            Self::Parquet(writer) => writer.finish(),
        }
    }
}
