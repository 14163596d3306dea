//! Counters a manager's adapters share with Python: events read from the
//! source, values pushed, events nobody subscribed to, what the output
//! adapters received, how many received values were wrong, and when the
//! first value was pushed and the last one received.

use std::fmt::Debug;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use crate::time::DateTime;

/// Thread-safe counters, updated by the push threads and the engine thread.
///
/// Each side's counters sit on cache lines of their own, so that a push
/// thread counting its pushes does not slow the engine thread counting what
/// it receives (and the other way round).
#[derive(Debug, Default)]
pub struct Stats {
    push_side: PushSide,
    engine_side: EngineSide,
}

/// Written by the push threads.
#[derive(Debug, Default)]
#[repr(align(128))]
struct PushSide {
    events: AtomicU64,
    pushed: AtomicU64,
    unrouted: AtomicU64,
    bad_messages: AtomicU64,
    dropped: AtomicU64,
    peak_in_flight: AtomicU64,
    first_push_ns: AtomicI64,
}

/// Written by the engine thread.
#[derive(Debug, Default)]
#[repr(align(128))]
struct EngineSide {
    received: AtomicU64,
    mismatches: AtomicU64,
    last_receive_ns: AtomicI64,
    first_mismatch: Mutex<Option<String>>,
}

/// A copy of [`Stats`] at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Events read from the source.
    pub events: u64,
    /// Values pushed (an event with two subscriptions counts twice).
    pub pushed: u64,
    /// Events whose symbol nobody subscribed to.
    pub unrouted: u64,
    /// Messages a live source dropped because they did not decode.
    pub bad_messages: u64,
    /// Events a live source dropped while the graph was behind.
    pub dropped: u64,
    /// The most values pushed and not yet consumed by the engine, when the
    /// manager bounds them (0 when it does not).
    pub peak_in_flight: u64,
    pub received: u64,
    pub mismatches: u64,
    pub first_mismatch: Option<String>,
    /// When the first value was pushed, if it was.
    pub first_push: Option<DateTime>,
    /// When the last expected value was received, if it was.
    pub last_receive: Option<DateTime>,
}

/// What a manager's feed has read and pushed since the run started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeedCounts {
    /// Events read from the source.
    pub events: u64,
    /// Values pushed to the engine (an event with two subscriptions counts
    /// twice); the realtime feed counts a value when it sends it, so a run
    /// that ends early may have routed events it never pushed.
    pub pushed: u64,
    /// Events whose symbol nobody subscribed to.
    pub unrouted: u64,
    /// The most values pushed and not yet consumed by the engine, when the
    /// feed bounds them.
    pub peak_in_flight: u64,
}

impl Stats {
    /// Sets the feed's counts to its totals since the run started.
    ///
    /// Call it from the feed only: with one writer, plain stores suffice
    /// (no atomic read-modify-write on the push path), and readers on other
    /// threads still see each counter's latest total.
    #[inline]
    pub fn set_feed_counts(&self, totals: FeedCounts) {
        let side = &self.push_side;
        side.events.store(totals.events, Ordering::Relaxed);
        side.pushed.store(totals.pushed, Ordering::Relaxed);
        side.unrouted.store(totals.unrouted, Ordering::Relaxed);
        side.peak_in_flight
            .store(totals.peak_in_flight, Ordering::Relaxed);
    }

    /// Counts one received value and returns its index (0 for the first).
    ///
    /// Call it from the engine thread only (where every output adapter runs):
    /// with a single writer a load and a store suffice, which keeps the
    /// per-tick cost of the output path down; readers on other threads still
    /// see a consistent count.
    #[inline]
    pub fn next_received_index(&self) -> u64 {
        let index = self.engine_side.received.load(Ordering::Relaxed);
        self.engine_side
            .received
            .store(index + 1, Ordering::Relaxed);
        index
    }

    /// Counts a received value that differs from the expected one; the first
    /// is kept for error messages.
    pub fn record_mismatch(&self, index: u64, expected: &dyn Debug, got: &dyn Debug) {
        if self.engine_side.mismatches.fetch_add(1, Ordering::Relaxed) == 0 {
            let mut first = self
                .engine_side
                .first_mismatch
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            *first = Some(format!("value {index}: expected {expected:?}, got {got:?}"));
        }
    }

