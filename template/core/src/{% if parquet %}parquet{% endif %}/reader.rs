//! [`ParquetFile`]: a source that replays Parquet files.

use std::fs::File;
use std::marker::PhantomData;
use std::path::PathBuf;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::file::metadata::ParquetMetaData;

use super::columns::{Column, readable};
use crate::events::{Event, EventsError};
use crate::row::{CellType, Cells, ColumnType, EventValue, TypedCell};
use crate::source::{EachEvent, Source};
use crate::text::TextValue;
use crate::time::DateTime;

/// Rows read from a file at a time.
const BATCH_ROWS: usize = 8192;

/// Which files to replay and which columns to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParquetOptions {
    /// Replayed one after another; their rows continue one time order.
    pub paths: Vec<PathBuf>,
    pub time_column: String,
    pub symbol_column: String,
    /// The column of each of the value's columns, in
    /// [`EventValue::columns`] order: `value` for a scalar, each field's
    /// name for a record, unless mapped to another. A field that names the
    /// time or symbol column reads `value.<field>` instead where the file
    /// has that column (as [`super::ParquetWriter`] writes it), else shares
    /// the event's column.
    pub value_columns: Vec<String>,
}

impl ParquetOptions {
    /// `paths` with the columns `time`, `symbol`, and `value` for a scalar
    /// or each field's own name for a record.
    pub fn new<V: EventValue + ?Sized>(paths: Vec<PathBuf>) -> Self {
        Self {
            paths,
            time_column: "time".to_owned(),
            symbol_column: "symbol".to_owned(),
            value_columns: V::columns()
                .iter()
                .map(|column| column.strip_prefix("value.").unwrap_or(column).to_owned())
                .collect(),
        }
    }
}

