//! A manager's feed: one thread that reads a [`Source`] and routes each
//! event to the push input adapters subscribed to its symbol, one push batch
//! per source batch, so that csp's batch and push-group rules hold across
//! symbols.
//!
//! The manager makes a [`Subscriptions`] per run; each input adapter counts
//! itself in when its capsule is made ([`Subscriptions::expect_one`]) and
//! registers its [`Pusher`] when it starts. The manager starts a [`Feed`] in
//! its own `start` (before csp starts the adapters): the feed waits until
//! every expected adapter has registered, then routes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::error::{Error, ErrorKind, Result};
use super::guard;
use super::input::Pusher;
use super::link::{ManagerLink, StatusLevel};
use super::value::PushValue;
use adapter_core::{DateTime, Event, Source, TextValue, TimeDelta};

/// `status_code` of the INFO status a feed reports when its source ends.
pub const STATUS_FEED_ENDED: i64 = 2;
/// `status_code` of the ERROR status a feed reports before it stops the engine.
pub const STATUS_FEED_FAILED: i64 = 3;

/// A value type a feed can route: pushed as [`PushValue::Arg`], read from
/// sources as [`TextValue::Owned`].
pub trait FeedValue: PushValue + TextValue + 'static {
    /// The push argument for an event's value.
    fn arg(value: &<Self as TextValue>::Owned) -> Self::Arg<'_>;
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

/// The push input adapters of one manager run, by symbol.
pub struct Subscriptions<V: PushValue + ?Sized> {
    registry: Mutex<Registry<V>>,
    all_registered: Condvar,
}

struct Registry<V: PushValue + ?Sized> {
    expected: usize,
    registered: usize,
    by_symbol: HashMap<String, Vec<Pusher<V>>>,
}

type Routes<V> = HashMap<String, Vec<Pusher<V>>>;

impl<V: PushValue + ?Sized> Default for Subscriptions<V> {
    fn default() -> Self {
        Self {
            registry: Mutex::new(Registry {
                expected: 0,
                registered: 0,
                by_symbol: HashMap::new(),
            }),
            all_registered: Condvar::new(),
        }
    }
}

impl<V: PushValue + ?Sized> Subscriptions<V> {
    /// Counts one more input adapter of this run: call it when making the
    /// adapter's capsule, before the graph starts.
    pub fn expect_one(&self) {
        self.lock().expected += 1;
    }

    /// Adds a started input adapter's pusher under `symbol`.
    pub fn register(&self, symbol: &str, pusher: Pusher<V>) {
        let mut registry = self.lock();
        registry
            .by_symbol
            .entry(symbol.to_owned())
            .or_default()
            .push(pusher);
        registry.registered += 1;
        self.all_registered.notify_all();
    }

    /// How many input adapters this run expects.
    pub fn expected(&self) -> usize {
        self.lock().expected
    }

    /// The routes once every expected adapter registered; `None` when the
    /// manager stopped first.
    fn wait_for_routes(&self, link: &ManagerLink, stop: &AtomicBool) -> Option<Routes<V>> {
        let mut registry = self.lock();
        while registry.registered < registry.expected {
            if stop.load(Ordering::Relaxed) || !link.is_active() {
                return None;
            }
            registry = self
                .all_registered
                .wait_timeout(registry, Duration::from_millis(10))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        Some(registry.by_symbol.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry<V>> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Counters of a feed, readable while it runs.
#[derive(Debug, Default)]
pub struct FeedCounters {
    /// Events read from the source.
    pub events: AtomicU64,
    /// Values pushed (an event with two subscriptions counts twice).
    pub pushed: AtomicU64,
    /// Events whose symbol nobody subscribed to.
    pub unrouted: AtomicU64,
}

/// How a feed replays its source.
#[derive(Clone, Copy, Debug, Default)]
pub struct FeedOptions {
    /// Follow the gaps between the events' recorded times instead of
    /// pushing as fast as possible.
    pub paced: bool,
}

/// A running feed thread; [`Feed::stop`] ends and joins it.
pub struct Feed {
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl Feed {
    /// Starts the feed thread of a manager. Failures on the thread (a bad
    /// row, an `Err` or a panic in the source) report an ERROR status and
    /// stop the engine with the error, which `csp.run` raises.
    pub fn start<V, S>(
        name: &str,
        source: S,
        subscriptions: Arc<Subscriptions<V>>,
        link: ManagerLink,
        options: FeedOptions,
        counters: Arc<FeedCounters>,
    ) -> Result<Self>
    where
        V: FeedValue + ?Sized,
        S: Source<V> + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = Arc::clone(&stop);
        let worker = thread::Builder::new()
            .name(format!("{name}-feed"))
            .spawn(move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    run(
                        source,
                        &subscriptions,
                        &link,
                        options,
                        &counters,
                        &thread_stop,
                    )
                }));
                let error = match outcome {
                    Ok(Ok(())) => return,
                    Ok(Err(error)) if error.kind() == ErrorKind::Stopped => return,
                    Ok(Err(error)) => error,
                    Err(payload) => Error::runtime(format!(
                        "feed thread panicked: {}",
                        guard::panic_message(payload.as_ref())
                    )),
                };
                // Err here means the graph already stopped: nobody to tell.
                let _ = link.report(StatusLevel::Error, STATUS_FEED_FAILED, error.message());
                let _ = link.fail(&error);
            })?;
        Ok(Self {
            stop,
            worker: Some(worker),
        })
    }

