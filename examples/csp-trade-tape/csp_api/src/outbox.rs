//! What the realtime feed has routed but not sent yet: the values of one or
//! more source batches, sent to csp together, in one push batch in which
//! each source batch still ends a batch of its own (csp's push group rules
//! see the same batches), inside the feed's gate.
//!
//! Sending several batches at once matters when a source has them ready (a
//! file, a generated feed): each send is an atomic exchange with the engine
//! thread and a wake-up of it, which cost more than the pushes themselves.

use super::error::Result;
use super::feed::FeedValue;
use super::gate::{self, SoloEntry};
use super::input::Pusher;
use super::link::PushBatch;
use adapter_core::EventValue;

/// Values an outbox gathers at most before the feed sends them (when its
/// source has more batches ready).
pub(crate) const SEND_AT: usize = 64;

/// One routed value: pushed to each of `pushers`.
struct Routed<'r, V: FeedValue + ?Sized> {
    pushers: &'r [Pusher<V>],
    value: <V as EventValue>::Owned,
    /// The last value of its source batch.
    ends_batch: bool,
}

pub(crate) struct Outbox<'r, V: FeedValue + ?Sized> {
    /// Linked to every routed adapter, whose stop closes it first: inside,
    /// the adapters and their engine run.
    gate: SoloEntry,
    batch: PushBatch,
    /// The complete batches' values, then those of the open batch.
    values: Vec<Routed<'r, V>>,
    /// Complete batches in `values`.
    complete: u64,
    pushed: u64,
    batches_sent: u64,
}

impl<'r, V: FeedValue + ?Sized> Outbox<'r, V> {
    /// An outbox for the adapters of `pushers` (each linked to its gate).
    pub(crate) fn new<'p>(pushers: impl Iterator<Item = &'p Pusher<V>>, batch: PushBatch) -> Self {
        let gate = SoloEntry::default();
        for pusher in pushers {
            pusher.link_gate(gate.gate());
        }
        Self {
            gate,
            batch,
            values: Vec::new(),
            complete: 0,
            pushed: 0,
            batches_sent: 0,
        }
    }

    /// Adds a value of the open batch.
    #[inline]
    pub(crate) fn route(&mut self, pushers: &'r [Pusher<V>], value: <V as EventValue>::Owned) {
        self.values.push(Routed {
            pushers,
            value,
            ends_batch: false,
        });
    }

    /// Ends the open batch (nothing, when it routed no value).
    pub(crate) fn end_batch(&mut self) {
        if let Some(last) = self.values.last_mut()
            && !last.ends_batch
        {
            last.ends_batch = true;
            self.complete += 1;
        }
    }

    /// Forgets the values of the open batch (a source failed in it).
    pub(crate) fn drop_open_batch(&mut self) {
        let kept = self.values.iter().rposition(|routed| routed.ends_batch);
        self.values.truncate(kept.map_or(0, |last| last + 1));
    }

    /// Values waiting, the open batch's included.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether [`Outbox::send`] has something to send.
    pub(crate) fn has_complete_batches(&self) -> bool {
        self.complete > 0
    }

    /// Values sent so far.
    pub(crate) fn pushed(&self) -> u64 {
        self.pushed
    }

    /// Batches sent so far (those that routed a value).
    pub(crate) fn batches_sent(&self) -> u64 {
        self.batches_sent
    }

    /// Sends the complete batches; the open one stays. Once a subscription
    /// has stopped, returns an error of kind `Stopped` and sends nothing.
    pub(crate) fn send(&mut self) -> Result<()> {
        if !self.has_complete_batches() {
            return Ok(());
        }
        let Some(_pass) = self.gate.enter() else {
            return Err(gate::stopped("a subscription of the feed"));
        };
        let sent = self.values.iter().rposition(|routed| routed.ends_batch);
        let sent = sent.map_or(0, |last| last + 1);
        // SAFETY: inside the gate linked to every routed adapter, in realtime.
        let pushed = unsafe { push_all(&mut self.batch, &self.values[..sent]) }?;
        self.values.drain(..sent);
        self.pushed += pushed;
        self.batches_sent += std::mem::take(&mut self.complete);
        Ok(())
    }
}

/// Pushes `values` into `batch`, ending a csp batch after each source
/// batch, and sends it; returns how many values it pushed.
///
/// # Safety
/// Inside a gate linked to every adapter of `values`, in realtime.
unsafe fn push_all<V: FeedValue + ?Sized>(
    batch: &mut PushBatch,
    values: &[Routed<'_, V>],
) -> Result<u64> {
    if let [routed] = values
        && let [pusher] = routed.pushers
    {
        // One value: csp takes a push without a batch the same way (it
        // ends the push group's batch), with less work.
        // SAFETY: from the caller.
        unsafe { pusher.push_linked(None, V::arg(&routed.value)) }?;
        return Ok(1);
    }
    let mut pushed = 0;
    for routed in values {
        for pusher in routed.pushers {
            // SAFETY: from the caller.
            unsafe { pusher.push_linked(Some(batch), V::arg(&routed.value)) }?;
        }
        pushed += routed.pushers.len() as u64;
        if routed.ends_batch {
            // SAFETY: from the caller: the engine runs.
            unsafe { batch.split_linked() }?;
        }
    }
    // SAFETY: from the caller: the engine runs.
    unsafe { batch.send_linked() }?;
    Ok(pushed)
}
