//! The rows of a CSV file, read fast: a row without quotes (nearly every
//! row of an events file) is split at its commas in place; a row with
//! quotes, which may span lines, is unquoted into a buffer of its own.
//! Quotes are read as the `csv` crate (which writes the files) reads them: a
//! quote opens a quoted field only at the start of a field, `""` inside one
//! is a quote, and a line end inside one belongs to the field.
//!
//! Rows end with `\n` or `\r\n`; blank lines are skipped, as `csv` does.
//! Unlike `csv`'s, a row's line is right after `\r\n` and blank lines, and a
//! lone `\r` stays in its field (where a value's parser refuses it).

use std::io::{self, Read};
use std::ops::Range;

/// The buffer's first size (it doubles for a longer row).
const READ_SIZE: usize = 1 << 16;

/// What stopped a row from being read.
#[derive(Debug)]
pub(crate) enum RowError {
    Io(io::Error),
    /// The row (starting at `line`) is not valid UTF-8.
    Utf8 {
        line: u64,
    },
}

/// One row: its fields, and the line it starts at (1-based).
pub(crate) struct Row<'a> {
    text: &'a str,
    fields: &'a [Range<usize>],
    line: u64,
}

impl<'a> Row<'a> {
    pub(crate) fn len(&self) -> usize {
        self.fields.len()
    }

    /// Field `index`, or `None` past the last one.
    pub(crate) fn get(&self, index: usize) -> Option<&'a str> {
        let text = self.text;
        self.fields.get(index).map(|range| &text[range.clone()])
    }

    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a str> {
        let text = self.text;
        self.fields.iter().map(move |range| &text[range.clone()])
    }
}

pub(crate) struct RowReader<R> {
    input: R,
    buffer: Vec<u8>,
    /// The unread bytes are `buffer[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
    /// The line the next row starts at.
    line: u64,
    /// Where the current row's fields are: in `buffer`, or in `unquoted`
    /// (the fields of a quoted row, without their quotes).
    fields: Vec<Range<usize>>,
    unquoted: Vec<u8>,
}

/// Where a scan is in a row, as `csv` sees quotes.
#[derive(Clone, Copy)]
enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: it ends the field, unless a quote follows.
    QuoteInQuoted,
}

/// What the first unread bytes hold.
enum Scan {
    /// A row without quotes, this many bytes long (its `\n` excluded).
    Plain(usize),
    /// A row with quotes.
    Quoted,
    /// The start of a row that goes on past the buffer.
    Partial,
    /// Nothing: the input has ended.
    End,
}

impl<R: Read> RowReader<R> {
    pub(crate) fn new(input: R) -> Self {
        Self {
            input,
            buffer: vec![0; READ_SIZE],
            start: 0,
            end: 0,
            eof: false,
            line: 1,
            fields: Vec::new(),
            unquoted: Vec::new(),
        }
    }

