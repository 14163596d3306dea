//! A manager's feed: one thread that reads a [`Source`] and routes each
//! event to the push input adapters subscribed to its symbol, one csp batch
//! per source batch, so that csp's batch and push-group rules hold across
//! symbols. Batches that the source has ready go to the engine together
//! (`outbox.rs`).
//!
//! The manager makes a [`Subscriptions`] per run; each input adapter counts
//! itself (and its symbol) in when its capsule is made
//! ([`Subscriptions::expect_one`]), so the manager's `start` knows every
//! symbol of the run ([`Subscriptions::symbols`]) before it opens its source,
//! and registers its [`Pusher`] when it starts. The manager starts a [`Feed`] in
//! its own `start` (before csp starts the adapters): the feed waits until
//! every expected adapter has registered, then routes.
//!
//! The start of the last adapter waits (on the engine thread, at most
//! [`PRIME_WAIT`]) until the feed has queued its first [`PRIME_BATCHES`]
//! batches, all of a shorter source, or all that is due (of a live source,
//! or a paced replay): so the graph's first cycle sees them queued together,
//! as it does for csp's own adapters that push in `start`, and a replay
//! ticks the same cycles however the threads are scheduled.
//!
//! A feed's subscriptions share one push group (or have none): one csp push
//! batch may carry the batches of several adapters. The generated manager
//! puts all of its subscriptions in its group.
//!
//! In a simulation (`csp.run(realtime=False)`) the manager hands each of
//! csp's sim time slices to [`Feed::process_next_sim_time_slice`], which
//! pushes the events recorded at that time (they tick at it) and returns the
//! time of the next one (`sim_replay.rs`). A live source
//! ([`Source::is_live`]) has nothing to replay: the feed refuses it there.
//!
//! [`Feed::stop`] gives the run's [`StopSignal`] (the one the source was
//! opened with, in [`FeedOptions`]) and waits for the feed thread, at most
//! [`STOP_GRACE`]: a source that does not return by then is left behind,
//! its pushes refused, and the run ends on time.

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::error::{Error, Result};
use super::guard;
use super::input::Pusher;
use super::link::{ManagerLink, StatusLevel};
use super::outbox::Outbox;
use super::record::Record;
use super::sim_replay::{SimReplay, SimSlices};
use super::value::PushValue;
use adapter_core::status::STATUS_BAD_MESSAGE;
use adapter_core::{
    DateTime, DroppingSource, Event, EventValue, FeedCounts, Source, SourceStatus, Stats,
    StatusReporter, StopSignal, TimeDelta, WhenFull,
};

/// Batches a feed queues before the graph's first cycle.
pub const PRIME_BATCHES: u64 = 64;
/// How long the start of the last subscription waits for them at most.
pub const PRIME_WAIT: Duration = Duration::from_millis(50);
/// How long [`Feed::stop`] waits for the feed thread once it gave the stop
/// signal, before it leaves the thread behind.
pub const STOP_GRACE: Duration = Duration::from_secs(1);

/// `status_code` of the INFO status a feed reports when its source ends.
pub const STATUS_FEED_ENDED: i64 = 2;
/// `status_code` of the ERROR status a feed reports before it stops the engine.
pub const STATUS_FEED_FAILED: i64 = 3;
/// `status_code` of the INFO status a feed reports when it has replayed its
/// history (with the count), before the live source's first event.
pub const STATUS_REPLAY_COMPLETE: i64 = 4;

/// Recorded events that a realtime run replays before its live source:
/// those from `start` on, each ticking at its recorded time, through csp's
/// push-pull adapters (the manager's subscriptions must be made with
/// replays). In a simulation they are the events replayed, and the live
/// source plays no part.
pub struct History<V: EventValue + ?Sized> {
    pub source: Box<dyn Source<V>>,
    /// The run's start: earlier events are not part of it.
    pub start: DateTime,
}

/// A value type a feed can route: pushed as [`PushValue::Arg`], read from
/// sources as [`EventValue::Owned`].
pub trait FeedValue: PushValue + EventValue<Owned: Send> + 'static {
    /// The push argument for an event's value.
    fn arg(value: &<Self as EventValue>::Owned) -> Self::Arg<'_>;
}

