//! Events files: CSV, UTF-8, header `time,symbol,` then the value's columns
//! (`value` for a scalar, `value.<field>` per field of a record), one event a
//! row.
//!
//! `time` and the values are in the text forms of [`crate::text`]. Rows are
//! in non-decreasing time order; rows with the same time form one batch.
//! [`EventsReader`] checks all of that and says which line is wrong (the
//! header is line 1); [`EventsWriter`] writes files it reads back exactly.

use std::cell::Cell;
use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::marker::PhantomData;
use std::path::Path;

use crate::csv_rows::{Row, RowError, RowReader};
use crate::row::{Cells, CellsOut, EventValue};
use crate::text::{Day, TextValue, datetime_error, parse_datetime};
use crate::time::DateTime;

/// The columns every events file starts with; the value's follow.
pub const EVENT_COLUMNS: [&str; 2] = ["time", "symbol"];

/// The header of an events file of values of type `V`, comma-separated.
pub fn header<V: EventValue + ?Sized>() -> String {
    EVENT_COLUMNS
        .iter()
        .chain(V::columns())
        .copied()
        .collect::<Vec<_>>()
        .join(",")
}

/// One event: a value for a symbol at a time. Sources hand out events with
/// their own symbol (`String`); [`EventsReader::next_event_ref`] lends it (`&str`).
#[derive(Clone, Debug, PartialEq)]
pub struct Event<V, S = String> {
    pub time: DateTime,
    pub symbol: S,
    pub value: V,
}

impl<V> Event<V, &str> {
    /// The event with a symbol of its own.
    pub fn into_owned(self) -> Event<V> {
        Event {
            time: self.time,
            symbol: self.symbol.to_owned(),
            value: self.value,
        }
    }
}

/// What went wrong with an events file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventsErrorKind {
    /// The file does not exist.
    NotFound,
    /// It could not be opened, read or written.
    Io,
    /// A row or the header is not what the format says, or a message of a
    /// live source did not decode (`ValueError`).
    Malformed,
    /// A live source lost its peer for good (`ConnectionError`).
    Connection,
}

/// An error that names the file and, for bad content, the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventsError {
    kind: EventsErrorKind,
    message: String,
}

impl EventsError {
    fn new(kind: EventsErrorKind, message: String) -> Self {
        Self { kind, message }
    }

    fn malformed(name: &str, line: u64, what: impl fmt::Display) -> Self {
        Self::new(
            EventsErrorKind::Malformed,
            format!("{name}, line {line}: {what}"),
        )
    }

    pub(crate) fn io(name: &str, error: &io::Error) -> Self {
        let kind = match error.kind() {
            io::ErrorKind::NotFound => EventsErrorKind::NotFound,
            _ => EventsErrorKind::Io,
        };
        Self::new(kind, format!("{name}: {error}"))
    }

    /// A source that failed otherwise (a vendor SDK error): `csp.run`
    /// raises it as a `RuntimeError`.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(EventsErrorKind::Io, message.into())
    }

    /// Bad data from a source (a message that does not decode): `csp.run`
    /// raises it as a `ValueError`. Name where it came from in `message`.
    pub fn bad_data(message: impl Into<String>) -> Self {
        Self::new(EventsErrorKind::Malformed, message.into())
    }

    /// A peer that cannot be reached, or was lost for good: `csp.run`
    /// raises it as a `ConnectionError`. Name the peer in `message`.
    pub fn connection(message: impl Into<String>) -> Self {
        Self::new(EventsErrorKind::Connection, message.into())
    }

    pub fn kind(&self) -> EventsErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EventsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EventsError {}

/// Reads events of value type `V` from an events file, checking each row.
pub struct EventsReader<V: EventValue + ?Sized, R: Read = File> {
    name: String,
    rows: RowReader<R>,
    /// Where `time`, `symbol` and the value's columns are in a row.
    positions: Vec<usize>,
    last_time: Option<DateTime>,
    /// The date of the last row's time (rows mostly share theirs).
    last_day: Cell<Option<Day>>,
    _value: PhantomData<fn() -> V::Owned>,
}

impl<V: EventValue + ?Sized> EventsReader<V> {
    /// Opens `path` and checks its header.
    pub fn open(path: &Path) -> Result<Self, EventsError> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|error| EventsError::io(&name, &error))?;
        Self::new(name, file)
    }
}

