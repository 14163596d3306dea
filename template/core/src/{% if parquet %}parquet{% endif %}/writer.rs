//! [`ParquetWriter`]: writes events as a Parquet file.

use std::fs::File;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, DurationNanosecondBuilder, Float64Builder, Int64Builder, StringBuilder,
    TimestampNanosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::events::EventsError;
use crate::row::{CellType, EventValue, TypedCell};
use crate::time::DateTime;

/// Rows gathered before they go to the file's current row group.
const BATCH_ROWS: usize = 64 * 1024;

/// The time zone of the time column: csp's times are UTC.
const UTC: &str = "UTC";

enum Builder {
    Bool(BooleanBuilder),
    Int(Int64Builder),
    Float(Float64Builder),
    Str(StringBuilder),
    DateTime(TimestampNanosecondBuilder),
    TimeDelta(DurationNanosecondBuilder),
}

impl Builder {
    fn new(cell: CellType) -> Self {
        match cell {
            CellType::Bool => Self::Bool(BooleanBuilder::new()),
            CellType::Int => Self::Int(Int64Builder::new()),
            CellType::Float => Self::Float(Float64Builder::new()),
            CellType::Str => Self::Str(StringBuilder::new()),
            CellType::DateTime => {
                Self::DateTime(TimestampNanosecondBuilder::new().with_timezone(UTC))
            }
            CellType::TimeDelta => Self::TimeDelta(DurationNanosecondBuilder::new()),
        }
    }

    fn data_type(cell: CellType) -> DataType {
        match cell {
            CellType::Bool => DataType::Boolean,
            CellType::Int => DataType::Int64,
            CellType::Float => DataType::Float64,
            CellType::Str => DataType::Utf8,
            CellType::DateTime => DataType::Timestamp(TimeUnit::Nanosecond, Some(UTC.into())),
            CellType::TimeDelta => DataType::Duration(TimeUnit::Nanosecond),
        }
    }

    /// Appends `cell` (of the builder's type, or null).
    fn append(&mut self, cell: TypedCell<'_>) {
        match (self, cell) {
            (Self::Bool(builder), TypedCell::Bool(value)) => builder.append_value(value),
            (Self::Int(builder), TypedCell::Int(value)) => builder.append_value(value),
            (Self::Float(builder), TypedCell::Float(value)) => builder.append_value(value),
            (Self::Str(builder), TypedCell::Str(value)) => builder.append_value(value),
            (Self::DateTime(builder), TypedCell::DateTime(value)) => {
                builder.append_value(value.as_nanos());
            }
            (Self::TimeDelta(builder), TypedCell::TimeDelta(value)) => {
                builder.append_value(value.as_nanos());
            }
            (builder, _) => builder.append_null(),
        }
    }

    fn append_null(&mut self) {
        match self {
            Self::Bool(builder) => builder.append_null(),
            Self::Int(builder) => builder.append_null(),
            Self::Float(builder) => builder.append_null(),
            Self::Str(builder) => builder.append_null(),
            Self::DateTime(builder) => builder.append_null(),
            Self::TimeDelta(builder) => builder.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Self::Bool(builder) => Arc::new(builder.finish()),
            Self::Int(builder) => Arc::new(builder.finish()),
            Self::Float(builder) => Arc::new(builder.finish()),
            Self::Str(builder) => Arc::new(builder.finish()),
            Self::DateTime(builder) => Arc::new(builder.finish()),
            Self::TimeDelta(builder) => Arc::new(builder.finish()),
        }
    }
}

/// The column of a value's column `column` ([`EventValue::columns`]):
/// `value` for a scalar, the field's name for a record, but `value.time` and
/// `value.symbol` for fields that would share the event's columns.
fn value_column(column: &str) -> &str {
    match column.strip_prefix("value.") {
        Some(field) if field != "time" && field != "symbol" => field,
        _ => column,
    }
}

/// Writes events with values of type `V` as a Parquet file (snappy): a
/// `time` column (timestamp, nanoseconds, UTC), a `symbol` column, and the
/// value's columns: `value` for a scalar, a column per field of a record,
/// named after it (`value.time` and `value.symbol` for fields of those names,
/// which [`super::ParquetFile`] reads by default). Rows reach
/// the file a record batch at a time; [`ParquetWriter::finish`] writes the
/// rest and the footer, without which the file cannot be read.
pub struct ParquetWriter<V: EventValue + ?Sized> {
    name: String,
    writer: ArrowWriter<File>,
    schema: SchemaRef,
    time: TimestampNanosecondBuilder,
    symbol: StringBuilder,
    values: Vec<Builder>,
    rows: usize,
    _value: PhantomData<fn(&V)>,
}

impl<V: EventValue + ?Sized> ParquetWriter<V> {
    /// Creates (or truncates) `path`.
    pub fn create(path: &Path) -> Result<Self, EventsError> {
        let name = path.display().to_string();
        let types = V::column_types();
        let mut fields = vec![
            Field::new("time", Builder::data_type(CellType::DateTime), false),
            Field::new("symbol", DataType::Utf8, false),
        ];
        for (column, column_type) in V::columns().iter().map(|c| value_column(c)).zip(types) {
            let data_type = Builder::data_type(column_type.cell);
            fields.push(Field::new(column, data_type, column_type.optional));
        }
        let schema = Arc::new(Schema::new(fields));
        let file = File::create(path).map_err(|error| EventsError::io(&name, &error))?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let writer = ArrowWriter::try_new(file, Arc::clone(&schema), Some(properties))
            .map_err(|error| EventsError::failed(format!("{name}: {error}")))?;
        Ok(Self {
            name,
            writer,
            schema,
            time: TimestampNanosecondBuilder::new().with_timezone(UTC),
            symbol: StringBuilder::new(),
            values: types.iter().map(|t| Builder::new(t.cell)).collect(),
            rows: 0,
            _value: PhantomData,
        })
    }

    /// Adds one row.
    pub fn write(&mut self, time: DateTime, symbol: &str, value: &V) -> Result<(), EventsError> {
        self.time.append_value(time.as_nanos());
        self.symbol.append_value(symbol);
        let mut builders = self.values.iter_mut();
        value.typed_cells(&mut |cell| {
            if let Some(builder) = builders.next() {
                builder.append(cell);
            }
        });
        self.rows += 1;
        match self.rows >= BATCH_ROWS {
            true => self.write_batch(),
            false => Ok(()),
        }
    }

    fn write_batch(&mut self) -> Result<(), EventsError> {
        if self.rows == 0 {
            return Ok(());
        }
        self.rows = 0;
        let mut columns: Vec<ArrayRef> =
            vec![Arc::new(self.time.finish()), Arc::new(self.symbol.finish())];
        columns.extend(self.values.iter_mut().map(Builder::finish));
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), columns)
            .map_err(|error| EventsError::failed(format!("{}: {error}", self.name)))?;
        self.writer
            .write(&batch)
            .map_err(|error| EventsError::failed(format!("{}: {error}", self.name)))
    }

    /// Writes the rows not yet written and the footer, and closes the file.
    pub fn finish(mut self) -> Result<(), EventsError> {
        self.write_batch()?;
        self.writer
            .close()
            .map(drop)
            .map_err(|error| EventsError::failed(format!("{}: {error}", self.name)))
    }
}