    /// Asks the thread to end and waits for it. A source blocked in
    /// `next_batch` must return for this to finish.
    pub fn stop(mut self) -> Result<()> {
        self.join()
    }

    fn join(&mut self) -> Result<()> {
        self.stop.store(true, Ordering::Relaxed);
        match self.worker.take() {
            Some(worker) => worker
                .join()
                .map_err(|_| Error::runtime("the feed thread could not be joined")),
            None => Ok(()),
        }
    }
}

impl Drop for Feed {
    /// Joins the thread even when the manager never called `stop`.
    fn drop(&mut self) {
        let _ = self.join();
    }
}

fn run<V, S>(
    mut source: S,
    subscriptions: &Subscriptions<V>,
    link: &ManagerLink,
    options: FeedOptions,
    counters: &FeedCounters,
    stop: &AtomicBool,
) -> Result<()>
where
    V: FeedValue + ?Sized,
    S: Source<V>,
{
    let Some(routes) = subscriptions.wait_for_routes(link, stop) else {
        return Ok(());
    };
    let mut events: Vec<Event<<V as TextValue>::Owned>> = Vec::new();
    let mut pace: Option<(Instant, DateTime)> = None;
    let mut batch = link.batch()?;
    while !stop.load(Ordering::Relaxed) {
        events.clear();
        if !source.next_batch(&mut events).map_err(Error::from)? {
            let count = counters.events.load(Ordering::Relaxed);
            let message = format!("the source ended after {count} events");
            return link.report(StatusLevel::Info, STATUS_FEED_ENDED, &message);
        }
        if let (true, Some(first)) = (options.paced, events.first()) {
            let (wall, recorded) = *pace.get_or_insert((Instant::now(), first.time));
            let gap = first.time.since(recorded).to_std().unwrap_or_default();
            sleep_until(wall + gap, stop);
        }
        let mut pushed = 0;
        let mut unrouted = 0;
        for event in &events {
            match routes.get(&event.symbol) {
                Some(pushers) => {
                    for pusher in pushers {
                        pusher.push_into(&mut batch, V::arg(&event.value))?;
                    }
                    pushed += pushers.len() as u64;
                }
                None => unrouted += 1,
            }
        }
        batch.send()?;
        counters
            .events
            .fetch_add(events.len() as u64, Ordering::Relaxed);
        counters.pushed.fetch_add(pushed, Ordering::Relaxed);
        counters.unrouted.fetch_add(unrouted, Ordering::Relaxed);
    }
    Ok(())
}

/// Sleeps until `deadline` in short steps, waking early when `stop` is set.
fn sleep_until(deadline: Instant, stop: &AtomicBool) {
    loop {
        let now = Instant::now();
        if now >= deadline || stop.load(Ordering::Relaxed) {
            return;
        }
        thread::sleep((deadline - now).min(Duration::from_millis(10)));
    }
}
