//! Parquet files: [`ParquetFile`] replays one or more as a [`crate::Source`],
//! [`ParquetWriter`] writes what the manager publishes.
//!
//! A file has a `time` column (a timestamp of any unit, with or without a
//! time zone: either is read as UTC), a `symbol` column (a string, plain or
//! dictionary-encoded) and the value's columns: `value` for a scalar, one
//! column per field for a record (a field's own name unless the options map
//! it to another). Rows are in non-decreasing time order, across files too;
//! rows with the same time form one batch. Only these columns are read,
//! one record batch at a time, so memory stays flat whatever the file's size.

mod columns;
mod reader;
mod writer;

pub use reader::{ParquetFile, ParquetOptions};
pub use writer::ParquetWriter;
