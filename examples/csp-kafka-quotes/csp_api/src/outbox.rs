//! What the realtime feed has routed but not sent yet: the values of one or
//! more source batches, sent to csp together, in one push batch in which
//! each source batch still ends a batch of its own (csp's push group rules
//! see the same batches), inside the feed's gate.
//!
//! Sending several batches at once matters when a source has them ready (a
//! file, a generated feed): each send is an atomic exchange with the engine
//! thread and a wake-up of it, which cost more than the pushes themselves.
//!
//! With a bound on the values in flight (pushed, not yet consumed by the
//! engine), a send now and then ends with an ack
//! ([`Pusher::ack_linked`]): once the engine has consumed it, the outbox
//! knows how much it consumed, and [`Outbox::wait_for_room`] waits for it.
//!
//! Each batch's pushes end with the one `adapter_core::batch_order` picks,
//! so that csp's engine loses none of them.

use super::error::Result;
use super::feed::{FeedValue, Routes, SymbolHasher};
use super::gate::{self, SoloEntry};
use super::input::Pusher;
use super::link::PushBatch;
use adapter_core::batch_order::{self, Closing, Shape};
use adapter_core::{DateTime, EventValue, StopSignal};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::time::Duration;

/// Values waiting that make the feed send even when its source has more
/// batches ready (a batch is never cut: one larger than this goes whole).
const SEND_AT: usize = 64;
/// Acks per bound's worth of pushes: the engine's count lags by at most
/// `max / ACKS_PER_BOUND` values (and a send).
const ACKS_PER_BOUND: u64 = 8;
/// The first and the longest wait of a feed at its bound between two looks
/// at the engine's count (each wait doubles the one before).
const FIRST_POLL: Duration = Duration::from_micros(100);
const LONGEST_POLL: Duration = Duration::from_millis(2);

/// The bound on the values in flight, and where the outbox stands in it.
struct Bound<'r, V: FeedValue + ?Sized> {
    max: u64,
    /// Pushes between acks.
    ack_every: u64,
    /// The pushes counted by the last ack.
    acked: u64,
    /// The engine's count, as last read.
    consumed: u64,
    /// The adapter whose ack port carries the acks.
    acker: &'r Pusher<V>,
}

/// The subscriptions of one symbol.
struct Route<'r, V: FeedValue + ?Sized> {
    pushers: &'r [Pusher<V>],
    /// Its place among the outbox's routes.
    index: usize,
    /// The last of `pushers` that ticks every value, if any.
    last_non_collapsing: Option<usize>,
}

impl<V: FeedValue + ?Sized> Clone for Route<'_, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V: FeedValue + ?Sized> Copy for Route<'_, V> {}

impl<V: FeedValue + ?Sized> Route<'_, V> {
    fn shape(&self) -> Shape {
        Shape {
            route: self.index,
            pushers: self.pushers.len(),
            last_non_collapsing: self.last_non_collapsing,
        }
    }
}

/// One routed value: pushed to each of its route's pushers.
struct Routed<'r, V: FeedValue + ?Sized> {
    route: Route<'r, V>,
    value: <V as EventValue>::Owned,
    /// The last value of its source batch.
    ends_batch: bool,
}

pub(crate) struct Outbox<'r, V: FeedValue + ?Sized> {
    by_symbol: HashMap<&'r str, Route<'r, V>, BuildHasherDefault<SymbolHasher>>,
    /// Scratch space of [`batch_order::closing_push`]: a zero per route.
    counts: Vec<u32>,
    /// Linked to every adapter of the routes, whose stop closes it first:
    /// inside, the adapters and their engine run.
    gate: SoloEntry,
    batch: PushBatch,
    /// The complete batches' values, then those of the open batch.
    values: Vec<Routed<'r, V>>,
    /// How many of `values` are of complete batches.
    complete: usize,
    pushed: u64,
    bound: Option<Bound<'r, V>>,
}