impl<V: EventValue + ?Sized, R: Read> EventsReader<V, R> {
    /// Reads events from `reader`; `name` stands for it in error messages.
    pub fn new(name: String, reader: R) -> Result<Self, EventsError> {
        let mut rows = RowReader::new(reader);
        // The header's line: blank lines before it are skipped.
        let positions = match rows.next_row() {
            Ok(Some(header)) => {
                column_positions::<V>(&header).map_err(|what| (header.line(), what))
            }
            Ok(None) => Err((
                1,
                format!(
                    "the file is empty: it needs the header {}",
                    self::header::<V>()
                ),
            )),
            Err(error) => return Err(row_error(&name, error)),
        }
        .map_err(|(line, what)| EventsError::malformed(&name, line, what))?;
        Ok(Self {
            name,
            rows,
            positions,
            last_time: None,
            last_day: Cell::new(None),
            _value: PhantomData,
        })
    }

    /// The next event, `None` at the end of the file.
    pub fn next_event(&mut self) -> Result<Option<Event<V::Owned>>, EventsError> {
        Ok(self.next_event_ref()?.map(Event::into_owned))
    }

    /// The next event with its symbol lent from the row (no `String` made),
    /// `None` at the end of the file.
    pub fn next_event_ref(&mut self) -> Result<Option<Event<V::Owned, &str>>, EventsError> {
        let row = match self.rows.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => return Ok(None),
            Err(error) => return Err(row_error(&self.name, error)),
        };
        let event = parse_row::<V>(&row, &self.positions, &self.last_day, self.last_time)
            .map_err(|what| EventsError::malformed(&self.name, row.line(), what))?;
        self.last_time = Some(event.time);
        Ok(Some(event))
    }
}

fn parse_row<'a, V: EventValue + ?Sized>(
    row: &Row<'a>,
    positions: &[usize],
    last_day: &Cell<Option<Day>>,
    last_time: Option<DateTime>,
) -> Result<Event<V::Owned, &'a str>, String> {
    if row.len() != positions.len() {
        return Err(format!(
            "{} fields where the header has {}",
            row.len(),
            positions.len()
        ));
    }
    let field = |index: usize| row.get(positions[index]).unwrap_or_default();
    let (time, symbol) = (field(0), field(1));
    let mut day = last_day.get();
    let time = parse_datetime(time, &mut day).ok_or_else(|| datetime_error("time", time))?;
    last_day.set(day);
    if let Some(last) = last_time.filter(|last| time < *last) {
        let (mut now, mut before) = (String::new(), String::new());
        time.write_text(&mut now);
        last.write_text(&mut before);
        return Err(format!(
            "time {now} is before the previous row's {before}: rows must be in time order"
        ));
    }
    if symbol.is_empty() {
        return Err("the symbol is empty".to_owned());
    }
    Ok(Event {
        time,
        symbol,
        value: V::parse_cells(&mut Cells::of_row(row, &positions[2..]))?,
    })
}

fn column_positions<V: EventValue + ?Sized>(names: &Row<'_>) -> Result<Vec<usize>, String> {
    let columns: Vec<&str> = EVENT_COLUMNS.iter().chain(V::columns()).copied().collect();
    let mut positions = vec![usize::MAX; columns.len()];
    for (index, name) in names.iter().enumerate() {
        // A UTF-8 byte order mark is not part of the first name.
        let name = if index == 0 {
            name.trim_start_matches('\u{feff}')
        } else {
            name
        };
        let Some(column) = columns.iter().position(|column| *column == name) else {
            return Err(format!(
                "unknown column {name:?}: the header must be {}",
                header::<V>()
            ));
        };
        if positions[column] != usize::MAX {
            return Err(format!("column {name:?} appears twice"));
        }
        positions[column] = index;
    }
    match columns
        .iter()
        .zip(&positions)
        .find(|(_, position)| **position == usize::MAX)
    {
        Some((missing, _)) => Err(format!(
            "column {missing:?} is missing: the header must be {}",
            header::<V>()
        )),
        None => Ok(positions),
    }
}

