//! What a live source does while the graph is behind: the manager keeps at
//! most `max_in_flight` events in csp's queue (the feed waits for room), and
//! a live source then either waits too ([`WhenFull::Block`]: it is not read,
//! so its peer's flow control holds the rest) or goes on being read on a
//! thread of its own into a queue of at most `max_in_flight` events, which
//! drops the oldest or the newest events when it is full
//! ([`DroppingSource`]). A file or a generated feed always waits: nothing
//! is lost.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::events::{Event, EventsError};
use crate::row::EventValue;
use crate::source::Source;
use crate::stats::Stats;
use crate::status::{Level, SourceStatus, StatusReporter};
use crate::stop::StopSignal;

/// `status_code` of the WARNING status that counts the events a live
/// source dropped while the graph was behind.
pub const STATUS_DROPPED: i64 = 15;
/// The least time between two [`STATUS_DROPPED`] statuses.
pub const DROPPED_EVERY: Duration = Duration::from_secs(1);

/// What a live source does once the graph is `max_in_flight` events behind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WhenFull {
    /// Stop reading until there is room: nothing is lost.
    #[default]
    Block,
    /// Keep reading; drop the oldest events not yet pushed.
    DropOldest,
    /// Keep reading; drop the events that arrive while the queue is full.
    DropNewest,
}

impl WhenFull {
    /// The policy of its name (`block`, `drop_oldest`, `drop_newest`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "block" => Some(Self::Block),
            "drop_oldest" => Some(Self::DropOldest),
            "drop_newest" => Some(Self::DropNewest),
            _ => None,
        }
    }

    /// The name [`WhenFull::from_name`] reads.
    pub fn name(self) -> &'static str {
        match self {
            Self::Block => "block",
            Self::DropOldest => "drop_oldest",
            Self::DropNewest => "drop_newest",
        }
    }
}

/// A live source read on its own thread into a queue of at most `max`
/// events (a batch larger than that is kept whole when it is alone), which
/// drops by its [`WhenFull`] policy when full. The source's statuses go
/// through the queue, so they keep their order with its events; each drop
/// is counted in [`Stats`] and reported as [`STATUS_DROPPED`]: at most once
/// per [`DROPPED_EVERY`], and when the queue has caught up or the source
/// ended.
pub struct DroppingSource<V: EventValue + ?Sized> {
    queue: Arc<Queue<V>>,
    stop: StopSignal,
    /// The feed's reporter, where the source's statuses go on.
    outer: StatusReporter,
    /// Ends with the reading thread: [`Source::next_batch`] then reports
    /// what the source returned.
    ended: bool,
}

struct Queue<V: EventValue + ?Sized> {
    state: Mutex<State<V>>,
    changed: Condvar,
}

struct State<V: EventValue + ?Sized> {
    items: VecDeque<Item<V>>,
    /// Events in `items`.
    events: usize,
    /// Dropped since the last [`STATUS_DROPPED`].
    unreported: u64,
    when_full: WhenFull,
    last_report: Option<Instant>,
}

enum Item<V: EventValue + ?Sized> {
    Batch(Vec<Event<V::Owned>>),
    Status(SourceStatus),
    End(Result<(), EventsError>),
}

impl<V: EventValue + ?Sized> DroppingSource<V>
where
    V::Owned: Send,
{
    /// Starts reading `source` on a thread of its own. `status` is the
    /// reporter it was opened with: its statuses now go through the queue,
    /// and reach `outer` (the feed's) in order with the events.
    pub fn start<S: Source<V> + 'static>(
        mut source: S,
        max: usize,
        when_full: WhenFull,
        context: (&StatusReporter, &StopSignal),
        stats: Arc<Stats>,
    ) -> std::io::Result<(Self, StatusReporter)>
    where
        V: 'static,
    {
        let (status, stop) = context;
        let queue = Arc::new(Queue {
            state: Mutex::new(State {
                items: VecDeque::new(),
                events: 0,
                unreported: 0,
                when_full,
                last_report: None,
            }),
            changed: Condvar::new(),
        });
        {
            let mut state = queue.lock();
            let earlier = status.take().into_iter().map(Item::Status);
            state.items.extend(earlier);
        }
        let deliver = Arc::clone(&queue);
        status.set_deliver(Box::new(move |reported| {
            deliver.lock().items.push_back(Item::Status(reported));
            deliver.changed.notify_all();
        }));
        status.set_direct(true);
        let wake = Arc::clone(&queue);
        stop.on_stop(move || wake.changed.notify_all());
        let (reading, reader_stop) = (Arc::clone(&queue), stop.clone());
        let policy = (max.max(1), when_full);
        thread::Builder::new()
            .name("source-reader".to_owned())
            .spawn(move || reading.read(&mut source, policy, &reader_stop, &stats))?;
        let outer = StatusReporter::default();
        let this = Self {
            queue,
            stop: stop.clone(),
            outer: outer.clone(),
            ended: false,
        };
        Ok((this, outer))
    }
}