macro_rules! copy_feed_value {
    ($($rust:ty),*) => {$(
        impl FeedValue for $rust {
            #[inline]
            fn arg(value: &$rust) -> $rust {
                *value
            }
        }
    )*};
}

copy_feed_value!(bool, i64, f64, DateTime, TimeDelta);

impl FeedValue for str {
    #[inline]
    fn arg(value: &String) -> &str {
        value
    }
}

impl<R: Record + EventValue<Owned = R>> FeedValue for R {
    #[inline]
    fn arg(value: &R) -> &R {
        value
    }
}

/// The push input adapters of one manager run, by symbol.
pub struct Subscriptions<V: PushValue + ?Sized> {
    registry: Mutex<Registry<V>>,
    /// Signals registrations and priming.
    changed: Condvar,
}

struct Registry<V: PushValue + ?Sized> {
    expected: usize,
    /// The symbols of the expected adapters.
    symbols: BTreeSet<String>,
    registered: usize,
    by_symbol: Routes<V>,
    /// The feed queued its first batches (or stopped trying).
    primed: bool,
}

/// A map keyed by symbol, with the hash below.
pub(crate) type SymbolMap<T> = HashMap<String, T, BuildHasherDefault<SymbolHasher>>;

pub(crate) type Routes<V> = SymbolMap<Vec<Pusher<V>>>;

/// The routes' hash: symbols are short and come from the manager's own
/// source, so a multiplicative hash (rustc's FxHash) instead of SipHash,
/// which took as long as the rest of a routed push.
#[derive(Default)]
pub(crate) struct SymbolHasher(u64);

impl SymbolHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for SymbolHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        }
        let rest = words.remainder();
        // Byte by byte: a copy into a buffer is a call to memcpy.
        let tail = (rest.iter().enumerate()).fold(rest.len() as u64, |word, (i, &byte)| {
            word ^ u64::from(byte) << (8 * i + 8)
        });
        self.add(tail);
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

impl<V: PushValue + ?Sized> Default for Subscriptions<V> {
    fn default() -> Self {
        Self {
            registry: Mutex::new(Registry {
                expected: 0,
                symbols: BTreeSet::new(),
                registered: 0,
                by_symbol: Routes::default(),
                primed: false,
            }),
            changed: Condvar::new(),
        }
    }
}

impl<V: PushValue + ?Sized> Subscriptions<V> {
    /// Counts one more input adapter of this run, subscribed to `symbol`:
    /// call it when making the adapter's capsule, before the graph starts.
    pub fn expect_one(&self, symbol: &str) {
        let mut registry = self.lock();
        registry.expected += 1;
        if !registry.symbols.contains(symbol) {
            registry.symbols.insert(symbol.to_owned());
        }
    }

    /// The symbols of every adapter counted in, sorted, each once: all of
    /// the run's by the time csp starts its adapter managers.
    pub fn symbols(&self) -> Vec<String> {
        self.lock().symbols.iter().cloned().collect()
    }

