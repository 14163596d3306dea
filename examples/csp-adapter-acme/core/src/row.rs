//! How a value fills the cells of an events-file row after `time` and
//! `symbol`: a scalar fills one `value` cell, a record one `value.<field>`
//! cell per field ([`crate::record`]).

use crate::csv_rows::Row;
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

    /// The next column's text (empty past the last one).
    pub fn next_cell(&mut self) -> &'a str {
        let text = match self.texts {
            Texts::Slice(texts) => texts.get(self.next).copied(),
            Texts::Row(row, positions) => positions.get(self.next).and_then(|&i| row.get(i)),
        };
        self.next += 1;
        text.unwrap_or_default()
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
                <$rust as TextValue>::parse_text(cells.next_cell())
            }

            fn write_cells(&self, cells: &mut CellsOut) -> Result<(), String> {
                self.write_text(cells.next_cell());
                Ok(())
            }
        }
    )*};
}

scalar_event_value!(bool, i64, f64, str, DateTime, TimeDelta);
