//! How a value fills the cells of an events-file row after `time` and
//! `symbol`: a scalar fills one `value` cell, a record one `value.<field>`
//! cell per field ([`crate::record`]). The cells are text in an events file
//! and [`TypedCell`]s in a file whose columns have types (Parquet).

use std::fmt;

use crate::csv_rows::Row;
use crate::record::RecordField;
use crate::text::TextValue;
use crate::time::{DateTime, TimeDelta};

/// A value type of events files.
pub trait EventValue {
    /// The owned form of a value (`String` for `str`).
    type Owned;

    /// Its columns, in the order [`EventValue::parse_cells`] reads them.
    fn columns() -> &'static [&'static str];

    /// Reads a value from `cells`, one [`Cells::next_cell`] per column; the error
    /// says what is wrong.
    fn parse_cells(cells: &mut Cells<'_>) -> Result<Self::Owned, String>;

    /// Writes one cell per column, each into [`CellsOut::next_cell`].
    fn write_cells(&self, cells: &mut CellsOut) -> Result<(), String>;

    /// The type of each column, in [`EventValue::columns`] order.
    fn column_types() -> &'static [ColumnType];

    /// Hands `each` one typed cell per column, in column order.
    fn typed_cells(&self, each: &mut dyn FnMut(TypedCell<'_>));
}

/// The type of a value column's cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellType {
    Bool,
    Int,
    Float,
    Str,
    DateTime,
    TimeDelta,
}

impl fmt::Display for CellType {
    /// Its csp (Python) name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Bool => "bool",
            Self::Int => "int",
            Self::Float => "float",
            Self::Str => "str",
            Self::DateTime => "datetime",
            Self::TimeDelta => "timedelta",
        })
    }
}

/// A value column: the type of its cells, and whether a cell may be null
/// (an optional field of a record).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnType {
    pub cell: CellType,
    pub optional: bool,
}

/// One cell of a file whose columns have types.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TypedCell<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    DateTime(DateTime),
    TimeDelta(TimeDelta),
}

macro_rules! typed_cell_from {
    ($($rust:ty => $variant:ident),*) => {$(
        impl From<&$rust> for TypedCell<'_> {
            fn from(value: &$rust) -> Self {
                Self::$variant(*value)
            }
        }
    )*};
}

typed_cell_from!(
    bool => Bool,
    i64 => Int,
    f64 => Float,
    DateTime => DateTime,
    TimeDelta => TimeDelta
);

impl<'a> From<&'a str> for TypedCell<'a> {
    fn from(value: &'a str) -> Self {
        Self::Str(value)
    }
}

impl<'a> From<&'a String> for TypedCell<'a> {
    fn from(value: &'a String) -> Self {
        Self::Str(value)
    }
}

/// The value cells of one row, handed out in column order.
pub struct Cells<'a> {
    texts: Texts<'a>,
    next: usize,
}

enum Texts<'a> {
    Slice(&'a [&'a str]),
    /// A CSV row and where each value column is in it.
    Row(&'a Row<'a>, &'a [usize]),
    /// The cells of a typed file's row.
    Typed(&'a [TypedCell<'a>]),
}

impl<'a> Cells<'a> {
    /// The cells of one row, in the value's column order.
    pub fn new(texts: &'a [&'a str]) -> Self {
        Self {
            texts: Texts::Slice(texts),
            next: 0,
        }
    }

    pub(crate) fn of_row(row: &'a Row<'a>, positions: &'a [usize]) -> Self {
        Self {
            texts: Texts::Row(row, positions),
            next: 0,
        }
    }

    /// The typed cells of one row, in the value's column order.
    pub fn typed(cells: &'a [TypedCell<'a>]) -> Self {
        Self {
            texts: Texts::Typed(cells),
            next: 0,
        }
    }

    /// The next column's text (empty past the last one, and for typed cells:
    /// read those with [`Cells::next_field`]).
    pub fn next_cell(&mut self) -> &'a str {
        let text = match self.texts {
            Texts::Slice(texts) => texts.get(self.next).copied(),
            Texts::Row(row, positions) => positions.get(self.next).and_then(|&i| row.get(i)),
            Texts::Typed(_) => None,
        };
        self.next += 1;
        text.unwrap_or_default()
    }

    /// The next column's value, from its text or its typed cell.
    #[inline]
    pub fn next_field<T: RecordField>(&mut self) -> Result<T, String> {
        match self.texts {
            Texts::Typed(cells) => {
                let cell = cells.get(self.next).copied().unwrap_or(TypedCell::Null);
                self.next += 1;
                T::from_typed(cell)
            }
            _ => T::parse_cell(self.next_cell()),
        }
    }
}

/// The value cells of a row being written, one reusable buffer per column.
#[derive(Debug, Default)]
pub struct CellsOut {
    texts: Vec<String>,
    next: usize,
}

impl CellsOut {
    /// Empties every cell and starts again at the first column.
    pub fn clear(&mut self) {
        self.texts.iter_mut().for_each(String::clear);
        self.next = 0;
    }

    /// The next column's (empty) cell.
    pub fn next_cell(&mut self) -> &mut String {
        if self.next == self.texts.len() {
            self.texts.push(String::new());
        }
        self.next += 1;
        &mut self.texts[self.next - 1]
    }

    /// The cells written since [`CellsOut::clear`].
    pub fn written(&self) -> impl Iterator<Item = &str> {
        self.texts[..self.next].iter().map(String::as_str)
    }
}

macro_rules! scalar_event_value {
    ($($rust:ty),*) => {$(
        impl EventValue for $rust {
            type Owned = <$rust as TextValue>::Owned;

            fn columns() -> &'static [&'static str] {
                &["value"]
            }

            fn parse_cells(cells: &mut Cells<'_>) -> Result<Self::Owned, String> {
                cells.next_field::<Self::Owned>()
            }

            fn write_cells(&self, cells: &mut CellsOut) -> Result<(), String> {
                self.write_text(cells.next_cell());
                Ok(())
            }

            fn column_types() -> &'static [ColumnType] {
                const TYPES: &[ColumnType] = &[<<$rust as TextValue>::Owned as RecordField>::TYPE];
                TYPES
            }

            fn typed_cells(&self, each: &mut dyn FnMut(TypedCell<'_>)) {
                each(TypedCell::from(self));
            }
        }
    )*};
}

scalar_event_value!(bool, i64, f64, str, DateTime, TimeDelta);