impl<V: EventValue + ?Sized> Queue<V> {
    fn lock(&self) -> MutexGuard<'_, State<V>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The reading thread: reads until the source ends or fails.
    fn read<S: Source<V>>(
        &self,
        source: &mut S,
        policy: (usize, WhenFull),
        stop: &StopSignal,
        stats: &Stats,
    ) {
        while !stop.is_stopped() {
            let mut batch = Vec::new();
            let end = match source.next_batch(&mut batch) {
                Ok(true) if batch.is_empty() => continue,
                Ok(true) => {
                    self.add(batch, policy, stop, stats);
                    continue;
                }
                Ok(false) => Ok(()),
                Err(error) => Err(error),
            };
            let mut state = self.lock();
            state.report_dropped(true);
            state.items.push_back(Item::End(end));
            drop(state);
            self.changed.notify_all();
            return;
        }
    }

    /// Queues `batch`, dropping by the policy while the queue is full.
    fn add(
        &self,
        batch: Vec<Event<V::Owned>>,
        (max, when_full): (usize, WhenFull),
        stop: &StopSignal,
        stats: &Stats,
    ) {
        let mut state = self.lock();
        let mut dropped = 0;
        if state.events + batch.len() > max {
            match when_full {
                WhenFull::DropNewest if state.events > 0 => dropped = batch.len(),
                WhenFull::DropNewest => {}
                WhenFull::Block => {
                    while state.events > 0 && state.events + batch.len() > max && !stop.is_stopped()
                    {
                        state = (self.changed)
                            .wait_timeout(state, Duration::from_millis(50))
                            .unwrap_or_else(PoisonError::into_inner)
                            .0;
                    }
                }
                WhenFull::DropOldest => {
                    while state.events + batch.len() > max
                        && let Some(oldest) = state.take_oldest_batch()
                    {
                        dropped += oldest;
                    }
                }
            }
        }
        if dropped > 0 {
            stats.count_dropped(dropped as u64);
            state.unreported += dropped as u64;
        }
        if !(when_full == WhenFull::DropNewest && dropped == batch.len()) {
            state.events += batch.len();
            state.items.push_back(Item::Batch(batch));
        }
        state.report_dropped(false);
        drop(state);
        self.changed.notify_all();
    }
}

impl<V: EventValue + ?Sized> State<V> {
    /// Removes the oldest queued batch (statuses stay); its event count.
    fn take_oldest_batch(&mut self) -> Option<usize> {
        let at = self
            .items
            .iter()
            .position(|item| matches!(item, Item::Batch(_)))?;
        let Some(Item::Batch(batch)) = self.items.remove(at) else {
            return None;
        };
        self.events -= batch.len();
        Some(batch.len())
    }

    /// Queues a [`STATUS_DROPPED`] with the drops since the last, at most
    /// once per [`DROPPED_EVERY`] unless `now`.
    fn report_dropped(&mut self, now: bool) {
        let due = now
            || self
                .last_report
                .is_none_or(|last| last.elapsed() >= DROPPED_EVERY);
        if self.unreported == 0 || !due {
            return;
        }
        let message = format!(
            "dropped {} events ({}): the graph is behind the source",
            self.unreported,
            self.when_full.name()
        );
        self.items.push_back(Item::Status(SourceStatus {
            level: Level::Warning,
            code: STATUS_DROPPED,
            message,
        }));
        self.unreported = 0;
        self.last_report = Some(Instant::now());
    }
}