    /// The next row, `None` at the end of the input.
    pub(crate) fn next_row(&mut self) -> Result<Option<Row<'_>>, RowError> {
        let (row, line) = loop {
            let length = match self.split_plain() {
                Scan::Plain(length) => length,
                Scan::Quoted => return self.next_quoted(),
                Scan::Partial => {
                    self.fill()?;
                    continue;
                }
                Scan::End => return Ok(None),
            };
            let line = self.line;
            self.line += 1;
            let mut row = self.start..self.start + length;
            self.start = (row.end + 1).min(self.end);
            if row.end > row.start && self.buffer[row.end - 1] == b'\r' {
                row.end -= 1;
                if let Some(last) = self.fields.last_mut() {
                    last.end -= 1;
                }
            }
            if !row.is_empty() {
                break (row, line);
            }
        };
        let text = std::str::from_utf8(&self.buffer[row]).map_err(|_| RowError::Utf8 { line })?;
        Ok(Some(Row {
            text,
            fields: &self.fields,
            line,
        }))
    }

    /// Splits the first unread row at its commas into `fields` when it has
    /// no quote and is all in the buffer.
    #[inline]
    fn split_plain(&mut self) -> Scan {
        let unread = &self.buffer[self.start..self.end];
        self.fields.clear();
        let mut from = 0;
        for (at, &byte) in unread.iter().enumerate() {
            // Every byte that matters here is at most ',': one comparison
            // passes digits, letters and the time's punctuation.
            if byte > b',' {
                continue;
            }
            match byte {
                b',' => {
                    self.fields.push(from..at);
                    from = at + 1;
                }
                b'\n' => {
                    self.fields.push(from..at);
                    return Scan::Plain(at);
                }
                b'"' => return Scan::Quoted,
                _ => {}
            }
        }
        match (self.eof, unread.is_empty()) {
            (false, _) => Scan::Partial,
            (true, true) => Scan::End,
            // The last row, without a `\n`.
            (true, false) => {
                self.fields.push(from..unread.len());
                Scan::Plain(unread.len())
            }
        }
    }

    /// The next row, which has quotes, unquoted.
    fn next_quoted(&mut self) -> Result<Option<Row<'_>>, RowError> {
        let (consumed, lines) = loop {
            match self.unquote_row() {
                (Some(length), lines) => break (self.start + length + 1, lines + 1),
                // The last row has no `\n` (or an unclosed quote).
                (None, lines) if self.eof => break (self.end, lines),
                (None, _) => self.fill()?,
            }
        };
        let line = self.line;
        self.line += lines;
        self.start = consumed;
        let text = std::str::from_utf8(&self.unquoted).map_err(|_| RowError::Utf8 { line })?;
        // The fields lie side by side in `unquoted`: the bytes of two can
        // make one character where neither is UTF-8 alone.
        let split = |at: usize| !text.is_char_boundary(at);
        if (self.fields.iter()).any(|field| split(field.start) || split(field.end)) {
            return Err(RowError::Utf8 { line });
        }
        Ok(Some(Row {
            text,
            fields: &self.fields,
            line,
        }))
    }

    /// Splits the first unread row into `fields` of `unquoted`, its fields
    /// without their quotes. Returns its length if its `\n` is in the
    /// buffer, and the line ends inside its quotes.
    fn unquote_row(&mut self) -> (Option<usize>, u64) {
        self.unquoted.clear();
        self.fields.clear();
        let unread = &self.buffer[self.start..self.end];
        let (mut from, mut lines, mut state) = (0, 0, Quoting::FieldStart);
        let mut length = None;
        for (at, &byte) in unread.iter().enumerate() {
            state = match (state, byte) {
                (Quoting::Quoted, b'"') => Quoting::QuoteInQuoted,
                (Quoting::QuoteInQuoted, b'"') | (Quoting::Quoted, _) => {
                    lines += u64::from(byte == b'\n');
                    self.unquoted.push(byte);
                    Quoting::Quoted
                }
                (_, b'\n') => {
                    length = Some(at);
                    break;
                }
                (_, b',') => {
                    self.fields.push(from..self.unquoted.len());
                    from = self.unquoted.len();
                    Quoting::FieldStart
                }
                (Quoting::FieldStart, b'"') => Quoting::Quoted,
                _ => {
                    self.unquoted.push(byte);
                    Quoting::Unquoted
                }
            };
        }
        // A `\r` outside quotes before the row's end is part of the end.
        let row_end = length.unwrap_or(unread.len());
        let carriage_return = row_end > 0 && unread[row_end - 1] == b'\r';
        if carriage_return && !matches!(state, Quoting::Quoted) {
            self.unquoted.pop();
        }
        self.fields.push(from..self.unquoted.len());
        (length, lines)
    }

    /// Reads more input after the unread bytes, moving them to the front;
    /// a buffer they fill more than half of doubles, so that a long row is
    /// scanned a few times at most.
    #[cold]
    fn fill(&mut self) -> Result<(), RowError> {
        self.buffer.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.end > self.buffer.len() / 2 {
            self.buffer.resize(self.buffer.len() * 2, 0);
        }
        loop {
            match self.input.read(&mut self.buffer[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(read) => {
                    self.end += read;
                    return Ok(());
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(RowError::Io(error)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &[u8]) -> Vec<(u64, Vec<String>)> {
        let mut reader = RowReader::new(text);
        let mut rows = Vec::new();
        while let Some(row) = reader.next_row().unwrap() {
            rows.push((row.line(), row.iter().map(str::to_owned).collect()));
        }
        rows
    }

    fn row(line: u64, fields: &[&str]) -> (u64, Vec<String>) {
        (line, fields.iter().map(|&f| f.to_owned()).collect())
    }

    /// Found by the events_file fuzz target: a quoted field ending in a
    /// character's first byte, next to a field starting with its last.
    #[test]
    fn fields_that_are_utf8_only_together_are_an_error() {
        let mut reader = RowReader::new(&b"\"\xdd\",\"\xa2\"\n"[..]);
        assert!(matches!(reader.next_row(), Err(RowError::Utf8 { line: 1 })));
        let mut reader = RowReader::new(&b"\"\"\"\n\0\"#\0\xdd,\"\xa2\"\"\"\n\0\"#\0t\0"[..]);
        while let Ok(Some(_)) = reader.next_row() {}
    }

    #[test]
    fn splits_rows_at_commas() {
        assert_eq!(
            rows(b"a,b,c\n1,,3\n,\nlast"),
            [
                row(1, &["a", "b", "c"]),
                row(2, &["1", "", "3"]),
                row(3, &["", ""]),
                row(4, &["last"]),
            ]
        );
    }

    #[test]
    fn quoted_rows_span_lines_and_keep_their_line() {
        let text = b"\"a,\"\"b\"\"\nc\",d\r\n\r\n\nx,\"y\"\r\nz\n";
        assert_eq!(
            rows(text),
            [
                row(1, &["a,\"b\"\nc", "d"]),
                row(5, &["x", "y"]),
                row(6, &["z"]),
            ]
        );
    }

    #[test]
    fn rows_longer_than_the_buffer() {
        let long = "x".repeat(3 * READ_SIZE + 7);
        let text = format!("{long},1\n\"{long}\n{long}\",2\n3\n");
        let read = rows(text.as_bytes());
        assert_eq!(read.len(), 3);
        assert_eq!(read[0].1, [long.clone(), "1".to_owned()]);
        assert_eq!(read[1], row(2, &[&format!("{long}\n{long}"), "2"]));
        assert_eq!(read[2], row(4, &["3"]));
    }

    #[test]
    fn quotes_inside_a_field_are_characters() {
        let text = b"a,5\" pipe\nb,\"x\"y\"z\n\"q\"\"\n\",w\nlast\n";
        assert_eq!(
            rows(text),
            [
                row(1, &["a", "5\" pipe"]),
                row(2, &["b", "xy\"z"]),
                row(3, &["q\"\n", "w"]),
                row(5, &["last"]),
            ]
        );
    }

    #[test]
    fn a_lone_carriage_return_stays_in_its_field() {
        assert_eq!(
            rows(b"\"a\",b\rc\r\nd\re\n"),
            [row(1, &["a", "b\rc"]), row(2, &["d\re"])]
        );
    }

    /// Rows as the `csv` crate reads them, with the line each starts at
    /// (csv's own line lags after a `\r\n`: counted from its byte offset).
    fn csv_rows(text: &[u8]) -> Vec<(u64, Vec<String>)> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut rows = Vec::new();
        for record in csv.records() {
            let record = record.unwrap();
            let mut start = record.position().map_or(0, |p| p.byte() as usize);
            while matches!(text.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            let line = 1 + text[..start].iter().filter(|&&b| b == b'\n').count() as u64;
            rows.push((line, record.iter().map(str::to_owned).collect()));
        }
        rows
    }

    #[test]
    fn reads_what_csv_reads() {
        let pieces: [&[u8]; 9] = [
            b"a",
            b"bc",
            b",",
            b"\"",
            b"\"\"",
            b"\n",
            b"\r\n",
            b" ",
            "ü".as_bytes(),
        ];
        // A fixed xorshift sequence: the same texts on every run.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5000 {
            let mut text = Vec::new();
            for _ in 0..next() % 40 {
                text.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
            }
            assert_eq!(
                rows(&text),
                csv_rows(&text),
                "{:?}",
                String::from_utf8_lossy(&text)
            );
        }
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let mut reader = RowReader::new(&b"a\nb,\xff\n"[..]);
        assert!(reader.next_row().unwrap().is_some());
        assert!(matches!(reader.next_row(), Err(RowError::Utf8 { line: 2 })));
        let mut quoted = RowReader::new(&b"\"\xff\"\n"[..]);
        assert!(matches!(quoted.next_row(), Err(RowError::Utf8 { line: 1 })));
    }
}
