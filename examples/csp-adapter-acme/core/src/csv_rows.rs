//! The rows of a CSV file, read fast: a row without quotes (nearly every
//! row of an events file) is split at its commas in place; a row with
//! quotes, which may span lines, goes through the `csv` crate's parser.
//!
//! Rows end with `\n` or `\r\n`; blank lines are skipped, as `csv` does.

use std::io::{self, Read};
use std::ops::Range;

/// Bytes read from the input at a time (a buffer grows for a longer row).
const READ_SIZE: usize = 1 << 16;

/// What stopped a row from being read.
#[derive(Debug)]
pub(crate) enum RowError {
    Io(io::Error),
    /// The row (starting at `line`) is not valid UTF-8.
    Utf8 {
        line: u64,
    },
    /// The `csv` parser refused a quoted row starting at `line`.
    Csv {
        line: u64,
        what: String,
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
    /// (the fields of a quoted row, unescaped).
    fields: Vec<Range<usize>>,
    unquoted: String,
    record: csv::StringRecord,
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
            unquoted: String::new(),
            record: csv::StringRecord::new(),
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

    /// The next row, which has quotes: `csv` parses it.
    #[cold]
    fn next_quoted(&mut self) -> Result<Option<Row<'_>>, RowError> {
        let Some((row, consumed, lines)) = self.next_extent()? else {
            return Ok(None);
        };
        let line = self.line;
        self.line += lines;
        self.start = consumed;
        self.parse_quoted(row, line)?;
        Ok(Some(Row {
            text: &self.unquoted,
            fields: &self.fields,
            line,
        }))
    }

    /// The bytes of the next row (without its `\n`), where the unread bytes
    /// start after it, and how many lines it takes. A `\n` inside quotes
    /// does not end a row.
    fn next_extent(&mut self) -> Result<Option<(Range<usize>, usize, u64)>, RowError> {
        loop {
            let unread = &self.buffer[self.start..self.end];
            let mut quoted = false;
            let mut lines = 0;
            let mut from = 0;
            for newline in memchr::memchr_iter(b'\n', unread) {
                lines += 1;
                quoted ^= memchr::memchr_iter(b'"', &unread[from..newline]).count() % 2 == 1;
                from = newline + 1;
                if !quoted {
                    let row = self.start..self.start + newline;
                    return Ok(Some((row, self.start + newline + 1, lines)));
                }
            }
            if self.eof {
                return Ok(match unread.is_empty() {
                    true => None,
                    // The last row has no `\n` (or an unclosed quote: csv's parser decides).
                    false => Some((self.start..self.end, self.end, lines)),
                });
            }
            self.fill()?;
        }
    }

    /// Reads more input after the unread bytes, moving them to the front
    /// (and growing the buffer when they fill it).
    #[cold]
    fn fill(&mut self) -> Result<(), RowError> {
        self.buffer.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.buffer.len() - self.end < READ_SIZE / 2 {
            self.buffer.resize(self.buffer.len() + READ_SIZE, 0);
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

    /// Parses a row with quotes with `csv`, into `unquoted` and `fields`.
    #[cold]
    fn parse_quoted(&mut self, row: Range<usize>, line: u64) -> Result<(), RowError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&self.buffer[row]);
        match csv.read_record(&mut self.record) {
            Ok(_) => {}
            Err(error) => {
                return Err(match error.kind() {
                    csv::ErrorKind::Utf8 { .. } => RowError::Utf8 { line },
                    other => RowError::Csv {
                        line,
                        what: format!("{other:?}"),
                    },
                });
            }
        }
        self.unquoted.clear();
        self.fields.clear();
        for field in &self.record {
            let from = self.unquoted.len();
            self.unquoted.push_str(field);
            self.fields.push(from..self.unquoted.len());
        }
        Ok(())
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
    fn invalid_utf8_names_the_line() {
        let mut reader = RowReader::new(&b"a\nb,\xff\n"[..]);
        assert!(reader.next_row().unwrap().is_some());
        assert!(matches!(reader.next_row(), Err(RowError::Utf8 { line: 2 })));
        let mut quoted = RowReader::new(&b"\"\xff\"\n"[..]);
        assert!(matches!(quoted.next_row(), Err(RowError::Utf8 { line: 1 })));
    }
}
