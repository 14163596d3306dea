//! The columns of one record batch, turned into what the reader hands out
//! row by row: whole numbers (ints, and times and durations in nanoseconds),
//! floats, booleans or strings, each with its nulls.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    DurationMicrosecondType, DurationMillisecondType, DurationNanosecondType, DurationSecondType,
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type,
};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, BooleanArray, LargeStringArray, StringArray,
    StringViewArray,
};
use arrow_schema::{DataType, TimeUnit};

use crate::row::{CellType, TypedCell};
use crate::time::{DateTime, TimeDelta};

/// Whether a column of `data_type` can be read as cells of type `cell`.
pub(super) fn readable(data_type: &DataType, cell: CellType) -> bool {
    match cell {
        CellType::Bool => matches!(data_type, DataType::Boolean),
        CellType::Int => matches!(
            data_type,
            DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt8
                | DataType::UInt16
                | DataType::UInt32
        ),
        CellType::Float => matches!(data_type, DataType::Float32 | DataType::Float64),
        CellType::Str => is_string(data_type),
        CellType::DateTime => matches!(data_type, DataType::Timestamp(..)),
        CellType::TimeDelta => matches!(data_type, DataType::Duration(_)),
    }
}

fn is_string(data_type: &DataType) -> bool {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(key, value) => key.is_dictionary_key_type() && is_string(value),
        _ => false,
    }
}

/// The strings of a column, plain or dictionary-encoded.
enum Strings {
    Utf8(StringArray),
    Large(LargeStringArray),
    View(StringViewArray),
    /// Each row's index into the dictionary's values.
    Dictionary(Vec<usize>, Box<Strings>),
}

impl Strings {
    fn of(array: &ArrayRef) -> Self {
        match array.data_type() {
            DataType::Utf8 => Self::Utf8(array.as_string::<i32>().clone()),
            DataType::LargeUtf8 => Self::Large(array.as_string::<i64>().clone()),
            DataType::Utf8View => Self::View(array.as_string_view().clone()),
            _ => {
                let dictionary = array.as_any_dictionary();
                let keys = match dictionary.values().is_empty() {
                    // An all-null column may have no values to point at.
                    true => vec![0; dictionary.len()],
                    false => dictionary.normalized_keys(),
                };
                Self::Dictionary(keys, Box::new(Self::of(dictionary.values())))
            }
        }
    }

    #[inline]
    fn get(&self, row: usize) -> &str {
        match self {
            Self::Utf8(array) => array.value(row),
            Self::Large(array) => array.value(row),
            Self::View(array) => array.value(row),
            Self::Dictionary(keys, values) => values.get(keys[row]),
        }
    }
}

enum Values {
    Bool(BooleanArray),
    /// Ints, or times and durations in nanoseconds.
    Whole(Arc<[i64]>),
    Float(Arc<[f64]>),
    Str(Strings),
}

/// One column of a record batch, read as cells of one type.
pub(super) struct Column {
    cell: CellType,
    values: Values,
    array: ArrayRef,
}

impl Column {
    /// The column `array` as cells of type `cell` (which [`readable`] allows).
    /// Fails on a time or duration that nanoseconds since 1970 cannot hold,
    /// with its row in the batch.
    pub(super) fn new(array: &ArrayRef, cell: CellType) -> Result<Self, (usize, String)> {
        let values = match cell {
            CellType::Bool => Values::Bool(array.as_boolean().clone()),
            CellType::Float => Values::Float(match array.data_type() {
                DataType::Float32 => widen::<Float32Type, f64>(array, f64::from),
                _ => widen::<Float64Type, f64>(array, |value| value),
            }),
            CellType::Str => Values::Str(Strings::of(array)),
            CellType::Int => Values::Whole(match array.data_type() {
                DataType::Int8 => widen::<Int8Type, i64>(array, i64::from),
                DataType::Int16 => widen::<Int16Type, i64>(array, i64::from),
                DataType::Int32 => widen::<Int32Type, i64>(array, i64::from),
                DataType::UInt8 => widen::<UInt8Type, i64>(array, i64::from),
                DataType::UInt16 => widen::<UInt16Type, i64>(array, i64::from),
                DataType::UInt32 => widen::<UInt32Type, i64>(array, i64::from),
                _ => widen::<Int64Type, i64>(array, |value| value),
            }),
            CellType::DateTime | CellType::TimeDelta => Values::Whole(nanoseconds(array)?),
        };
        Ok(Self {
            cell,
            values,
            array: Arc::clone(array),
        })
    }

