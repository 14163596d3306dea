//! The signal that a run is ending, for a source that waits.
//!
//! A live source blocks until its peer sends something; when the graph
//! reaches its end time the manager stops the feed, and the source must
//! return for `csp.run` to return. [`StopSignal`] tells it so, in one of
//! three ways:
//! - poll [`StopSignal::is_stopped`] between reads that time out (a socket
//!   read timeout of 50 ms, say), returning `Ok(false)` once it is set;
//! - wait on it instead of sleeping: [`StopSignal::wait_timeout`];
//! - or have a blocking read interrupted: [`StopSignal::on_stop`] runs a
//!   closure when the run stops (`TcpStream::shutdown` of a clone of the
//!   socket makes the blocked read return at once).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// What runs when the signal is given.
type OnStop = Box<dyn FnOnce() + Send>;

/// Set once, when the run stops; cheap to clone and to check.
#[derive(Clone, Default)]
pub struct StopSignal(Arc<State>);

#[derive(Default)]
struct State {
    stopped: AtomicBool,
    /// The closures still to run (none once stopped).
    on_stop: Mutex<Vec<OnStop>>,
    changed: Condvar,
}

impl StopSignal {
    /// Whether the run is stopping.
    #[inline]
    pub fn is_stopped(&self) -> bool {
        self.0.stopped.load(Ordering::Acquire)
    }

    /// Waits until the run stops or `timeout` has passed; returns whether
    /// it stopped.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut guard = self.lock();
        while !self.is_stopped() {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            guard = (self.0.changed)
                .wait_timeout(guard, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Runs `f` when the run stops (at once if it has): to interrupt a
    /// blocking read, say. `f` runs on the thread that stops the run, the
    /// engine's: keep it short and never let it wait for the source.
    pub fn on_stop(&self, f: impl FnOnce() + Send + 'static) {
        let mut pending = self.lock();
        if self.is_stopped() {
            drop(pending);
            f();
        } else {
            pending.push(Box::new(f));
        }
    }

    /// Gives the signal (once; later calls do nothing).
    pub fn stop(&self) {
        let pending = {
            let mut pending = self.lock();
            if self.0.stopped.swap(true, Ordering::AcqRel) {
                return;
            }
            std::mem::take(&mut *pending)
        };
        self.0.changed.notify_all();
        pending.into_iter().for_each(|f| f());
    }

    fn lock(&self) -> MutexGuard<'_, Vec<OnStop>> {
        self.0
            .on_stop
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for StopSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StopSignal")
            .field("stopped", &self.is_stopped())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::thread;

    #[test]
    fn a_waiting_thread_wakes_when_stopped() {
        let signal = StopSignal::default();
        let waiter = {
            let signal = signal.clone();
            thread::spawn(move || {
                let started = Instant::now();
                (
                    signal.wait_timeout(Duration::from_secs(30)),
                    started.elapsed(),
                )
            })
        };
        thread::sleep(Duration::from_millis(20));
        signal.stop();
        let (stopped, waited) = waiter.join().unwrap();
        assert!(stopped && waited < Duration::from_secs(5), "{waited:?}");
        assert!(signal.is_stopped());
    }

    #[test]
    fn a_wait_times_out_while_running() {
        let signal = StopSignal::default();
        assert!(!signal.wait_timeout(Duration::from_millis(5)));
        assert!(!signal.is_stopped());
    }

    #[test]
    fn on_stop_runs_once_at_stop_or_at_once_after_it() {
        let signal = StopSignal::default();
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&runs);
        signal.on_stop(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(runs.load(Ordering::SeqCst), 0);
        signal.stop();
        signal.stop();
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        let counter = Arc::clone(&runs);
        signal.on_stop(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }
}