impl ParquetOptions {
    /// Reads `field` of the record (`value` for a scalar) from `column`.
    pub fn map_field<V: EventValue + ?Sized>(
        &mut self,
        column: &str,
        field: &str,
    ) -> Result<(), String> {
        let slot = V::columns()
            .iter()
            .position(|name| name.strip_prefix("value.").unwrap_or(name) == field);
        match slot {
            Some(slot) => {
                self.value_columns[slot] = column.to_owned();
                Ok(())
            }
            None => Err(format!(
                "field_map maps column {column:?} to {field:?}, which is not one of {}",
                V::columns()
                    .iter()
                    .map(|name| name.strip_prefix("value.").unwrap_or(name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

/// What a column holds, for errors: "the time", "the field price".
fn role<V: EventValue + ?Sized>(index: usize) -> String {
    match index {
        0 => "the time".to_owned(),
        1 => "the symbol".to_owned(),
        _ => match V::columns()[index - 2].strip_prefix("value.") {
            Some(field) => format!("the field {field}"),
            None => "the value".to_owned(),
        },
    }
}

/// The file being read.
struct OpenFile {
    name: String,
    /// The columns read: the time, the symbol, then the value's.
    columns: Vec<String>,
    reader: ParquetRecordBatchReader,
    /// Rows of the file before the next record batch.
    rows_read: u64,
    /// The row after each row group's last one.
    group_ends: Vec<u64>,
}

impl OpenFile {
    /// Where `row` of the file is, for errors.
    fn at(&self, row: u64) -> String {
        let group = self.group_ends.partition_point(|&end| end <= row);
        format!("{}: row {row} (row group {group})", self.name)
    }
}

/// The record batch being handed out.
struct Batch {
    time: Column,
    symbol: Column,
    values: Vec<Column>,
    len: usize,
    /// The next row to hand out.
    next: usize,
    /// The file's row of the batch's first.
    first_row: u64,
    /// The first row that is refused (a null where a value is needed), and why.
    first_bad: Option<(usize, String)>,
}

/// Replays Parquet files: one batch per distinct time (see the module's
/// documentation for the columns).
pub struct ParquetFile<V: EventValue + ?Sized> {
    options: ParquetOptions,
    /// The type of the time, the symbol, and each value column.
    types: Vec<ColumnType>,
    next_path: usize,
    file: Option<OpenFile>,
    batch: Option<Batch>,
    last_time: Option<DateTime>,
    _value: PhantomData<fn() -> V::Owned>,
}

impl<V: EventValue + ?Sized> ParquetFile<V> {
    /// Checks that every file exists and has the columns, of types the
    /// value can be read from, and opens the first.
    pub fn open(options: ParquetOptions) -> Result<Self, EventsError> {
        if options.paths.is_empty() {
            return Err(EventsError::bad_data("ParquetFile needs at least one path"));
        }
        if options.value_columns.len() != V::columns().len() {
            return Err(EventsError::bad_data(format!(
                "ParquetFile reads {} value column(s) for {}, got {:?}",
                V::columns().len(),
                V::columns().join(", "),
                options.value_columns
            )));
        }
        let required = |cell| ColumnType {
            cell,
            optional: false,
        };
        let mut types = vec![required(CellType::DateTime), required(CellType::Str)];
        types.extend_from_slice(V::column_types());
        let mut source = Self {
            options,
            types,
            next_path: 0,
            file: None,
            batch: None,
            last_time: None,
            _value: PhantomData,
        };
        for index in 1..source.options.paths.len() {
            source.open_file(index)?;
        }
        source.file = Some(source.open_file(0)?);
        source.next_path = 1;
        Ok(source)
    }

    fn column_names(&self) -> impl Iterator<Item = &String> {
        [&self.options.time_column, &self.options.symbol_column]
            .into_iter()
            .chain(&self.options.value_columns)
    }

    /// The column of the value's column `index` that sits in the time or
    /// symbol column, as the writer renames it (`value.time`), if `schema`
    /// has it.
    fn renamed(&self, index: usize, column: &str, schema: &Schema) -> Option<String> {
        let shared = column == self.options.time_column || column == self.options.symbol_column;
        let renamed = V::columns().get(index.checked_sub(2)?)?;
        (shared
            && renamed.strip_prefix("value.") == Some(column)
            && schema.index_of(renamed).is_ok())
        .then(|| (*renamed).to_owned())
    }

    fn open_file(&self, index: usize) -> Result<OpenFile, EventsError> {
        let path = &self.options.paths[index];
        let name = path.display().to_string();
        let file = File::open(path).map_err(|error| EventsError::io(&name, &error))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|error| {
            EventsError::bad_data(format!("{name}: not a readable Parquet file: {error}"))
        })?;
        check_chunks(&name, builder.metadata())?;
        let schema = builder.schema();
        let mut roots = Vec::new();
        let mut columns = Vec::new();
        for (index, column) in self.column_names().enumerate() {
            let column = self
                .renamed(index, column, schema)
                .unwrap_or_else(|| column.clone());
            let Ok(root) = schema.index_of(&column) else {
                let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                return Err(EventsError::bad_data(format!(
                    "{name}: no column {column:?} ({}); its columns are {}",
                    role::<V>(index),
                    names.join(", ")
                )));
            };
            let data_type = schema.field(root).data_type();
            let wanted = self.types[index].cell;
            if !readable(data_type, wanted) {
                return Err(EventsError::bad_data(format!(
                    "{name}: column {column:?} is {}, but {} is a {wanted}: {}",
                    type_name(data_type),
                    role::<V>(index),
                    expected(wanted)
                )));
            }
            roots.push(root);
            columns.push(column);
        }
        let group_ends = builder
            .metadata()
            .row_groups()
            .iter()
            .scan(0, |end, group| {
                *end += group.num_rows().max(0) as u64;
                Some(*end)
            })
            .collect();
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|error| EventsError::bad_data(format!("{name}: {error}")))?;
        Ok(OpenFile {
            name,
            columns,
            reader,
            rows_read: 0,
            group_ends,
        })
    }

    /// Makes sure a row is ready to hand out; `false` after the last file.
    fn fill(&mut self) -> Result<bool, EventsError> {
        loop {
            if self
                .batch
                .as_ref()
                .is_some_and(|batch| batch.next < batch.len)
            {
                return Ok(true);
            }
            self.batch = None;
            let Some(file) = self.file.as_mut() else {
                return Ok(false);
            };
            let reader = &mut file.reader;
            let next = caught(|| reader.next()).map_err(|why| {
                let at = file.at(file.rows_read);
                EventsError::bad_data(format!(
                    "{at}: the parquet crate failed ({why}): the file is damaged"
                ))
            })?;
            match next {
                Some(Ok(records)) => {
                    let first_row = file.rows_read;
                    file.rows_read += records.num_rows() as u64;
                    self.batch = Some(self.columns(&records, first_row)?);
                }
                Some(Err(error)) => {
                    let at = file.at(file.rows_read);
                    return Err(EventsError::bad_data(format!("{at}: {error}")));
                }
                None if self.next_path < self.options.paths.len() => {
                    self.file = Some(self.open_file(self.next_path)?);
                    self.next_path += 1;
                }
                None => self.file = None,
            }
        }
    }

    /// The columns of a record batch read from the file.
    fn columns(&self, records: &RecordBatch, first_row: u64) -> Result<Batch, EventsError> {
        let file = self.file.as_ref().expect("a batch comes from an open file");
        let mut columns = Vec::with_capacity(self.types.len());
        let mut first_bad: Option<(usize, String)> = None;
        for ((index, name), column_type) in file.columns.iter().enumerate().zip(&self.types) {
            let array = records
                .column_by_name(name)
                .expect("the reader reads every column checked at open");
            let column = Column::new(array, column_type.cell).map_err(|(row, what)| {
                let at = file.at(first_row + row as u64);
                EventsError::bad_data(format!("{at}: column {name:?}: {what}"))
            })?;
            if !column_type.optional && column.has_nulls() {
                let row = column.first_null(0).unwrap_or_default();
                if first_bad.as_ref().is_none_or(|(bad, _)| row < *bad) {
                    let what = format!(
                        "column {name:?} is null, but {} must be set",
                        role::<V>(index)
                    );
                    first_bad = Some((row, what));
                }
            }
            columns.push(column);
        }
        let values = columns.split_off(2);
        let symbol = columns.pop().expect("a symbol column");
        let time = columns.pop().expect("a time column");
        Ok(Batch {
            time,
            symbol,
            values,
            len: records.num_rows(),
            next: 0,
            first_row,
            first_bad,
        })
    }

    /// Hands out rows: those of one time when `one_time`, else the rest of
    /// the record batch. `false`, with nothing handed, after the last row.
    fn hand_rows(
        &mut self,
        one_time: bool,
        each: &mut EachEvent<'_, V>,
    ) -> Result<bool, EventsError> {
        if !self.fill()? {
            return Ok(false);
        }
        let mut batch_time = None;
        loop {
            let Self {
                batch: Some(batch),
                file: Some(file),
                last_time,
                ..
            } = self
            else {
                unreachable!("fill leaves a batch of an open file");
            };
            let Batch {
                time,
                symbol,
                values,
                len,
                next,
                first_row,
                first_bad,
            } = batch;
            let mut cells: Vec<TypedCell<'_>> = Vec::with_capacity(values.len());
            while *next < *len {
                let row = *next;
                let at = || file.at(*first_row + row as u64);
                if let Some((_, what)) = first_bad.as_ref().filter(|(bad, _)| *bad == row) {
                    return Err(EventsError::bad_data(format!("{}: {what}", at())));
                }
                let now = DateTime::from_nanos(time.nanos(row));
                if *batch_time.get_or_insert(now) != now && one_time {
                    return Ok(true);
                }
                if let Some(before) = last_time.filter(|before| now < *before) {
                    return Err(EventsError::bad_data(format!(
                        "{}: time {} is before the previous row's {}: rows must be in time order",
                        at(),
                        text(now),
                        text(before)
                    )));
                }
                let symbol = symbol.str(row);
                if symbol.is_empty() {
                    return Err(EventsError::bad_data(format!(
                        "{}: the symbol is empty",
                        at()
                    )));
                }
                cells.clear();
                cells.extend(values.iter().map(|column| column.cell(row)));
                let value = V::parse_cells(&mut Cells::typed(&cells))
                    .map_err(|what| EventsError::bad_data(format!("{}: {what}", at())))?;
                *next += 1;
                *last_time = Some(now);
                each(Event {
                    time: now,
                    symbol,
                    value,
                });
            }
            drop(cells);
            if !one_time || !self.fill()? {
                return Ok(true);
            }
        }
    }
}

fn text(time: DateTime) -> String {
    let mut out = String::new();
    time.write_text(&mut out);
    out
}

/// A column's Arrow type as pyarrow names it.
fn type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Utf8 => "string".to_owned(),
        DataType::LargeUtf8 => "large_string".to_owned(),
        DataType::Boolean => "bool".to_owned(),
        other => other.to_string().to_lowercase(),
    }
}

/// The Parquet column types a cell type reads.
fn expected(cell: CellType) -> &'static str {
    match cell {
        CellType::Bool => "it needs a bool column",
        CellType::Int => "it needs an integer column (int8 to int64, uint8 to uint32)",
        CellType::Float => "it needs a float32 or float64 column",
        CellType::Str => "it needs a string column (plain or dictionary-encoded)",
        CellType::DateTime => "it needs a timestamp column (any unit, with or without a time zone)",
        CellType::TimeDelta => "it needs a duration column (any unit)",
    }
}

impl<V: EventValue + ?Sized> Source<V> for ParquetFile<V>
where
    V::Owned: Send,
{
    fn next_batch(&mut self, batch: &mut Vec<Event<V::Owned>>) -> Result<bool, EventsError> {
        self.hand_rows(true, &mut |event| batch.push(event.into_owned()))
    }

    fn next_batch_lent(
        &mut self,
        _scratch: &mut Vec<Event<V::Owned>>,
        each: &mut EachEvent<'_, V>,
    ) -> Result<bool, EventsError> {
        self.hand_rows(true, each)
    }

    fn next_events(
        &mut self,
        _scratch: &mut Vec<Event<V::Owned>>,
        each: &mut EachEvent<'_, V>,
    ) -> Result<bool, EventsError> {
        self.hand_rows(false, each)
    }

    fn next_batch_ready(&self) -> bool {
        true
    }
}
/// Runs `read`, a call into the parquet crate, catching a panic of it (a
/// damaged file can make it panic): `Err` with the panic's message.
fn caught<T>(read: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).map_err(|panic| {
        (panic.downcast_ref::<&str>().map(|text| (*text).to_owned()))
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_owned())
    })
}

/// Refuses column chunks with a negative offset or size (a damaged footer),
/// which the parquet crate would panic on while reading.
fn check_chunks(name: &str, metadata: &ParquetMetaData) -> Result<(), EventsError> {
    for (group, row_group) in metadata.row_groups().iter().enumerate() {
        for chunk in row_group.columns() {
            let offsets = [
                Some(chunk.data_page_offset()),
                chunk.dictionary_page_offset(),
            ];
            if chunk.compressed_size() < 0 || offsets.into_iter().flatten().any(|at| at < 0) {
                return Err(EventsError::bad_data(format!(
                    "{name}: row group {group}, column {}: a negative offset or size (the file is damaged)",
                    chunk.column_path()
                )));
            }
        }
    }
    Ok(())
}