    /// The first null row at or after `from`.
    pub(super) fn first_null(&self, from: usize) -> Option<usize> {
        let nulls = self.array.logical_nulls()?;
        (from..self.array.len()).find(|&row| nulls.is_null(row))
    }

    /// Whether the column has a null at all.
    pub(super) fn has_nulls(&self) -> bool {
        self.array.logical_null_count() > 0
    }

    #[inline]
    pub(super) fn is_null(&self, row: usize) -> bool {
        self.array.is_null(row)
    }

    /// The cell of `row`.
    #[inline]
    pub(super) fn cell(&self, row: usize) -> TypedCell<'_> {
        if self.is_null(row) {
            return TypedCell::Null;
        }
        match (&self.values, self.cell) {
            (Values::Bool(array), _) => TypedCell::Bool(array.value(row)),
            (Values::Whole(values), CellType::DateTime) => {
                TypedCell::DateTime(DateTime::from_nanos(values[row]))
            }
            (Values::Whole(values), CellType::TimeDelta) => {
                TypedCell::TimeDelta(TimeDelta::from_nanos(values[row]))
            }
            (Values::Whole(values), _) => TypedCell::Int(values[row]),
            (Values::Float(values), _) => TypedCell::Float(values[row]),
            (Values::Str(strings), _) => TypedCell::Str(strings.get(row)),
        }
    }

    /// The nanoseconds of a time column's `row` (not null).
    #[inline]
    pub(super) fn nanos(&self, row: usize) -> i64 {
        match &self.values {
            Values::Whole(values) => values[row],
            _ => 0,
        }
    }

    /// The string of a string column's `row` (not null).
    #[inline]
    pub(super) fn str(&self, row: usize) -> &str {
        match &self.values {
            Values::Str(strings) => strings.get(row),
            _ => "",
        }
    }
}

/// The values of a primitive column, each through `widen` (nulls keep an
/// arbitrary value).
fn widen<T: ArrowPrimitiveType, W>(array: &ArrayRef, widen: impl Fn(T::Native) -> W) -> Arc<[W]> {
    array
        .as_primitive::<T>()
        .values()
        .iter()
        .map(|&value| widen(value))
        .collect()
}

/// A timestamp or duration column in nanoseconds.
fn nanoseconds(array: &ArrayRef) -> Result<Arc<[i64]>, (usize, String)> {
    let (unit, raw) = match array.data_type() {
        DataType::Timestamp(unit, _) => (
            *unit,
            match unit {
                TimeUnit::Second => widen::<TimestampSecondType, i64>(array, |v| v),
                TimeUnit::Millisecond => widen::<TimestampMillisecondType, i64>(array, |v| v),
                TimeUnit::Microsecond => widen::<TimestampMicrosecondType, i64>(array, |v| v),
                TimeUnit::Nanosecond => widen::<TimestampNanosecondType, i64>(array, |v| v),
            },
        ),
        DataType::Duration(unit) => (
            *unit,
            match unit {
                TimeUnit::Second => widen::<DurationSecondType, i64>(array, |v| v),
                TimeUnit::Millisecond => widen::<DurationMillisecondType, i64>(array, |v| v),
                TimeUnit::Microsecond => widen::<DurationMicrosecondType, i64>(array, |v| v),
                TimeUnit::Nanosecond => widen::<DurationNanosecondType, i64>(array, |v| v),
            },
        ),
        other => return Err((0, format!("{other} is not a time"))),
    };
    let scale: i64 = match unit {
        TimeUnit::Second => 1_000_000_000,
        TimeUnit::Millisecond => 1_000_000,
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => return Ok(raw),
    };
    raw.iter()
        .enumerate()
        .map(|(row, &value)| match value.checked_mul(scale) {
            Some(nanos) => Ok(nanos),
            None if array.is_null(row) => Ok(0),
            None => Err((
                row,
                format!(
                    "{value} {unit:?}s is out of the range of csp's times (years 1677 to 2262)"
                ),
            )),
        })
        .collect()
}
