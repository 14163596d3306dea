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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::events::{Event, EventsErrorKind};
    use crate::source::Source;
    use crate::time::DateTime;

    /// A file of this test's own in the system's temporary directory.
    fn scratch(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("parquet-{}-{name}.parquet", std::process::id()))
    }

    crate::event_record! {
        /// The record of the fuzz target that found the damaged files below.
        struct Fuzzed {
            symbol: String,
            price: f64,
            size: Option<i64>,
            at: DateTime,
            gap: Option<crate::time::TimeDelta>,
            ok: bool,
        }
    }

    /// Files the parquet_file fuzz target made, on which the parquet crate
    /// panics: the reader refuses them as damaged instead.
    #[test]
    fn damaged_files_found_by_fuzzing_are_errors() {
        let files: [(&str, &[u8]); 2] = [
            (
                "negative-offset",
                include_bytes!("testdata/negative-offset.parquet"),
            ),
            (
                "dictionary-missing",
                include_bytes!("testdata/dictionary-missing.parquet"),
            ),
        ];
        for (name, bytes) in files {
            let path = scratch(name);
            std::fs::write(&path, bytes).unwrap();
            let read = read_all::<Fuzzed>(ParquetOptions::new::<Fuzzed>(vec![path.clone()]));
            std::fs::remove_file(&path).unwrap();
            let error = read.expect_err(name);
            assert_eq!(error.kind(), EventsErrorKind::Malformed, "{name}: {error}");
            assert!(error.to_string().contains("damaged"), "{name}: {error}");
        }
    }

    fn read_all<V: crate::row::EventValue + ?Sized>(
        options: ParquetOptions,
    ) -> Result<Vec<Vec<Event<V::Owned>>>, crate::events::EventsError>
    where
        V::Owned: Send,
    {
        let mut file = ParquetFile::<V>::open(options)?;
        let mut batches = Vec::new();
        loop {
            let mut batch = Vec::new();
            if !file.next_batch(&mut batch)? {
                return Ok(batches);
            }
            batches.push(batch);
        }
    }

    #[test]
    fn what_the_writer_writes_reads_back_a_batch_per_time() {
        let path = scratch("round-trip");
        let mut writer = ParquetWriter::<str>::create(&path).unwrap();
        let rows = [(1, "A", "é✓"), (1, "B", ""), (2, "A", "x")];
        for (micros, symbol, value) in rows {
            writer
                .write(DateTime::from_nanos(micros * 1000), symbol, value)
                .unwrap();
        }
        writer.finish().unwrap();
        let batches = read_all::<str>(ParquetOptions::new::<str>(vec![path.clone()])).unwrap();
        std::fs::remove_file(&path).unwrap();
        let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
        assert_eq!(sizes, [2, 1]);
        let values: Vec<&str> = batches.iter().flatten().map(|e| e.value.as_str()).collect();
        assert_eq!(values, ["é✓", "", "x"]);
        assert_eq!(batches[1][0].time, DateTime::from_nanos(2000));
    }

    #[test]
    fn a_missing_column_and_a_non_parquet_file_are_named() {
        let path = scratch("int");
        let mut writer = ParquetWriter::<i64>::create(&path).unwrap();
        writer.write(DateTime::from_nanos(0), "A", &7).unwrap();
        writer.finish().unwrap();
        let mut options = ParquetOptions::new::<i64>(vec![path.clone()]);
        options.value_columns = vec!["px".to_owned()];
        let error = read_all::<i64>(options).unwrap_err();
        assert!(
            error.message().ends_with(
                "int.parquet: no column \"px\" (the value); its columns are time, symbol, value"
            ),
            "{error}"
        );
        std::fs::write(&path, b"time,symbol,value\n").unwrap();
        let error = read_all::<i64>(ParquetOptions::new::<i64>(vec![path.clone()])).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(error.kind(), EventsErrorKind::Malformed);
        assert!(
            error.message().contains("not a readable Parquet file"),
            "{error}"
        );
    }
}