impl<'r, V: FeedValue + ?Sized> Outbox<'r, V> {
    /// An outbox routing by `routes`, sending through `batch`, with at most
    /// `max_in_flight` values in flight (see [`Outbox::wait_for_room`]).
    pub(crate) fn new(routes: &'r Routes<V>, batch: PushBatch, max_in_flight: Option<u64>) -> Self {
        let gate = SoloEntry::default();
        for pusher in routes.values().flatten() {
            pusher.link_gate(gate.gate());
        }
        let acker = routes.values().flatten().next();
        let bound = max_in_flight.zip(acker).map(|(max, acker)| Bound {
            max: max.max(1),
            ack_every: (max / ACKS_PER_BOUND).max(1),
            acked: 0,
            consumed: 0,
            acker,
        });
        let by_symbol: HashMap<_, _, _> = (routes.iter().enumerate())
            .map(|(index, (symbol, pushers))| {
                let last_non_collapsing = pushers.iter().rposition(Pusher::is_non_collapsing);
                let route = Route {
                    pushers,
                    index,
                    last_non_collapsing,
                };
                (symbol.as_str(), route)
            })
            .collect();
        Self {
            counts: vec![0; by_symbol.len()],
            by_symbol,
            gate,
            batch,
            values: Vec::new(),
            complete: 0,
            pushed: 0,
            bound,
        }
    }

    /// Values sent and not yet consumed by the engine, as far as it has
    /// told (at most that many); 0 without a bound.
    pub(crate) fn in_flight(&self) -> u64 {
        self.bound
            .as_ref()
            .map_or(0, |bound| self.pushed.saturating_sub(bound.consumed))
    }

    /// Once the values in flight reach the bound, waits until they are down
    /// to half of it (so that the feed then sends a long run at once instead
    /// of racing the engine for each send); false when the run stopped
    /// first. Returns at once below the bound, or without one.
    pub(crate) fn wait_for_room(&mut self, stop: &StopSignal) -> bool {
        let Some(bound) = &mut self.bound else {
            return true;
        };
        if self.pushed.saturating_sub(bound.consumed) < bound.max {
            return true;
        }
        let mut poll = FIRST_POLL;
        loop {
            {
                let Some(_pass) = self.gate.enter() else {
                    return false;
                };
                // SAFETY: inside the gate linked to every adapter of the routes.
                let acked = unsafe { bound.acker.consumed_linked() };
                bound.consumed = bound.consumed.max(acked);
            }
            if self.pushed.saturating_sub(bound.consumed) <= bound.max / 2 {
                return true;
            }
            if stop.wait_timeout(poll) {
                return false;
            }
            poll = (poll * 2).min(LONGEST_POLL);
        }
    }

    /// Adds `value` to the open batch for the subscriptions of `symbol`;
    /// false when there are none.
    #[inline]
    pub(crate) fn route(&mut self, symbol: &str, value: <V as EventValue>::Owned) -> bool {
        let Some(&route) = self.by_symbol.get(symbol) else {
            return false;
        };
        self.values.push(Routed {
            route,
            value,
            ends_batch: false,
        });
        true
    }

    /// Ends the open batch (nothing, when it routed no value).
    pub(crate) fn end_batch(&mut self) {
        if self.values.len() > self.complete
            && let Some(last) = self.values.last_mut()
        {
            last.ends_batch = true;
            self.complete = self.values.len();
        }
    }

    /// Forgets the values of the open batch (a source failed in it).
    pub(crate) fn drop_open_batch(&mut self) {
        self.values.truncate(self.complete);
    }

    /// Whether enough values wait to send them without waiting for more.
    pub(crate) fn is_full(&self) -> bool {
        self.values.len() >= SEND_AT
    }

    /// Whether [`Outbox::send`] has something to send.
    pub(crate) fn has_complete_batches(&self) -> bool {
        self.complete > 0
    }

    /// Values sent so far.
    pub(crate) fn pushed(&self) -> u64 {
        self.pushed
    }

    /// Sends the complete batches; the open one stays. Once a subscription
    /// has stopped, returns an error of kind `Stopped` and sends nothing; if
    /// a push fails, sends none of them.
    pub(crate) fn send(&mut self) -> Result<()> {
        if !self.has_complete_batches() {
            return Ok(());
        }
        let ack = self.ack_due(&self.values[..self.complete]);
        let Some(_pass) = self.gate.enter() else {
            return Err(gate::stopped("a subscription of the feed"));
        };
        let sent = std::mem::take(&mut self.complete);
        let values = &self.values[..sent];
        // SAFETY: inside the gate linked to every adapter of the routes, in
        // realtime.
        let pushed = unsafe { push_all(&mut self.batch, values, ack, &mut self.counts) };
        if let (Ok(_), Some((_, count)), Some(bound)) = (&pushed, ack, &mut self.bound) {
            bound.acked = count;
        }
        if pushed.is_err() {
            // SAFETY: as above: the adapters of the events are alive.
            unsafe { self.batch.discard_linked() };
        }
        self.values.drain(..sent);
        self.pushed += pushed?;
        Ok(())
    }