    /// Counts a message a live source dropped (a BAD_MESSAGE status).
    pub fn count_bad_message(&self) {
        self.push_side.bad_messages.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts events a live source dropped while the graph was behind.
    pub fn count_dropped(&self, events: u64) {
        self.push_side.dropped.fetch_add(events, Ordering::Relaxed);
    }

    /// Notes when the first value was pushed.
    pub fn record_first_push(&self, at: DateTime) {
        self.push_side
            .first_push_ns
            .store(at.as_nanos(), Ordering::Relaxed);
    }

    /// Notes when the last expected value arrived.
    pub fn record_last_receive(&self, at: DateTime) {
        self.engine_side
            .last_receive_ns
            .store(at.as_nanos(), Ordering::Relaxed);
    }

    #[inline]
    pub fn received(&self) -> u64 {
        self.engine_side.received.load(Ordering::Relaxed)
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            events: self.push_side.events.load(Ordering::Relaxed),
            pushed: self.push_side.pushed.load(Ordering::Relaxed),
            unrouted: self.push_side.unrouted.load(Ordering::Relaxed),
            bad_messages: self.push_side.bad_messages.load(Ordering::Relaxed),
            dropped: self.push_side.dropped.load(Ordering::Relaxed),
            peak_in_flight: self.push_side.peak_in_flight.load(Ordering::Relaxed),
            received: self.engine_side.received.load(Ordering::Relaxed),
            mismatches: self.engine_side.mismatches.load(Ordering::Relaxed),
            first_mismatch: self
                .engine_side
                .first_mismatch
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            first_push: time_or_none(&self.push_side.first_push_ns),
            last_receive: time_or_none(&self.engine_side.last_receive_ns),
        }
    }

    /// Sets every counter back to zero (at the start of each run).
    pub fn reset(&self) {
        self.push_side.events.store(0, Ordering::Relaxed);
        self.push_side.pushed.store(0, Ordering::Relaxed);
        self.push_side.unrouted.store(0, Ordering::Relaxed);
        self.push_side.bad_messages.store(0, Ordering::Relaxed);
        self.push_side.dropped.store(0, Ordering::Relaxed);
        self.push_side.peak_in_flight.store(0, Ordering::Relaxed);
        self.engine_side.received.store(0, Ordering::Relaxed);
        self.engine_side.mismatches.store(0, Ordering::Relaxed);
        self.push_side.first_push_ns.store(0, Ordering::Relaxed);
        self.engine_side.last_receive_ns.store(0, Ordering::Relaxed);
        *self
            .engine_side
            .first_mismatch
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// 0 stands for "not yet" (no demo runs at the Unix epoch).
fn time_or_none(nanos: &AtomicI64) -> Option<DateTime> {
    match nanos.load(Ordering::Relaxed) {
        0 => None,
        nanos => Some(DateTime::from_nanos(nanos)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_resets() {
        let stats = Stats::default();
        stats.set_feed_counts(FeedCounts {
            events: 2,
            pushed: 1,
            unrouted: 0,
            peak_in_flight: 1,
        });
        stats.set_feed_counts(FeedCounts {
            events: 3,
            pushed: 2,
            unrouted: 1,
            peak_in_flight: 2,
        });
        assert_eq!(stats.next_received_index(), 0);
        assert_eq!(stats.next_received_index(), 1);
        stats.record_mismatch(1, &5_i64, &6_i64);
        stats.record_mismatch(2, &7_i64, &8_i64);
        stats.record_first_push(DateTime::from_secs(5));
        stats.record_last_receive(DateTime::from_secs(7));
        stats.count_bad_message();
        stats.count_dropped(4);
        let snapshot = stats.snapshot();
        assert_eq!(
            snapshot,
            StatsSnapshot {
                events: 3,
                pushed: 2,
                unrouted: 1,
                bad_messages: 1,
                dropped: 4,
                peak_in_flight: 2,
                received: 2,
                mismatches: 2,
                first_mismatch: Some("value 1: expected 5, got 6".to_owned()),
                first_push: Some(DateTime::from_secs(5)),
                last_receive: Some(DateTime::from_secs(7)),
            }
        );
        stats.reset();
        assert_eq!(stats.snapshot(), StatsSnapshot::default());
    }

    #[test]
    fn push_and_engine_counters_do_not_share_a_cache_line() {
        let stats = Stats::default();
        let push = std::ptr::from_ref(&stats.push_side) as usize;
        let engine = std::ptr::from_ref(&stats.engine_side) as usize;
        assert!(push.abs_diff(engine) >= 128);
    }

    #[test]
    fn a_reader_sees_the_feed_counts_grow_to_their_totals() {
        let stats = Stats::default();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                for events in 1..=10_000 {
                    stats.set_feed_counts(FeedCounts {
                        events,
                        pushed: 2 * events,
                        unrouted: events / 2,
                        peak_in_flight: 0,
                    });
                }
            });
            let mut last = 0;
            while last < 10_000 {
                let events = stats.snapshot().events;
                assert!(events >= last, "went from {last} to {events}");
                last = events;
            }
        });
        let snapshot = stats.snapshot();
        assert_eq!(
            (snapshot.events, snapshot.pushed, snapshot.unrouted),
            (10_000, 20_000, 5_000)
        );
    }
}
