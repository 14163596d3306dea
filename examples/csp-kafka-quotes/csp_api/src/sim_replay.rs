//! A feed in a simulation (`csp.run(realtime=False)`): csp calls the
//! manager's `process_next_sim_time_slice` for each time that has events,
//! and [`SimReplay`] pushes the events recorded at that time (they tick at
//! it), returning the time of the next one.
//!
//! The source is read on a thread of its own (started at the first slice,
//! when every subscription has started) that resolves each event's symbol
//! to its subscriptions and hands the events over in chunks: the engine
//! thread only pushes, so reading and parsing an events file overlap the
//! engine's work instead of adding to it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::error::{Error, Result};
use super::feed::{FeedValue, STATUS_FEED_FAILED, Subscriptions, SymbolMap, report_ended};
use super::guard;
use super::input::Pusher;
use super::link::{ManagerLink, StatusLevel};
use adapter_core::{DateTime, Event, EventValue, FeedCounts, LentEvent, Source, Stats, TimeDelta};

/// csp's sim time slices, replayed from a source.
pub(crate) trait SimSlices: Send {
    fn slice(&mut self, time: DateTime) -> Result<Option<DateTime>>;
}

/// An event whose symbol the reading thread has looked up.
struct Routed<T> {
    time: DateTime,
    /// Index into [`SimReplay::pushers`]; [`UNROUTED`] when no subscription has its symbol.
    route: u32,
    value: T,
}

const UNROUTED: u32 = u32::MAX;

/// Events the reading thread hands over at once.
const CHUNK_EVENTS: usize = 4096;
/// While the engine thread waits, the reading thread hands over what it
/// has once it is this many events, or once [`HANDOVER_WAIT`] has passed (a
/// slow source): handing over every event would make both threads sleep
/// and wake for each.
const HANDOVER_EVENTS: usize = 256;
const HANDOVER_WAIT: Duration = Duration::from_millis(1);
/// Chunks read ahead of the engine.
const CHUNKS_AHEAD: usize = 4;

/// Events in source order, then how the source ended if it did: `Ok` at its
/// end, the error otherwise (after the events the source handed before it).
struct Chunk<T> {
    events: Vec<Routed<T>>,
    end: Option<Result<()>>,
}

/// Events counted before the stats are brought up to date: slices are many
/// and short, and updating the stats in each took as long as the pushes.
const SAVE_EVERY: u64 = 1 << 14;

pub(crate) struct SimReplay<V: FeedValue + ?Sized, S> {
    name: String,
    /// Moved to the reading thread at the first slice.
    source: Option<S>,
    subscriptions: Arc<Subscriptions<V>>,
    /// The subscriptions of each route, taken at the first slice.
    pushers: Vec<Vec<Pusher<V>>>,
    reader: Option<Reader<<V as EventValue>::Owned>>,
    /// The chunk being replayed, and the index of its next event.
    chunk: Chunk<<V as EventValue>::Owned>,
    next: usize,
    /// The source's end was reached (its last chunk taken).
    drained: bool,
    /// The end was reported.
    ended: bool,
    /// The source's error, found after a slice's events were pushed: that
    /// slice ticks, and the next one (a nanosecond later) fails with it.
    failed: Option<Error>,
    /// Whether a slice ran before (the first one is at the start time).
    sliced: bool,
    pushed_any: bool,
    link: ManagerLink,
    stats: Arc<Stats>,
    /// Counted since the run started; `saved` of the events are in the stats.
    counts: FeedCounts,
    saved: u64,
}

