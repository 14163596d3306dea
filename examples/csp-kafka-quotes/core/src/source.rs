//! Where an adapter manager's events come from.
//!
//! A [`Source`] hands out events a batch at a time: what arrives together
//! reaches the csp engine together. Two come with the project: [`EventsFile`]
//! replays an events file (rows with the same time are one batch) and
//! [`Synthetic`] generates the demo feed. Bring your own feed (a socket, a
//! vendor SDK) by implementing [`Source`]; it is opened with a
//! [`SourceContext`]: the symbols the graph subscribed to, the signal that
//! the run is stopping, which a source that blocks must heed, and where it
//! reports statuses.

use std::path::Path;

use crate::demo::DemoValue;
use crate::events::{Event, EventsError, EventsReader};
use crate::row::EventValue;
use crate::status::StatusReporter;
use crate::stop::StopSignal;
use crate::time::{DateTime, TimeDelta};

/// What a source is opened with, at the start of a run.
#[derive(Clone, Debug)]
pub struct SourceContext {
    /// The run's start time.
    pub start: DateTime,
    /// The symbols the graph subscribed to, sorted, each once: a live
    /// source subscribes upstream to these (the feed drops the events of
    /// any other symbol).
    pub symbols: Vec<String>,
    /// Given when the run stops. A source that blocks waiting for its peer
    /// must return soon after (see [`StopSignal`]): the run's end waits
    /// for it, at most a second, and then leaves its thread behind.
    pub stop: StopSignal,
    /// Where the source reports its connection and bad messages: they tick
    /// on the manager's `status()` in order with its events.
    pub status: StatusReporter,
}

impl SourceContext {
    /// The context of a run from `start` with these subscriptions.
    pub fn new(start: DateTime, symbols: Vec<String>) -> Self {
        Self {
            start,
            symbols,
            stop: StopSignal::default(),
            status: StatusReporter::default(),
        }
    }
}

/// An event whose symbol is lent (see [`Source::next_batch_lent`]).
pub type LentEvent<'a, V> = Event<<V as EventValue>::Owned, &'a str>;

/// Where [`Source::next_batch_lent`] and [`Source::next_events`] hand events.
pub type EachEvent<'e, V> = dyn FnMut(LentEvent<'_, V>) + 'e;

/// Hands an event of its own to `each`, lending its symbol.
fn hand_owned<V: EventValue + ?Sized>(each: &mut EachEvent<'_, V>, event: Event<V::Owned>) {
    each(Event {
        time: event.time,
        symbol: &event.symbol,
        value: event.value,
    });
}

/// A feed of events with values of type `V` (`str` for strings).
///
/// Implement [`Source::next_batch`]; the two methods after it have
/// defaults built on it, which a source may override to save a `String`
/// per event: the realtime feed reads through [`Source::next_batch_lent`],
/// a simulation through [`Source::next_events`].
pub trait Source<V: EventValue + ?Sized>: Send {
    /// Appends the next batch of events to `batch` (which the caller has
    /// emptied). Returns `Ok(false)`, with nothing appended, once the feed
    /// has ended. A live feed blocks here until it has something.
    fn next_batch(&mut self, batch: &mut Vec<Event<V::Owned>>) -> Result<bool, EventsError>;

    /// Hands the events of the next batch to `each`, their symbols lent;
    /// otherwise as [`Source::next_batch`] (on `Err`, the caller drops what
    /// was handed of the failing batch). The default reads the batch into
    /// `scratch`; [`Synthetic`] overrides it to lend its symbols.
    fn next_batch_lent(
        &mut self,
        scratch: &mut Vec<Event<V::Owned>>,
        each: &mut EachEvent<'_, V>,
    ) -> Result<bool, EventsError> {
        scratch.clear();
        let more = self.next_batch(scratch)?;
        scratch
            .drain(..)
            .for_each(|event| hand_owned::<V>(each, event));
        Ok(more)
    }