    /// Adds a started input adapter's pusher under `symbol`. The last one
    /// waits until the feed has queued its first batches (see the module).
    pub fn register(&self, symbol: &str, pusher: Pusher<V>) {
        let mut registry = self.lock();
        registry
            .by_symbol
            .entry(symbol.to_owned())
            .or_default()
            .push(pusher);
        registry.registered += 1;
        self.changed.notify_all();
        if registry.registered == registry.expected {
            let _ = self
                .changed
                .wait_timeout_while(registry, PRIME_WAIT, |registry| !registry.primed)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Lets the start of the last subscription go on.
    fn mark_primed(&self) {
        self.lock().primed = true;
        self.changed.notify_all();
    }

    /// The routes once every expected adapter registered; `None` when the
    /// manager stopped first.
    fn wait_for_routes(&self, link: &ManagerLink, stop: &StopSignal) -> Option<Routes<V>> {
        let mut registry = self.lock();
        while registry.registered < registry.expected {
            if stop.is_stopped() || !link.is_active() {
                return None;
            }
            registry = self
                .changed
                .wait_timeout(registry, Duration::from_millis(10))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        Some(registry.by_symbol.clone())
    }

    /// The routes as registered so far (in a simulation every adapter has
    /// started before the first time slice).
    pub(crate) fn routes(&self) -> Routes<V> {
        self.lock().by_symbol.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry<V>> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// How a feed replays its source.
#[derive(Clone, Debug, Default)]
pub struct FeedOptions {
    /// Follow the gaps between the events' recorded times instead of
    /// pushing as fast as possible.
    pub paced: bool,
    /// The signal the source was opened with: [`Feed::stop`] gives it.
    pub stop: StopSignal,
    /// Where the source was opened to report statuses: the feed ticks them
    /// on the manager's `status()` in order with the events.
    pub status: StatusReporter,
    /// The most values pushed and not yet consumed by the engine (see
    /// [`InFlight`]); `None` pushes without a bound.
    pub in_flight: Option<InFlight>,
}

/// A bound on the values a realtime feed has pushed and the engine not yet
/// consumed: at `max` the feed waits until they are down to half of it
/// before it sends more (a send may go past it by one send). A live source follows `when_full`: it waits
/// too, or it is read on a thread of its own into a queue of at most `max`
/// events that drops ([`DroppingSource`]); any other source waits. The
/// replay of a history is not bounded: csp's push-pull adapters hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InFlight {
    pub max: u64,
    pub when_full: WhenFull,
}

/// The bound a manager uses unless told otherwise: small enough that the
/// backlog stays in the CPU's caches while the engine works through it (a
/// bound of 100,000 cost a feed that outruns `csp.count` about 15% of its
/// throughput; 20,000 measured 0.94 to 1.05 of no bound, on a noisy machine).
pub const DEFAULT_MAX_IN_FLIGHT: u64 = 20_000;

/// A manager's running feed: a thread in realtime ([`Feed::stop`] ends and
/// joins it), the replay of csp's time slices in a simulation.
pub struct Feed {
    name: String,
    stop: StopSignal,
    worker: Option<Worker>,
    replay: Option<Box<dyn SimSlices>>,
}

impl Feed {
    /// Starts the feed of a manager: in realtime a thread that pushes, in a
    /// simulation the replay of [`Feed::process_next_sim_time_slice`] (whose
    /// reading thread starts at the first slice). Failures (a bad
    /// row, an `Err` or a panic in the source) report an ERROR status and
    /// stop the engine with the error, which `csp.run` raises. It counts
    /// events, pushes and unrouted events into `stats`, and notes the time
    /// of the first push.
    pub fn start<V, S>(
        name: &str,
        source: S,
        history: Option<History<V>>,
        subscriptions: Arc<Subscriptions<V>>,
        link: ManagerLink,
        options: FeedOptions,
        stats: Arc<Stats>,
    ) -> Result<Self>
    where
        V: FeedValue + ?Sized,
        S: Source<V> + 'static,
    {
        if link.is_realtime() {
            let feed = (source, history);
            return Self::start_thread(name, feed, subscriptions, link, options, stats);
        }
        match history {
            Some(history) => {
                Self::start_sim(name, history.source, subscriptions, link, options, stats)
            }
            None => Self::start_sim(name, source, subscriptions, link, options, stats),
        }
    }

    /// The replay of a simulation's time slices from `source`.
    fn start_sim<V, S>(
        name: &str,
        source: S,
        subscriptions: Arc<Subscriptions<V>>,
        link: ManagerLink,
        options: FeedOptions,
        stats: Arc<Stats>,
    ) -> Result<Self>
    where
        V: FeedValue + ?Sized,
        S: Source<V> + 'static,
    {
        if source.is_live() {
            return Err(Error::value(
                "the source is live, with no history to replay in a simulation \
                 (csp.run(realtime=False)): run the graph in realtime, or give the manager \
                 a source of recorded events",
            ));
        }
        // Nothing to wait for: every slice pushes what is due at its time.
        subscriptions.mark_primed();
        // Statuses reported on the reading thread tick at the next slice.
        connect_statuses(&options.status, &link, &stats);
        options.status.set_direct(true);
        let replay = SimReplay::new(name, source, subscriptions, link, stats);
        Ok(Self {
            name: name.to_owned(),
            stop: options.stop,
            worker: None,
            replay: Some(Box::new(replay)),
        })
    }

    /// In a simulation: pushes every event recorded at `time` to the
    /// subscriptions of its symbol (events before the run's start time are
    /// skipped, and not counted) and returns the time of the next event,
    /// `None` once the source has ended (reporting the INFO status with the
    /// count). Call it
    /// from the manager's own `process_next_sim_time_slice`. In realtime it
    /// returns `None`.
    pub fn process_next_sim_time_slice(&mut self, time: DateTime) -> Result<Option<DateTime>> {
        match &mut self.replay {
            Some(replay) => replay.slice(time),
            None => Ok(None),
        }
    }

    fn start_thread<V, S>(
        name: &str,
        (source, history): (S, Option<History<V>>),
        subscriptions: Arc<Subscriptions<V>>,
        link: ManagerLink,
        options: FeedOptions,
        stats: Arc<Stats>,
    ) -> Result<Self>
    where
        V: FeedValue + ?Sized,
        S: Source<V> + 'static,
    {
        let mut options = options;
        let source = match options.in_flight {
            Some(bound) if bound.when_full != WhenFull::Block && source.is_live() => {
                let max = usize::try_from(bound.max).unwrap_or(usize::MAX);
                let context = (&options.status, &options.stop);
                let stats = Arc::clone(&stats);
                let (source, outer) =
                    DroppingSource::start(source, max, bound.when_full, context, stats)?;
                options.status = outer;
                Box::new(source) as Box<dyn Source<V>>
            }
            _ => Box::new(source),
        };
        let stop = options.stop.clone();
        connect_statuses(&options.status, &link, &stats);
        let thread_name = format!("{name} feed thread");
        // Dropped when the thread ends: its receiver then stops waiting.
        let (running, done) = mpsc::channel::<()>();
        let handle = thread::Builder::new()
            .name(format!("{name}-feed"))
            .spawn(move || {
                let _running = running;
                let body = || run(source, history, &subscriptions, &link, &options, &stats);
                if let Some(error) = guard::thread_failure(&thread_name, body) {
                    // Err here means the graph already stopped: nobody to tell.
                    let _ = link.report(StatusLevel::Error, STATUS_FEED_FAILED, error.message());
                    let _ = link.fail(&error);
                }
            })?;
        Ok(Self {
            name: name.to_owned(),
            stop,
            worker: Some(Worker { handle, done }),
            replay: None,
        })
    }

    /// Gives the stop signal and waits for the thread, at most
    /// [`STOP_GRACE`]: a source still blocked then is left behind (its
    /// pushes and statuses are refused from now on), so the run ends on
    /// time whatever the source does.
    pub fn stop(mut self) -> Result<()> {
        self.join()
    }

    fn join(&mut self) -> Result<()> {
        self.stop.stop();
        let Some(worker) = self.worker.take() else {
            return Ok(());
        };
        match worker.done.recv_timeout(STOP_GRACE) {
            Err(RecvTimeoutError::Disconnected) => worker
                .handle
                .join()
                .map_err(|_| Error::runtime("the feed thread could not be joined")),
            // The channel carries nothing: only the timeout is left.
            Ok(()) | Err(RecvTimeoutError::Timeout) => {
                eprintln!(
                    "{}: its source did not return within {STOP_GRACE:?} of the stop signal; \
                     the feed thread is left behind (a source that blocks must heed \
                     SourceContext::stop)",
                    self.name
                );
                Ok(())
            }
        }
    }
}

/// A running feed thread, and what tells that it ended.
struct Worker {
    handle: JoinHandle<()>,
    done: mpsc::Receiver<()>,
}

impl Drop for Feed {
    /// Joins the thread even when the manager never called `stop`.
    fn drop(&mut self) {
        let _ = self.join();
    }
}

fn run<V, S>(
    mut source: S,
    history: Option<History<V>>,
    subscriptions: &Subscriptions<V>,
    link: &ManagerLink,
    options: &FeedOptions,
    stats: &Stats,
) -> Result<()>
where
    V: FeedValue + ?Sized,
    S: Source<V>,
{
    let (stop, status) = (&options.stop, &options.status);
    let Some(routes) = subscriptions.wait_for_routes(link, stop) else {
        return Ok(());
    };
    // However the feed ends, the last subscription's start goes on.
    let mut primed = Primed::new(subscriptions);
    let mut scratch: Vec<Event<<V as EventValue>::Owned>> = Vec::new();
    let max_in_flight = options.in_flight.map(|bound| bound.max);
    let mut outbox = Outbox::new(&routes, link.batch()?, max_in_flight);
    let mut pace: Option<(Instant, DateTime)> = None;
    let mut totals = FeedCounts::default();
    let mut batches = 0_u64;
    if let Some(history) = history {
        // Replayed ticks are scheduled at their times: nothing to wait for.
        primed.mark();
        let replayed = replay(history, &mut outbox, stop, stats, &mut totals);
        // However the replay ended, every subscription's replay must end:
        // csp's engine waits for it.
        let ended = outbox.end_replay();
        replayed?;
        ended?;
        // What the source reported while it replayed ticks before the end
        // of the replay.
        for reported in status.take() {
            report_status(link, stats, &reported)?;
        }
        let message = format!(
            "replayed {} events of history; live from here",
            totals.events
        );
        link.report(StatusLevel::Info, STATUS_REPLAY_COMPLETE, &message)?;
    }
    while !stop.is_stopped() {
        let (mut events, mut unrouted, mut first_time) = (0_u64, 0_u64, None);
        let mut delivered = Ok(());
        // With nothing unsent, a status the source reports while it waits
        // ticks at once; once it hands an event, statuses wait their turn.
        status.set_direct(!outbox.has_complete_batches());
        let more = source.next_batch_lent(&mut scratch, &mut |event| {
            if first_time.is_none() {
                status.set_direct(false);
                if status.has_pending() && outbox.wait_for_room(stop) {
                    // Statuses reported before this batch tick before it.
                    delivered = deliver(&mut outbox, link, status, stats, &mut totals);
                }
            }
            first_time.get_or_insert(event.time);
            events += 1;
            if !outbox.route(event.symbol, event.value) {
                unrouted += 1;
            }
        });
        let more = match more {
            Ok(more) => more,
            Err(error) => {
                // The batches before the failing one go out; none of it, and
                // the statuses reported before the error. The source's error
                // is the one to raise, even if sending failed (the graph is
                // ending, or a push failed).
                outbox.drop_open_batch();
                let _ = deliver(&mut outbox, link, status, stats, &mut totals);
                return Err(error.into());
            }
        };
        status.set_direct(false);
        delivered?;
        if !more {
            deliver(&mut outbox, link, status, stats, &mut totals)?;
            return report_ended(link, totals.events);
        }
        if let (true, Some(first)) = (options.paced, first_time) {
            let (wall, recorded) = *pace.get_or_insert((Instant::now(), first));
            let gap = first.since(recorded).to_std().unwrap_or_default();
            stop.wait_timeout((wall + gap).saturating_duration_since(Instant::now()));
        }
        outbox.end_batch();
        totals.events += events;
        totals.unrouted += unrouted;
        batches += 1;
        // Batches that the source has ready go out together; a paced one
        // goes out at its time; statuses reported after a batch go after it.
        let next_waits = options.paced || !source.next_batch_ready();
        if next_waits || outbox.is_full() || status.has_pending() {
            if !outbox.wait_for_room(stop) {
                break;
            }
            deliver(&mut outbox, link, status, stats, &mut totals)?;
            if next_waits || batches >= PRIME_BATCHES {
                // What is due now is queued: the graph need not wait for more.
                primed.mark();
            }
        } else {
            stats.set_feed_counts(totals);
        }
    }
    Ok(())
}

/// Replays `history`'s events from its start on, each batch as ticks
/// recorded at its time, until it ends or the run stops.
fn replay<V: FeedValue + ?Sized>(
    history: History<V>,
    outbox: &mut Outbox<'_, V>,
    stop: &StopSignal,
    stats: &Stats,
    totals: &mut FeedCounts,
) -> Result<()> {
    let History { mut source, start } = history;
    let mut scratch: Vec<Event<<V as EventValue>::Owned>> = Vec::new();
    while !stop.is_stopped() {
        let (mut events, mut unrouted, mut time) = (0_u64, 0_u64, None);
        let more = source.next_batch_lent(&mut scratch, &mut |event| {
            if event.time < start {
                return;
            }
            time.get_or_insert(event.time);
            events += 1;
            if !outbox.route(event.symbol, event.value) {
                unrouted += 1;
            }
        });
        let more = more.inspect_err(|_| outbox.drop_open_batch())?;
        outbox.end_batch();
        if let Some(time) = time {
            if totals.events == 0 {
                stats.record_first_push(DateTime::now());
            }
            outbox.send_replayed(time)?;
        }
        totals.events += events;
        totals.unrouted += unrouted;
        totals.pushed = outbox.pushed();
        stats.set_feed_counts(*totals);
        if !more {
            break;
        }
    }
    Ok(())
}

/// Sends the outbox's complete batches, then the statuses the source
/// reported since the last call: they tick after those batches.
fn deliver<V: FeedValue + ?Sized>(
    outbox: &mut Outbox<'_, V>,
    link: &ManagerLink,
    status: &StatusReporter,
    stats: &Stats,
    totals: &mut FeedCounts,
) -> Result<()> {
    let sent = send(outbox, stats, totals);
    for reported in status.take() {
        report_status(link, stats, &reported)?;
    }
    sent
}

/// Has the statuses a source reports delivered through `link`.
fn connect_statuses(status: &StatusReporter, link: &ManagerLink, stats: &Arc<Stats>) {
    let (link, stats) = (link.clone(), Arc::clone(stats));
    status.set_deliver(Box::new(move |reported| {
        // Err means the run has stopped: nobody to tell.
        let _ = report_status(&link, &stats, &reported);
    }));
}

/// Ticks a status of the source, counting the bad messages it dropped.
fn report_status(link: &ManagerLink, stats: &Stats, reported: &SourceStatus) -> Result<()> {
    if reported.code == STATUS_BAD_MESSAGE {
        stats.count_bad_message();
    }
    link.report(reported.level, reported.code, &reported.message)
}

/// Sends the outbox's complete batches (noting the time of the first) and
/// brings the stats up to date.
fn send<V: FeedValue + ?Sized>(
    outbox: &mut Outbox<'_, V>,
    stats: &Stats,
    totals: &mut FeedCounts,
) -> Result<()> {
    if outbox.pushed() == 0 && outbox.has_complete_batches() {
        stats.record_first_push(DateTime::now());
    }
    let sent = outbox.send();
    totals.pushed = outbox.pushed();
    totals.peak_in_flight = totals.peak_in_flight.max(outbox.in_flight());
    stats.set_feed_counts(*totals);
    sent
}

/// The INFO status of a source that ended after `count` events.
pub(crate) fn report_ended(link: &ManagerLink, count: u64) -> Result<()> {
    let message = format!("the source ended after {count} events");
    link.report(StatusLevel::Info, STATUS_FEED_ENDED, &message)
}

/// Marks the subscriptions primed once: when asked, or else when dropped.
struct Primed<'a, V: PushValue + ?Sized> {
    subscriptions: &'a Subscriptions<V>,
    marked: bool,
}

impl<'a, V: PushValue + ?Sized> Primed<'a, V> {
    fn new(subscriptions: &'a Subscriptions<V>) -> Self {
        Self {
            subscriptions,
            marked: false,
        }
    }

    fn mark(&mut self) {
        if !std::mem::replace(&mut self.marked, true) {
            self.subscriptions.mark_primed();
        }
    }
}

impl<V: PushValue + ?Sized> Drop for Primed<'_, V> {
    fn drop(&mut self) {
        self.mark();
    }
}