impl<V: FeedValue + ?Sized, S: Source<V> + 'static> SimReplay<V, S> {
    pub(crate) fn new(
        name: &str,
        source: S,
        subscriptions: Arc<Subscriptions<V>>,
        link: ManagerLink,
        stats: Arc<Stats>,
    ) -> Self {
        Self {
            name: name.to_owned(),
            source: Some(source),
            subscriptions,
            pushers: Vec::new(),
            reader: None,
            chunk: Chunk {
                events: Vec::new(),
                end: None,
            },
            next: 0,
            drained: false,
            ended: false,
            failed: None,
            sliced: false,
            pushed_any: false,
            link,
            stats,
            counts: FeedCounts::default(),
            saved: 0,
        }
    }

    /// Starts the reading thread with the routes as registered (every
    /// subscription has started before the first slice).
    fn start_reader(&mut self) -> Result<()> {
        let Some(source) = self.source.take() else {
            return Ok(());
        };
        let mut routes = SymbolMap::default();
        for (symbol, pushers) in self.subscriptions.routes() {
            let route = u32::try_from(self.pushers.len())
                .map_err(|_| Error::runtime("too many subscribed symbols"))?;
            routes.insert(symbol, route);
            self.pushers.push(pushers);
        }
        self.reader = Some(Reader::start(&self.name, source, routes)?);
        Ok(())
    }

    /// Replaces the replayed chunk with the next one; at the source's end
    /// leaves it empty, returning the source's error if it failed.
    #[cold]
    fn next_chunk(&mut self) -> Result<()> {
        self.next = 0;
        if let Some(end) = self.chunk.end.take() {
            self.chunk.events.clear();
            self.drained = true;
            return end;
        }
        let (Some(reader), false) = (&self.reader, self.drained) else {
            self.chunk.events.clear();
            return Ok(());
        };
        let used = std::mem::replace(&mut self.chunk, reader.next_chunk());
        reader.recycle(used.events);
        if self.chunk.events.is_empty() {
            // Only the end: take it now.
            return self.next_chunk();
        }
        Ok(())
    }

    fn push_due(&mut self, time: DateTime) -> Result<Option<DateTime>> {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        if !self.sliced {
            self.start(time)?;
        }
        let next = self.push_at(time)?;
        if !self.pushed_any && self.counts.pushed > 0 {
            self.note_first_push();
        }
        if next.is_none() || self.counts.events - self.saved >= SAVE_EVERY {
            self.save_counts();
            if next.is_none() {
                self.end()?;
            }
        }
        Ok(next)
    }

    /// The first slice, at the run's start time: starts reading and skips
    /// the events recorded before it (not part of the run).
    #[cold]
    fn start(&mut self, time: DateTime) -> Result<()> {
        self.sliced = true;
        self.start_reader()?;
        loop {
            if self.next == self.chunk.events.len() {
                self.next_chunk()?;
            }
            match self.chunk.events.get(self.next) {
                Some(event) if event.time < time => self.next += 1,
                _ => return Ok(()),
            }
        }
    }

    /// Pushes the events at `time`; returns the next event's time. When the
    /// source fails after some of them, they tick first: the error waits for
    /// the next slice, a nanosecond later (nothing after it ticks).
    #[inline]
    fn push_at(&mut self, time: DateTime) -> Result<Option<DateTime>> {
        // Counted straight into `counts`, so that an error keeps what was pushed.
        let before = self.counts.events;
        loop {
            if self.next == self.chunk.events.len()
                && let Err(error) = self.next_chunk()
            {
                let later = time.checked_add(TimeDelta::from_nanos(1));
                return match (self.counts.events > before, later) {
                    (true, Some(later)) => {
                        self.failed = Some(error);
                        Ok(Some(later))
                    }
                    _ => Err(error),
                };
            }
            let Some(event) = self.chunk.events.get(self.next) else {
                return Ok(None);
            };
            if event.time != time {
                return match event.time > time {
                    true => Ok(Some(event.time)),
                    false => Err(went_back(event.time, time)),
                };
            }
            self.counts.events += 1;
            match self.pushers.get(event.route as usize) {
                Some(pushers) => {
                    for pusher in pushers {
                        pusher.push(V::arg(&event.value))?;
                        self.counts.pushed += 1;
                    }
                }
                None => self.counts.unrouted += 1,
            }
            self.next += 1;
        }
    }

    #[cold]
    fn note_first_push(&mut self) {
        self.pushed_any = true;
        self.stats.record_first_push(DateTime::now());
    }

    /// Reports the INFO status of the source's end, once.
    #[cold]
    fn end(&mut self) -> Result<()> {
        if std::mem::replace(&mut self.ended, true) {
            return Ok(());
        }
        report_ended(&self.link, self.counts.events)
    }
}

#[cold]
fn went_back(event: DateTime, slice: DateTime) -> Error {
    Error::value(format!(
        "the source went back in time: an event at {event} after the time slice at {slice}"
    ))
}

impl<V: FeedValue + ?Sized, S> SimReplay<V, S> {
    fn save_counts(&mut self) {
        self.stats.set_feed_counts(self.counts);
        self.saved = self.counts.events;
    }
}

impl<V: FeedValue + ?Sized, S> Drop for SimReplay<V, S> {
    /// The manager's stop drops the feed: the reading thread ends and the
    /// stats are complete after the run.
    fn drop(&mut self) {
        self.reader.take();
        self.save_counts();
    }
}

impl<V: FeedValue + ?Sized, S: Source<V> + 'static> SimSlices for SimReplay<V, S> {
    fn slice(&mut self, time: DateTime) -> Result<Option<DateTime>> {
        let outcome = self.push_due(time);
        if let Err(error) = &outcome {
            // Err here means the graph already stopped: nobody to tell.
            let _ = (self.link).report(StatusLevel::Error, STATUS_FEED_FAILED, error.message());
        }
        outcome
    }
}