    /// Hands the next events to `each`, as many as is convenient and not
    /// necessarily a batch, their symbols lent. Returns `Ok(false)`, having
    /// handed nothing, once the feed has ended; on `Err`, the events handed
    /// before stay handed. The default hands out one batch
    /// ([`Source::next_batch_lent`]); [`EventsFile`] overrides it to read
    /// rows without looking ahead for the end of a batch.
    fn next_events(
        &mut self,
        scratch: &mut Vec<Event<V::Owned>>,
        each: &mut EachEvent<'_, V>,
    ) -> Result<bool, EventsError> {
        self.next_batch_lent(scratch, each)
    }

    /// Whether the next batch is there without waiting: `true` for a file
    /// or a generated feed, `false` (the default) for a live feed that may
    /// block in [`Source::next_batch`] until something arrives. The realtime
    /// feed sends batches that are ready one after another to the engine
    /// together (each still ticks as a batch of its own); after a batch
    /// whose next one is not ready, it sends at once.
    fn next_batch_ready(&self) -> bool {
        false
    }

    /// Whether the source follows a live peer, with no history to replay:
    /// `csp.run(realtime=False)` refuses it at once instead of waiting for
    /// events that will not come. By default a source is live unless its
    /// next batch is always ready ([`Source::next_batch_ready`]); a source
    /// of recorded events that waits (a query, say) returns `false`.
    fn is_live(&self) -> bool {
        !self.next_batch_ready()
    }
}

impl<V: EventValue + ?Sized, S: Source<V> + ?Sized> Source<V> for Box<S> {
    fn next_batch(&mut self, batch: &mut Vec<Event<V::Owned>>) -> Result<bool, EventsError> {
        (**self).next_batch(batch)
    }

    fn next_batch_lent(
        &mut self,
        scratch: &mut Vec<Event<V::Owned>>,
        each: &mut EachEvent<'_, V>,
    ) -> Result<bool, EventsError> {
        (**self).next_batch_lent(scratch, each)
    }

    fn next_events(
        &mut self,
        scratch: &mut Vec<Event<V::Owned>>,
        each: &mut EachEvent<'_, V>,
    ) -> Result<bool, EventsError> {
        (**self).next_events(scratch, each)
    }

    fn next_batch_ready(&self) -> bool {
        (**self).next_batch_ready()
    }

    fn is_live(&self) -> bool {
        (**self).is_live()
    }
}

/// Rows [`EventsFile::next_events`] reads at a time.
const ROWS_AT_ONCE: usize = 256;

/// Replays an events file, one batch per distinct time.
pub struct EventsFile<V: EventValue + ?Sized> {
    reader: EventsReader<V>,
    /// The first event of the next batch, read ahead.
    pending: Option<Event<V::Owned>>,
}

impl<V: EventValue + ?Sized> EventsFile<V> {
    /// Opens `path` and checks its header.
    pub fn open(path: &Path) -> Result<Self, EventsError> {
        Ok(Self {
            reader: EventsReader::open(path)?,
            pending: None,
        })
    }
}

impl<V: EventValue + ?Sized> Source<V> for EventsFile<V>
where
    V::Owned: Send,
{
    fn next_batch(&mut self, batch: &mut Vec<Event<V::Owned>>) -> Result<bool, EventsError> {
        let Some(first) = self
            .pending
            .take()
            .map_or_else(|| self.reader.next_event(), |event| Ok(Some(event)))?
        else {
            return Ok(false);
        };
        let time = first.time;
        batch.push(first);
        while let Some(event) = self.reader.next_event()? {
            if event.time != time {
                self.pending = Some(event);
                break;
            }
            batch.push(event);
        }
        Ok(true)
    }

    fn next_events(
        &mut self,
        _scratch: &mut Vec<Event<V::Owned>>,
        each: &mut EachEvent<'_, V>,
    ) -> Result<bool, EventsError> {
        let mut handed = false;
        if let Some(event) = self.pending.take() {
            hand_owned::<V>(each, event);
            handed = true;
        }
        for _ in 0..ROWS_AT_ONCE {
            match self.reader.next_event_ref()? {
                Some(event) => each(event),
                None => return Ok(handed),
            }
            handed = true;
        }
        Ok(true)
    }

    /// Rows are read from the file: nothing to wait for.
    fn next_batch_ready(&self) -> bool {
        true
    }
}