    /// The ack to end a send of `values` with, if one is due: the acker and
    /// the count of values pushed once they are.
    fn ack_due(&self, values: &[Routed<'r, V>]) -> Option<(&'r Pusher<V>, u64)> {
        let bound = self.bound.as_ref()?;
        let count = self.pushed
            + values
                .iter()
                .map(|v| v.route.pushers.len() as u64)
                .sum::<u64>();
        (count - bound.acked >= bound.ack_every).then_some((bound.acker, count))
    }

    /// Sends the complete batches as replayed ticks recorded at `time`
    /// (the subscriptions are csp push-pull adapters, made with replays).
    pub(crate) fn send_replayed(&mut self, time: DateTime) -> Result<()> {
        if !self.has_complete_batches() {
            return Ok(());
        }
        let Some(_pass) = self.gate.enter() else {
            return Err(gate::stopped("a subscription of the feed"));
        };
        let sent = std::mem::take(&mut self.complete);
        self.batch.replay_at(Some(time))?;
        let (mut pushed, mut result) = (0, Ok(()));
        'values: for routed in &self.values[..sent] {
            for pusher in routed.route.pushers {
                // SAFETY: inside the gate linked to every adapter of the
                // routes, in realtime; a replayed tick is not added to the batch.
                result =
                    unsafe { pusher.push_linked(Some(&mut self.batch), V::arg(&routed.value)) };
                if result.is_err() {
                    break 'values;
                }
                pushed += 1;
            }
        }
        let live = self.batch.replay_at(None);
        self.values.drain(..sent);
        self.pushed += pushed;
        if let Some(bound) = &mut self.bound {
            // Replayed ticks are not bounded (csp's push-pull adapters hold
            // them): count them as consumed.
            bound.consumed += pushed;
            bound.acked += pushed;
        }
        result.and(live)
    }

    /// Ends the replay of every subscription: what follows is live.
    pub(crate) fn end_replay(&mut self) -> Result<()> {
        let Some(_pass) = self.gate.enter() else {
            // Stopped: csp's stop ends each adapter's replay itself.
            return Ok(());
        };
        let mut ended = Ok(());
        for pusher in self.by_symbol.values().flat_map(|route| route.pushers) {
            // SAFETY: inside the gate linked to every adapter of the routes.
            ended = ended.and(unsafe { pusher.replay_complete_linked() });
        }
        ended
    }
}

/// Pushes `values` into `batch`, ending a csp batch after each source
/// batch (with the push [`batch_order::closing_push`] picks), then `ack`
/// (the acker and its count) if given, and sends it; returns how many
/// values it pushed. `counts` is a zero per route.
///
/// # Safety
/// Inside a gate linked to every adapter of `values` and to the acker, in
/// realtime.
unsafe fn push_all<V: FeedValue + ?Sized>(
    batch: &mut PushBatch,
    values: &[Routed<'_, V>],
    ack: Option<(&Pusher<V>, u64)>,
    counts: &mut [u32],
) -> Result<u64> {
    if let [routed] = values
        && let [pusher] = routed.route.pushers
        && ack.is_none()
    {
        // One value: csp takes a push without a batch the same way (it
        // ends the push group's batch), with less work.
        // SAFETY: from the caller.
        unsafe { pusher.push_linked(None, V::arg(&routed.value)) }?;
        return Ok(1);
    }
    let mut pushed = 0;
    for source_batch in values.split_inclusive(|routed| routed.ends_batch) {
        let moved = batch_order::closing_push(source_batch, |routed| routed.route.shape(), counts)
            .map(|Closing { value, pusher }| (value, pusher));
        for (index, routed) in source_batch.iter().enumerate() {
            for (position, pusher) in routed.route.pushers.iter().enumerate() {
                if moved != Some((index, position)) {
                    // SAFETY: from the caller.
                    unsafe { pusher.push_linked(Some(batch), V::arg(&routed.value)) }?;
                }
            }
            pushed += routed.route.pushers.len() as u64;
        }
        if let Some((value, pusher)) = moved {
            let routed = &source_batch[value];
            let closing = &routed.route.pushers[pusher];
            // SAFETY: from the caller.
            unsafe { closing.push_linked(Some(batch), V::arg(&routed.value)) }?;
        }
        batch.split()?;
    }
    if let Some((acker, count)) = ack {
        // SAFETY: from the caller.
        unsafe { acker.ack_linked(batch, count) }?;
    }
    // SAFETY: from the caller: the engine runs.
    unsafe { batch.send_linked() }?;
    Ok(pushed)
}