impl<V: EventValue + ?Sized> Source<V> for DroppingSource<V>
where
    V::Owned: Send,
{
    /// The next queued batch; statuses queued before it are reported on
    /// the way (through the feed's reporter).
    fn next_batch(&mut self, batch: &mut Vec<Event<V::Owned>>) -> Result<bool, EventsError> {
        if self.ended {
            return Ok(false);
        }
        let mut state = self.queue.lock();
        loop {
            match state.items.pop_front() {
                Some(Item::Batch(queued)) => {
                    state.events -= queued.len();
                    drop(state);
                    // Room: a blocked reading thread goes on.
                    self.queue.changed.notify_all();
                    batch.extend(queued);
                    return Ok(true);
                }
                Some(Item::Status(status)) => {
                    drop(state);
                    self.outer.report(status.level, status.code, status.message);
                    state = self.queue.lock();
                }
                Some(Item::End(end)) => {
                    self.ended = true;
                    return end.map(|()| false);
                }
                None if self.stop.is_stopped() => return Ok(true),
                // The queue has caught up: the drops so far are reported.
                None if state.unreported > 0 => state.report_dropped(true),
                None => {
                    state = (self.queue.changed)
                        .wait_timeout(state, Duration::from_millis(50))
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
    }

    fn next_batch_ready(&self) -> bool {
        (self.queue.lock().items.iter()).any(|item| matches!(item, Item::Batch(_)))
    }

    fn is_live(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::LentEvent;
    use crate::time::DateTime;

    /// `count` batches of one event each (value = index), then the end; a
    /// failure instead of the end when `fail`.
    struct Counting {
        next: i64,
        count: i64,
        fail: bool,
        status: StatusReporter,
    }

    impl Source<i64> for Counting {
        fn next_batch(&mut self, batch: &mut Vec<Event<i64>>) -> Result<bool, EventsError> {
            if self.next == self.count {
                return match self.fail {
                    true => Err(EventsError::failed("the peer went away")),
                    false => Ok(false),
                };
            }
            if self.next == 1 {
                self.status.connected("after the first event");
            }
            let time = DateTime::from_secs(self.next);
            batch.push(Event {
                time,
                symbol: "A".to_owned(),
                value: self.next,
            });
            self.next += 1;
            Ok(true)
        }
    }

    /// Reads `count` events through a queue of `max` that the test drains
    /// only once the reading thread has ended: what came out, the statuses
    /// and the stats' drop count.
    fn drain(
        count: i64,
        max: usize,
        when_full: WhenFull,
        fail: bool,
    ) -> (Vec<i64>, Result<(), EventsError>, Vec<SourceStatus>, u64) {
        let (status, stop) = (StatusReporter::default(), StopSignal::default());
        let stats = Arc::new(Stats::default());
        let source = Counting {
            next: 0,
            count,
            fail,
            status: status.clone(),
        };
        let context = (&status, &stop);
        let (mut dropping, outer) =
            DroppingSource::start(source, max, when_full, context, Arc::clone(&stats)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !matches!(dropping.queue.lock().items.back(), Some(Item::End(_))) {
            assert!(Instant::now() < deadline, "the reading thread did not end");
            thread::sleep(Duration::from_millis(1));
        }
        let mut values = Vec::new();
        let end = loop {
            let each = &mut |event: LentEvent<'_, i64>| values.push(event.value);
            match dropping.next_batch_lent(&mut Vec::new(), each) {
                Ok(true) => {}
                Ok(false) => break Ok(()),
                Err(error) => break Err(error),
            }
        };
        (values, end, outer.take(), stats.snapshot().dropped)
    }

    #[test]
    fn drop_oldest_keeps_the_newest_events() {
        let (values, end, statuses, dropped) = drain(100, 10, WhenFull::DropOldest, false);
        assert_eq!(dropped, 90);
        assert_eq!(values, (90..100).collect::<Vec<_>>());
        assert!(end.is_ok());
        let codes: Vec<i64> = statuses.iter().map(|status| status.code).collect();
        assert!(codes.contains(&crate::status::STATUS_CONNECTED));
        let counted: u64 = (statuses.iter())
            .filter(|status| status.code == STATUS_DROPPED)
            .filter_map(|status| status.message.split(' ').nth(1)?.parse::<u64>().ok())
            .sum();
        assert_eq!(counted, 90);
    }

    #[test]
    fn drop_newest_keeps_the_first_events() {
        let (values, end, statuses, dropped) = drain(100, 10, WhenFull::DropNewest, false);
        assert_eq!(dropped, 90);
        assert_eq!(values, (0..10).collect::<Vec<_>>());
        assert!(end.is_ok());
        let message = &statuses.last().unwrap().message;
        assert!(message.contains("(drop_newest)"), "{message}");
    }

    #[test]
    fn a_queue_with_room_drops_nothing_and_passes_the_error_on() {
        let (values, end, statuses, dropped) = drain(5, 10, WhenFull::DropOldest, true);
        assert_eq!((dropped, values), (0, vec![0, 1, 2, 3, 4]));
        let error = end.unwrap_err();
        assert!(error.to_string().contains("the peer went away"), "{error}");
        assert!(statuses.iter().all(|status| status.code != STATUS_DROPPED));
    }

    #[test]
    fn names_round_trip() {
        for policy in [WhenFull::Block, WhenFull::DropOldest, WhenFull::DropNewest] {
            assert_eq!(WhenFull::from_name(policy.name()), Some(policy));
        }
        assert_eq!(WhenFull::from_name("drop"), None);
    }
}