/// The demo feed: `count` events, value `i` by the rule in [`crate::demo`],
/// symbols in turn, `batch_size` events a batch, event `i` at
/// `start + i * step`.
#[derive(Clone, Debug)]
pub struct Synthetic {
    count: u64,
    symbols: Vec<String>,
    batch_size: u64,
    start: DateTime,
    step: TimeDelta,
    next: u64,
}

impl Synthetic {
    /// `symbols` must not be empty and `batch_size` must be at least 1.
    pub fn new(
        count: u64,
        symbols: Vec<String>,
        batch_size: u64,
        start: DateTime,
        step: TimeDelta,
    ) -> Result<Self, String> {
        if symbols.is_empty() {
            return Err("a synthetic feed needs at least one symbol".to_owned());
        }
        if batch_size == 0 {
            return Err("batch_size must be at least 1".to_owned());
        }
        Ok(Self {
            count,
            symbols,
            batch_size,
            start,
            step,
            next: 0,
        })
    }

    /// The symbol of event `index`.
    pub fn symbol(&self, index: u64) -> &str {
        // The remainder is below the number of symbols, so it fits a usize.
        &self.symbols[(index % self.symbols.len() as u64) as usize]
    }

    fn time(&self, index: u64) -> DateTime {
        let nanos = i64::try_from(index)
            .ok()
            .and_then(|i| i.checked_mul(self.step.as_nanos()))
            .unwrap_or(i64::MAX);
        self.start
            .checked_add(TimeDelta::from_nanos(nanos))
            .unwrap_or(DateTime::from_nanos(i64::MAX))
    }
}