/// The engine's end of the reading thread. Dropping it stops the thread
/// (once the source's `next_events` returns: a source that blocks must
/// return for the run to end) and joins it.
struct Reader<T> {
    chunks: Option<Receiver<Chunk<T>>>,
    recycled: SyncSender<Vec<Routed<T>>>,
    /// Set while the engine thread waits for a chunk: the reading thread
    /// then hands over what it has instead of filling the chunk first.
    waiting: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl<T: Send + 'static> Reader<T> {
    fn start<V, S>(name: &str, source: S, routes: SymbolMap<u32>) -> Result<Self>
    where
        V: EventValue<Owned = T> + ?Sized + 'static,
        S: Source<V> + 'static,
    {
        let (chunk_sender, chunks) = mpsc::sync_channel(CHUNKS_AHEAD);
        let (recycled, recycled_chunks) = mpsc::sync_channel(CHUNKS_AHEAD + 1);
        let waiting = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let reading = ReadingThread {
            source,
            routes,
            chunks: chunk_sender,
            recycled: recycled_chunks,
            waiting: Arc::clone(&waiting),
            stop: Arc::clone(&stop),
            _value: std::marker::PhantomData,
        };
        let thread = thread::Builder::new()
            .name(format!("{name}-reader"))
            .spawn(move || reading.run())?;
        Ok(Self {
            chunks: Some(chunks),
            recycled,
            waiting,
            stop,
            thread: Some(thread),
        })
    }

    fn next_chunk(&self) -> Chunk<T> {
        let Some(chunks) = &self.chunks else {
            return lost_reader();
        };
        match chunks.try_recv() {
            Ok(chunk) => chunk,
            Err(TryRecvError::Empty) => {
                self.waiting.store(true, Ordering::Release);
                chunks.recv().unwrap_or_else(|_| lost_reader())
            }
            Err(TryRecvError::Disconnected) => lost_reader(),
        }
    }

    /// Hands a replayed chunk back, so that its memory (and its values' drop) stays on the reading thread.
    fn recycle(&self, events: Vec<Routed<T>>) {
        let _ = self.recycled.try_send(events);
    }
}

/// What the engine sees when the reading thread is gone without saying why
/// (it says why in every other case).
fn lost_reader<T>() -> Chunk<T> {
    Chunk {
        events: Vec::new(),
        end: Some(Err(Error::runtime(
            "the source's reading thread ended unexpectedly",
        ))),
    }
}

impl<T> Drop for Reader<T> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // A reading thread blocked on a full channel wakes up with an error.
        self.chunks.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct ReadingThread<V: EventValue + ?Sized, S> {
    source: S,
    routes: SymbolMap<u32>,
    chunks: SyncSender<Chunk<V::Owned>>,
    recycled: Receiver<Vec<Routed<V::Owned>>>,
    waiting: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    _value: std::marker::PhantomData<fn() -> V::Owned>,
}

impl<V: EventValue + ?Sized, S: Source<V>> ReadingThread<V, S> {
    fn run(mut self) {
        let mut scratch: Vec<Event<V::Owned>> = Vec::new();
        let mut events = Vec::with_capacity(CHUNK_EVENTS);
        let mut handover = Handover::default();
        while !self.stop.load(Ordering::Relaxed) {
            let routes = &self.routes;
            let mut route = |event: LentEvent<'_, V>| {
                events.push(Routed {
                    route: routes.get(event.symbol).copied().unwrap_or(UNROUTED),
                    time: event.time,
                    value: event.value,
                });
            };
            let read = catch_unwind(AssertUnwindSafe(|| {
                self.source.next_events(&mut scratch, &mut route)
            }));
            let end = match read {
                Ok(Ok(true)) => None,
                Ok(Ok(false)) => Some(Ok(())),
                Ok(Err(error)) => Some(Err(Error::from(error))),
                Err(payload) => Some(Err(Error::runtime(format!(
                    "the source panicked: {}",
                    guard::panic_message(payload.as_ref())
                )))),
            };
            let full = events.len() >= CHUNK_EVENTS;
            if end.is_none() && !full && !handover.due(&self.waiting, events.len()) {
                continue;
            }
            self.waiting.store(false, Ordering::Release);
            handover = Handover::default();
            let ended = end.is_some();
            let next = self.recycled.try_recv().map_or_else(
                |_| Vec::with_capacity(CHUNK_EVENTS),
                |mut used| {
                    used.clear();
                    used
                },
            );
            let chunk = Chunk {
                events: std::mem::replace(&mut events, next),
                end,
            };
            if self.chunks.send(chunk).is_err() || ended {
                return;
            }
        }
    }
}

/// When the reading thread hands over a chunk that is not full.
#[derive(Default)]
struct Handover {
    /// When the reading thread first saw the engine waiting.
    waiting_since: Option<Instant>,
}

impl Handover {
    /// Whether to hand over `events` now. The clock is read only while the
    /// engine thread waits (idle, so not slowed down by it).
    fn due(&mut self, waiting: &AtomicBool, events: usize) -> bool {
        if events == 0 || !waiting.load(Ordering::Acquire) {
            return false;
        }
        if events >= HANDOVER_EVENTS {
            return true;
        }
        let since = *self.waiting_since.get_or_insert_with(Instant::now);
        since.elapsed() >= HANDOVER_WAIT
    }
}