fn row_error(name: &str, error: RowError) -> EventsError {
    match error {
        RowError::Io(error) => EventsError::io(name, &error),
        RowError::Utf8 { line } => EventsError::malformed(name, line, "the row is not valid UTF-8"),
    }
}

/// Writes events with values of type `V` as an events file: the header,
/// then one row per event.
pub struct EventsWriter<V: EventValue + ?Sized, W: Write = BufWriter<File>> {
    name: String,
    csv: csv::Writer<W>,
    time: String,
    cells: CellsOut,
    _value: PhantomData<fn(&V)>,
}

impl<V: EventValue + ?Sized> EventsWriter<V> {
    /// Creates (or truncates) `path` and writes the header.
    pub fn create(path: &Path) -> Result<Self, EventsError> {
        let name = path.display().to_string();
        let file = File::create(path).map_err(|error| EventsError::io(&name, &error))?;
        Self::new(name, BufWriter::new(file))
    }
}

impl<V: EventValue + ?Sized, W: Write> EventsWriter<V, W> {
    pub fn new(name: String, writer: W) -> Result<Self, EventsError> {
        let mut writer = Self {
            csv: csv::WriterBuilder::new().from_writer(writer),
            name,
            time: String::new(),
            cells: CellsOut::default(),
            _value: PhantomData,
        };
        let columns = EVENT_COLUMNS.iter().chain(V::columns());
        writer
            .csv
            .write_record(columns)
            .map_err(|error| writer.error(error))?;
        Ok(writer)
    }

    /// Writes one row. A value the file cannot hold (see
    /// [`crate::record`]) is an error naming its column; nothing is written.
    pub fn write(&mut self, time: DateTime, symbol: &str, value: &V) -> Result<(), EventsError> {
        self.time.clear();
        time.write_text(&mut self.time);
        self.cells.clear();
        value.write_cells(&mut self.cells).map_err(|what| {
            EventsError::new(
                EventsErrorKind::Malformed,
                format!("{}: cannot write {symbol}'s value: {what}", self.name),
            )
        })?;
        let row = [self.time.as_str(), symbol]
            .into_iter()
            .chain(self.cells.written());
        self.csv
            .write_record(row)
            .map_err(|error| self.error(error))
    }