impl<V> Source<V> for Synthetic
where
    V: EventValue + DemoValue<Owned = <V as EventValue>::Owned> + ?Sized,
    <V as EventValue>::Owned: Send,
{
    fn next_batch(
        &mut self,
        batch: &mut Vec<Event<<V as EventValue>::Owned>>,
    ) -> Result<bool, EventsError> {
        let each = &mut |event: LentEvent<'_, V>| batch.push(event.into_owned());
        Source::<V>::next_batch_lent(self, &mut Vec::new(), each)
    }

    fn next_batch_lent(
        &mut self,
        _scratch: &mut Vec<Event<<V as EventValue>::Owned>>,
        each: &mut EachEvent<'_, V>,
    ) -> Result<bool, EventsError> {
        let end = self.count.min(self.next.saturating_add(self.batch_size));
        if self.next >= end {
            return Ok(false);
        }
        for index in self.next..end {
            each(Event {
                time: self.time(index),
                symbol: self.symbol(index),
                value: <V as DemoValue>::demo(index),
            });
        }
        self.next = end;
        Ok(true)
    }

    /// Generated on the spot: nothing to wait for.
    fn next_batch_ready(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn batches<V: EventValue + ?Sized>(source: &mut dyn Source<V>) -> Vec<Vec<Event<V::Owned>>> {
        let mut all = Vec::new();
        loop {
            let mut batch = Vec::new();
            if !source.next_batch(&mut batch).unwrap() {
                assert!(batch.is_empty());
                return all;
            }
            all.push(batch);
        }
    }

    #[test]
    fn events_file_batches_rows_of_one_time() {
        let path = std::env::temp_dir().join(format!("events-{}.csv", std::process::id()));
        let mut file = std::fs::File::create(&path).unwrap();
        write!(
            file,
            "time,symbol,value\n\
             2020-01-01T00:00:00Z,A,1\n2020-01-01T00:00:00Z,B,2\n\
             2020-01-01T00:00:01Z,A,3\n\
             2020-01-01T00:00:02Z,B,4\n2020-01-01T00:00:02Z,B,5\n2020-01-01T00:00:02Z,A,6\n"
        )
        .unwrap();
        drop(file);
        let mut source = EventsFile::<i64>::open(&path).unwrap();
        let values: Vec<Vec<(String, i64)>> = batches(&mut source)
            .into_iter()
            .map(|batch| batch.into_iter().map(|e| (e.symbol, e.value)).collect())
            .collect();
        std::fs::remove_file(&path).unwrap();
        let expected = [
            vec![("A", 1), ("B", 2)],
            vec![("A", 3)],
            vec![("B", 4), ("B", 5), ("A", 6)],
        ];
        let expected: Vec<Vec<(String, i64)>> = expected
            .iter()
            .map(|batch| batch.iter().map(|(s, v)| ((*s).to_owned(), *v)).collect())
            .collect();
        assert_eq!(values, expected);
    }

    fn lent_events<V: EventValue + ?Sized>(source: &mut dyn Source<V>) -> Vec<(String, V::Owned)> {
        let (mut scratch, mut all) = (Vec::new(), Vec::new());
        let mut each = |event: LentEvent<'_, V>| all.push((event.symbol.to_owned(), event.value));
        while source.next_events(&mut scratch, &mut each).unwrap() {}
        all
    }

    #[test]
    fn next_events_lends_every_event_in_order() {
        let path = std::env::temp_dir().join(format!("lent-{}.csv", std::process::id()));
        let rows: String = (0..600)
            .map(|i| format!("2020-01-01T00:00:{:02}Z,S{},{i}\n", i / 100, i % 3))
            .collect();
        std::fs::write(&path, format!("time,symbol,value\n{rows}")).unwrap();
        let mut file = EventsFile::<i64>::open(&path).unwrap();
        // A batch first: its read-ahead row comes next.
        let mut batch = Vec::new();
        assert!(Source::<i64>::next_batch(&mut file, &mut batch).unwrap());
        let mut events: Vec<(String, i64)> =
            batch.into_iter().map(|e| (e.symbol, e.value)).collect();
        events.extend(lent_events::<i64>(&mut file));
        std::fs::remove_file(&path).unwrap();
        let expected: Vec<(String, i64)> = (0..600).map(|i| (format!("S{}", i % 3), i)).collect();
        assert_eq!(events, expected);

        let symbols = vec!["A".to_owned(), "B".to_owned()];
        let start = DateTime::UNIX_EPOCH;
        let mut synthetic = Synthetic::new(5, symbols, 2, start, TimeDelta::ZERO).unwrap();
        let lent = lent_events::<i64>(&mut synthetic);
        let mut sizes = Vec::new();
        let mut scratch = Vec::new();
        let mut again = Synthetic::new(5, vec!["A".to_owned()], 2, start, TimeDelta::ZERO).unwrap();
        loop {
            let mut size = 0;
            let more = Source::<i64>::next_batch_lent(&mut again, &mut scratch, &mut |_| size += 1);
            if !more.unwrap() {
                break;
            }
            sizes.push(size);
        }
        assert_eq!(sizes, [2, 2, 1]);
        assert_eq!(
            lent.iter().map(|(s, _)| s.as_str()).collect::<String>(),
            "ABABA"
        );
    }

    #[test]
    fn synthetic_feed_follows_the_demo_rule() {
        let symbols = vec!["A".to_owned(), "B".to_owned(), "C".to_owned()];
        let start = DateTime::from_secs(100);
        let mut source = Synthetic::new(7, symbols, 3, start, TimeDelta::from_micros(1)).unwrap();
        let batches = batches::<str>(&mut source);
        assert_eq!(batches.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
        let events: Vec<_> = batches.into_iter().flatten().collect();
        assert_eq!(events[4].symbol, "B");
        assert_eq!(events[4].value, "tick-4");
        assert_eq!(events[6].symbol, "A");
        assert_eq!(events[6].time, DateTime::from_nanos(100_000_006_000));
    }

    #[test]
    fn synthetic_feed_refuses_bad_parameters() {
        let start = DateTime::UNIX_EPOCH;
        assert!(Synthetic::new(1, Vec::new(), 1, start, TimeDelta::ZERO).is_err());
        assert!(Synthetic::new(1, vec!["A".to_owned()], 0, start, TimeDelta::ZERO).is_err());
    }
}
