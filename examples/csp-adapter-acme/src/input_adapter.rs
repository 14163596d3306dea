//! `AcmeInputAdapter`: pushes `int` values into the graph
//! from a thread of its own.
//!
//! Demo logic to replace with yours: it pushes `count` values (0: until the
//! graph stops), one every `interval` (zero: as fast as it can), value `i`
//! by the rule in `adapter_core::demo`. With `batch_size` > 1 it pushes that
//! many values at a time in one push batch (and waits `batch_size` intervals).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::adapter_manager::Shared;
use adapter_core::demo::DemoValue;
use csp_api::{DateTime, Error, PushInputAdapter, Pusher, Result};

/// The name of the push thread (Linux shows its first 15 bytes).
const THREAD_NAME: &str = "acme-input";

/// The csp type this adapter pushes: `ts[int]`.
pub type InputValue = i64;

pub struct AcmeInputAdapter {
    shared: Arc<Shared>,
    plan: Plan,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl AcmeInputAdapter {
    pub fn new(shared: Arc<Shared>, plan: Plan) -> Self {
        Self {
            shared,
            plan,
            stop: Arc::new(AtomicBool::new(false)),
            worker: None,
        }
    }
}

impl PushInputAdapter for AcmeInputAdapter {
    type Value = InputValue;

    fn name(&self) -> &str {
        "AcmeInputAdapter"
    }

    fn start(
        &mut self,
        pusher: Pusher<InputValue>,
        _start: DateTime,
        _end: DateTime,
    ) -> Result<()> {
        let shared = Arc::clone(&self.shared);
        let stop = Arc::clone(&self.stop);
        let plan = self.plan;
        let worker = pusher.spawn(THREAD_NAME, move |pusher| {
            push_demo_values(pusher, &shared, plan, &stop)
        })?;
        self.worker = Some(worker);
        Ok(())
    }

    fn stop(&mut self) -> Result<()> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(worker) = self.worker.take() {
            worker.thread().unpark();
            worker
                .join()
                .map_err(|_| Error::runtime("the push thread could not be joined"))?;
        }
        Ok(())
    }
}

impl Drop for AcmeInputAdapter {
    /// Joins the push thread even when the engine never called `stop`.
    fn drop(&mut self) {
        // The thread cannot fail to join unless it panicked, which the
        // engine has already been told about.
        let _ = PushInputAdapter::stop(self);
    }
}

/// What the push thread does: how many values, how fast, how many at a time.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Values to push; 0 pushes until the graph stops.
    pub count: u64,
    /// Time between pushes (between batches: `batch_size` intervals).
    pub interval: Duration,
    /// Values per push batch, at least 1.
    pub batch_size: u64,
}

fn push_demo_values(
    pusher: &Pusher<InputValue>,
    shared: &Shared,
    plan: Plan,
    stop: &AtomicBool,
) -> Result<()> {
    let started = Instant::now();
    let mut index = 0;
    let mut batch = Vec::new();
    while (plan.count == 0 || index < plan.count) && !stop.load(Ordering::Relaxed) {
        let end = match plan.count {
            0 => index + plan.batch_size,
            count => count.min(index + plan.batch_size),
        };
        if index == 0 {
            shared.stats.record_first_push(DateTime::now());
        }
        if plan.batch_size == 1 {
            let value = InputValue::demo(index);
            pusher.push(value)?;
        } else {
            batch.clear();
            batch.extend((index..end).map(InputValue::demo));
            pusher.push_batch(batch.iter().copied())?;
        }
        shared.stats.record_pushed(end - index);
        index = end;
        if !plan.interval.is_zero() {
            let intervals = u32::try_from(index).unwrap_or(u32::MAX);
            sleep_until(started + plan.interval.saturating_mul(intervals), stop);
        }
    }
    Ok(())
}

/// Sleeps until `deadline`, waking early when `stop` is set (and unparked).
fn sleep_until(deadline: Instant, stop: &AtomicBool) {
    loop {
        let now = Instant::now();
        if now >= deadline || stop.load(Ordering::Relaxed) {
            return;
        }
        thread::park_timeout(deadline - now);
    }
}
