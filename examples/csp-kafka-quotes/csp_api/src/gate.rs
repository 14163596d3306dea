//! The gate every push passes: open while the adapter runs; closing it waits
//! for the pushes already inside, so none reaches a stopped adapter.
//!
//! One atomic word holds a closed bit and the number of pushes inside. A push
//! costs one load and two uncontended atomic adds (a read lock costs a
//! compare-and-swap loop and more checks), which matters on the push path.
//! A manager's feed passes a [`SoloGate`] of its own instead, once per send:
//! only one thread enters it, which saves the second atomic write.
//! `testing::gate_race` races both (the generated tests run it: this crate
//! links csp, so it has no `cargo test` of its own).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::error::{Error, ErrorKind, Result};
use std::thread;
use std::time::Duration;

const CLOSED: usize = 1 << (usize::BITS - 1);

#[derive(Debug, Default)]
pub(crate) struct Gate {
    state: AtomicUsize,
}

/// Proof of being inside an open gate; leaving happens on drop (also when
/// the push panics).
pub(crate) struct Pass<'a> {
    gate: &'a Gate,
}

impl Gate {
    /// Enters the gate, or returns `None` once it is closed.
    #[inline]
    pub(crate) fn enter(&self) -> Option<Pass<'_>> {
        // Refused pushes after closing do not touch the count at all.
        if self.state.load(Ordering::Relaxed) & CLOSED != 0 {
            return None;
        }
        // All of the gate lives in one atomic word, so its changes happen in
        // one order: a push counted before `close` set the closed bit is
        // waited for; one counted after sees the bit and leaves. Acquire
        // keeps the push's use of the adapter from moving before the count.
        if self.state.fetch_add(1, Ordering::Acquire) & CLOSED != 0 {
            self.state.fetch_sub(1, Ordering::Release);
            return None;
        }
        Some(Pass { gate: self })
    }

    /// Closes the gate and waits until every push inside has left: a push
    /// takes well under a microsecond, but one that blocks (a slow
    /// `push_batch` iterator) is waited for with growing sleeps, not spins.
    pub(crate) fn close(&self) {
        self.state.fetch_or(CLOSED, Ordering::AcqRel);
        wait_until(|| self.state.load(Ordering::Acquire) & !CLOSED == 0);
    }

    /// Runs `f` inside the open gate; once it is closed, returns an error of
    /// kind `Stopped` saying that `name` is stopped.
    #[inline]
    pub(crate) fn run<R>(&self, name: &str, f: impl FnOnce() -> Result<R>) -> Result<R> {
        match self.enter() {
            Some(_pass) => f(),
            None => Err(stopped(name)),
        }
    }

    pub(crate) fn is_open(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED == 0
    }
}

/// Waits until `done`, yielding at first, then with growing sleeps.
fn wait_until(done: impl Fn() -> bool) {
    let mut rounds = 0_u32;
    while !done() {
        if rounds < 64 {
            thread::yield_now();
        } else {
            let micros = 1_u64 << (rounds - 64).min(10);
            thread::sleep(Duration::from_micros(micros));
        }
        rounds = rounds.saturating_add(1);
    }
}

#[cold]
pub(crate) fn stopped(name: &str) -> Error {
    Error::new(
        ErrorKind::Stopped,
        format!("{name} is stopped: the graph is no longer running"),
    )
}

impl Drop for Pass<'_> {
    #[inline]
    fn drop(&mut self) {
        self.gate.state.fetch_sub(1, Ordering::Release);
    }
}

/// A gate that one thread enters (a manager's feed), through its one
/// [`SoloEntry`]: entering costs a sequentially consistent store and load
/// (an atomic swap and a load on x86) and leaving a plain store, where a
/// [`Gate`] pass takes two atomic adds. Closing it (from any thread) waits
/// until that thread is outside.
#[derive(Debug, Default)]
pub(crate) struct SoloGate {
    inside: AtomicBool,
    closed: AtomicBool,
}

impl SoloGate {
    /// Closes the gate and waits until its thread is outside.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        wait_until(|| !self.inside.load(Ordering::SeqCst));
    }
}

/// The only way into a [`SoloGate`]: not `Clone`, and entering borrows it
/// mutably, so that one pass at most exists.
#[derive(Debug, Default)]
pub(crate) struct SoloEntry {
    gate: Arc<SoloGate>,
}

/// Proof of being inside an open [`SoloGate`]; leaving happens on drop.
pub(crate) struct SoloPass<'a> {
    gate: &'a SoloGate,
}

impl SoloEntry {
    /// The gate, for those who close it.
    pub(crate) fn gate(&self) -> &Arc<SoloGate> {
        &self.gate
    }

    /// Enters the gate, or returns `None` once it is closed.
    ///
    /// Each side writes its own flag, then reads the other's, all in one
    /// sequentially consistent order: either the closer sees the entrant
    /// inside and waits, or the entrant sees the gate closed and leaves.
    #[inline]
    pub(crate) fn enter(&mut self) -> Option<SoloPass<'_>> {
        let gate = &*self.gate;
        gate.inside.store(true, Ordering::SeqCst);
        if gate.closed.load(Ordering::SeqCst) {
            gate.inside.store(false, Ordering::Release);
            return None;
        }
        Some(SoloPass { gate })
    }
}

impl Drop for SoloPass<'_> {
    #[inline]
    fn drop(&mut self) {
        self.gate.inside.store(false, Ordering::Release);
    }
}