    /// Writes out everything buffered so far.
    pub fn flush(&mut self) -> Result<(), EventsError> {
        self.csv
            .flush()
            .map_err(|error| EventsError::io(&self.name, &error))
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(self) -> Result<W, EventsError> {
        let name = self.name;
        self.csv
            .into_inner()
            .map_err(|error| EventsError::io(&name, error.error()))
    }

    fn error(&self, error: csv::Error) -> EventsError {
        match error.into_kind() {
            csv::ErrorKind::Io(error) => EventsError::io(&self.name, &error),
            other => EventsError::new(EventsErrorKind::Io, format!("{}: {other:?}", self.name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all<V: EventValue + ?Sized>(text: &str) -> Result<Vec<Event<V::Owned>>, EventsError> {
        let mut reader = EventsReader::<V, _>::new("events.csv".to_owned(), text.as_bytes())?;
        let mut events = Vec::new();
        while let Some(event) = reader.next_event()? {
            events.push(event);
        }
        Ok(events)
    }

    fn error_of<V: EventValue + ?Sized>(text: &str) -> String {
        match read_all::<V>(text) {
            Ok(_) => panic!("{text:?} must be refused"),
            Err(error) => error.message().to_owned(),
        }
    }

    #[test]
    fn reads_rows_in_order() {
        let events = read_all::<i64>(
            "time,symbol,value\n2020-01-01T00:00:00Z,A,1\n2020-01-01T00:00:00Z,B,-2\n2020-01-01T00:00:01Z,A,3\n",
        )
        .unwrap();
        let summary: Vec<_> = events
            .iter()
            .map(|e| {
                (
                    e.time.as_nanos() - 1_577_836_800_000_000_000,
                    e.symbol.as_str(),
                    e.value,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [(0, "A", 1), (0, "B", -2), (1_000_000_000, "A", 3)]
        );
    }

    #[test]
    fn columns_in_any_order_quoting_bom_and_crlf() {
        let text = "\u{feff}value,time,symbol\r\n\"a,\"\"b\"\"\nc\",2020-01-01T00:00:00Z,\"ü x\"\r\n,2020-01-01T00:00:00Z,A\r\n";
        let events = read_all::<str>(text).unwrap();
        assert_eq!(events[0].value, "a,\"b\"\nc");
        assert_eq!(events[0].symbol, "ü x");
        assert_eq!(events[1].value, "");
    }

    #[test]
    fn bad_files_name_the_line_and_what_is_wrong() {
        let header = "time,symbol,value\n";
        let cases = [
            ("", "events.csv, line 1: the file is empty"),
            (
                "time,symbol,price\n",
                "events.csv, line 1: unknown column \"price\"",
            ),
            (
                "time,symbol\n",
                "events.csv, line 1: column \"value\" is missing",
            ),
            (
                "time,time,value\n",
                "events.csv, line 1: column \"time\" appears twice",
            ),
            (
                "time,symbol,value\n2020-01-01T00:00:00Z,A\n",
                "events.csv, line 2: 2 fields where the header has 3",
            ),
            (
                "time,symbol,value\n2020-01-01T00:00:00Z,A,1,2\n",
                "events.csv, line 2: 4 fields",
            ),
            (
                "time,symbol,value\n2020-01-01T00:00:00Z,A,1\nyesterday,A,1\n",
                "events.csv, line 3: time \"yesterday\"",
            ),
            (
                "time,symbol,value\n2020-01-01T00:00:00Z,A,x\n",
                "events.csv, line 2: int value \"x\"",
            ),
            (
                "time,symbol,value\n2020-01-01T00:00:00Z,,1\n",
                "events.csv, line 2: the symbol is empty",
            ),
            (
                "time,symbol,value\n2020-01-01T00:00:01Z,A,1\n2020-01-01T00:00:00.5Z,A,2\n",
                "events.csv, line 3: time 2020-01-01T00:00:00.500Z is before the previous row's 2020-01-01T00:00:01Z",
            ),
        ];
        for (text, expected) in cases {
            let message = error_of::<i64>(text);
            assert!(message.starts_with(expected), "{text:?}: {message}");
        }
        let late_header = "\n\ntime,symbol,price\n";
        assert!(error_of::<i64>(late_header).starts_with("events.csv, line 3: unknown column"));
        let crlf = "time,symbol,value\r\n2020-01-01T00:00:00Z,A,1\r\n\r\nbad,A,1\r\n";
        assert!(error_of::<i64>(crlf).starts_with("events.csv, line 4: time \"bad\""));
        let quoted =
            format!("{header}2020-01-01T00:00:00Z,A,\"multi\nline\"\n2020-01-01T00:00:00Z,A,x\n");
        assert!(error_of::<i64>(&quoted).starts_with("events.csv, line 2: int value"));
        let after_multiline = format!("{header}2020-01-01T00:00:00Z,A,\"multi\nline\"\nnow,A,x\n");
        assert!(error_of::<str>(&after_multiline).starts_with("events.csv, line 4: time \"now\""));
    }

    #[test]
    fn invalid_utf8_is_a_malformed_row() {
        let mut bytes = b"time,symbol,value\n2020-01-01T00:00:00Z,A,".to_vec();
        bytes.extend([0xff, 0xfe, b'\n']);
        let mut reader =
            EventsReader::<str, _>::new("events.csv".to_owned(), bytes.as_slice()).unwrap();
        let error = reader.next_event().unwrap_err();
        assert_eq!(error.kind(), EventsErrorKind::Malformed);
        assert_eq!(
            error.message(),
            "events.csv, line 2: the row is not valid UTF-8"
        );
    }

    #[test]
    fn missing_file_is_not_found() {
        let error = EventsReader::<i64>::open(Path::new("/no/such/events.csv"))
            .err()
            .unwrap();
        assert_eq!(error.kind(), EventsErrorKind::NotFound);
        assert!(error.message().starts_with("/no/such/events.csv: "));
    }

    #[test]
    fn written_files_read_back_exactly() {
        let mut writer = EventsWriter::<str, _>::new("out".to_owned(), Vec::new()).unwrap();
        let rows = [
            (DateTime::from_nanos(1), "A", "plain"),
            (DateTime::from_nanos(1), "B b", "comma, \"quote\"\nnewline"),
            (DateTime::from_nanos(2_000), "ü", ""),
            (DateTime::from_nanos(3_000), "cr", "lone\rcarriage return\r"),
        ];
        for (time, symbol, value) in rows {
            writer.write(time, symbol, value).unwrap();
        }
        let bytes = writer.into_inner().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("time,symbol,value\n1970-01-01T00:00:00.000000001Z,A,plain\n"));
        let events = read_all::<str>(&text).unwrap();
        let back: Vec<_> = events
            .iter()
            .map(|e| (e.time, e.symbol.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(back, rows);
    }

    /// A record as `csp_api::record!` makes it: one column per field.
    #[derive(Debug, PartialEq)]
    struct Quote {
        price: f64,
        note: Option<String>,
    }

    impl EventValue for Quote {
        type Owned = Quote;

        fn columns() -> &'static [&'static str] {
            &["value.price", "value.note"]
        }

        fn parse_cells(cells: &mut Cells<'_>) -> Result<Quote, String> {
            use crate::record::RecordField;
            Ok(Quote {
                price: f64::parse_cell(cells.next_cell())
                    .map_err(|e| format!("value.price: {e}"))?,
                note: Option::parse_cell(cells.next_cell())
                    .map_err(|e| format!("value.note: {e}"))?,
            })
        }

        fn write_cells(&self, cells: &mut CellsOut) -> Result<(), String> {
            use crate::record::RecordField;
            self.price.write_cell(cells.next_cell())?;
            self.note.write_cell(cells.next_cell())
        }

        fn column_types() -> &'static [crate::row::ColumnType] {
            use crate::record::RecordField;
            const TYPES: &[crate::row::ColumnType] = &[f64::TYPE, Option::<String>::TYPE];
            TYPES
        }

        fn typed_cells(&self, each: &mut dyn FnMut(crate::row::TypedCell<'_>)) {
            use crate::record::RecordField;
            each(self.price.typed());
            each(self.note.typed());
        }
    }

    #[test]
    fn records_take_one_column_per_field() {
        let text = "value.note,time,symbol,value.price\n\
                    hi,2020-01-01T00:00:00Z,A,1.5\n\
                    ,2020-01-01T00:00:00Z,B,-0.0\n";
        let events = read_all::<Quote>(text).unwrap();
        let values: Vec<_> = events.into_iter().map(|e| e.value).collect();
        let expected = [
            Quote {
                price: 1.5,
                note: Some("hi".to_owned()),
            },
            Quote {
                price: -0.0,
                note: None,
            },
        ];
        assert_eq!(values, expected);
        let mut writer = EventsWriter::<Quote, _>::new("out".to_owned(), Vec::new()).unwrap();
        for value in &values {
            writer.write(DateTime::from_nanos(0), "A", value).unwrap();
        }
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(
            text,
            "time,symbol,value.price,value.note\n\
             1970-01-01T00:00:00Z,A,1.5,hi\n1970-01-01T00:00:00Z,A,-0.0,\n"
        );
    }

    #[test]
    fn bad_record_rows_name_the_column() {
        let header = "time,symbol,value.price,value.note\n";
        assert!(
            error_of::<Quote>("time,symbol,value\n")
                .starts_with("events.csv, line 1: unknown column \"value\": the header must be time,symbol,value.price,value.note")
        );
        let bad_price = format!("{header}2020-01-01T00:00:00Z,A,x,\n");
        assert!(
            error_of::<Quote>(&bad_price)
                .starts_with("events.csv, line 2: value.price: float value \"x\"")
        );
        let empty_price = format!("{header}2020-01-01T00:00:00Z,A,,n\n");
        assert!(
            error_of::<Quote>(&empty_price)
                .starts_with("events.csv, line 2: value.price: float value \"\"")
        );
        let mut writer = EventsWriter::<Quote, _>::new("out.csv".to_owned(), Vec::new()).unwrap();
        let empty = Quote {
            price: 1.0,
            note: Some(String::new()),
        };
        let error = writer
            .write(DateTime::from_nanos(0), "A", &empty)
            .unwrap_err();
        assert!(
            error
                .message()
                .starts_with("out.csv: cannot write A's value: an empty str"),
            "{error}"
        );
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(
            text.lines().count(),
            1,
            "nothing of the refused row is written"
        );
    }
}
