//! The pure Rust core of the adapter: csp's time types, the text forms of
//! values, events files, record fields, event sources, the demo logic and
//! the order of the pushes in a csp batch ([`batch_order`]).
//!
//! Nothing here links csp or Python, so `cargo test` runs it anywhere.
//! Put logic you want to unit-test without a csp engine here.

pub mod batch_order;
mod csv_rows;
pub mod demo;
pub mod events;
pub mod overflow;
pub mod record;
pub mod row;
pub mod sink;
pub mod source;
pub mod stats;
pub mod status;
pub mod stop;
pub mod text;
pub mod time;

pub use events::{Event, EventsError, EventsErrorKind, EventsReader, EventsWriter};
pub use overflow::{DroppingSource, WhenFull};
pub use record::RecordField;
pub use row::{CellType, Cells, CellsOut, ColumnType, EventValue, TypedCell};
pub use sink::SinkFile;
pub use source::{EachEvent, EventsFile, LentEvent, Source, SourceContext, Synthetic};
pub use stats::{FeedCounts, Stats, StatsSnapshot};
pub use status::{Level, SourceStatus, StatusReporter};
pub use stop::StopSignal;
pub use text::TextValue;
pub use time::{DateTime, TimeDelta};
