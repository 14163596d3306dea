//! Statuses a source reports about its connection and its messages.
//!
//! A live source reports what happens to it (connected, lost, reconnecting,
//! a message it could not decode, gave up) through the [`StatusReporter`]
//! it is opened with. Each status ticks on the manager's `status()` time
//! series as `csp.adapters.status.Status(level, status_code, msg)`, in order
//! with the events: a status reported before the source hands out an event
//! ticks before it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// How serious a status is (`csp.adapters.status.Level` in Python).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Debug,
    Info,
    Warning,
    Error,
    Critical,
}

/// `status_code` of the INFO status of a connection (re-)established, its
/// subscriptions sent.
pub const STATUS_CONNECTED: i64 = 10;
/// `status_code` of the WARNING status of a connection lost (or refused).
pub const STATUS_DISCONNECTED: i64 = 11;
/// `status_code` of the INFO status of a reconnect about to be tried, after
/// the wait the message gives.
pub const STATUS_RECONNECTING: i64 = 12;
/// `status_code` of the WARNING status of a message that did not decode,
/// dropped; the message gives the reason and the start of the message.
pub const STATUS_BAD_MESSAGE: i64 = 13;
/// `status_code` of the ERROR status of a source that stopped trying to
/// connect: the run then fails with a `ConnectionError`.
pub const STATUS_GAVE_UP: i64 = 14;

/// One status, as reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceStatus {
    pub level: Level,
    pub code: i64,
    pub message: String,
}

/// Where a source reports statuses; cheap to clone, usable from any thread.
/// The feed delivers them in order with the source's events: at once while
/// it waits for the source with nothing unsent, otherwise after the batches
/// before them.
#[derive(Clone, Default)]
pub struct StatusReporter(Arc<Shared>);

/// How the feed delivers a status at once.
pub type Deliver = Box<dyn Fn(SourceStatus) + Send + Sync>;

#[derive(Default)]
struct Shared {
    /// Whether `queue` may hold statuses: checked without the lock.
    pending: AtomicBool,
    /// Whether a status reported now is delivered at once.
    direct: AtomicBool,
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    statuses: Vec<SourceStatus>,
    deliver: Option<Deliver>,
}

impl StatusReporter {
    /// Reports a status with any level and code.
    pub fn report(&self, level: Level, code: i64, message: impl Into<String>) {
        let status = SourceStatus {
            level,
            code,
            message: message.into(),
        };
        let mut queue = self.lock();
        match &queue.deliver {
            Some(deliver) if self.0.direct.load(Ordering::Acquire) => deliver(status),
            _ => {
                queue.statuses.push(status);
                self.0.pending.store(true, Ordering::Release);
            }
        }
    }

    /// [`STATUS_CONNECTED`] (INFO).
    pub fn connected(&self, message: impl Into<String>) {
        self.report(Level::Info, STATUS_CONNECTED, message);
    }

    /// [`STATUS_DISCONNECTED`] (WARNING).
    pub fn disconnected(&self, message: impl Into<String>) {
        self.report(Level::Warning, STATUS_DISCONNECTED, message);
    }

    /// [`STATUS_RECONNECTING`] (INFO).
    pub fn reconnecting(&self, message: impl Into<String>) {
        self.report(Level::Info, STATUS_RECONNECTING, message);
    }

    /// [`STATUS_BAD_MESSAGE`] (WARNING).
    pub fn bad_message(&self, message: impl Into<String>) {
        self.report(Level::Warning, STATUS_BAD_MESSAGE, message);
    }

    /// [`STATUS_GAVE_UP`] (ERROR).
    pub fn gave_up(&self, message: impl Into<String>) {
        self.report(Level::Error, STATUS_GAVE_UP, message);
    }

    /// Whether statuses wait to be delivered (one atomic load).
    #[inline]
    pub fn has_pending(&self) -> bool {
        self.0.pending.load(Ordering::Acquire)
    }

    /// Takes the statuses reported so far, oldest first: the feed's side.
    pub fn take(&self) -> Vec<SourceStatus> {
        if !self.has_pending() {
            return Vec::new();
        }
        let mut queue = self.lock();
        self.0.pending.store(false, Ordering::Relaxed);
        std::mem::take(&mut queue.statuses)
    }

    /// The feed's side: how to deliver a status at once, once
    /// [`StatusReporter::set_direct`] allows it.
    pub fn set_deliver(&self, deliver: Deliver) {
        self.lock().deliver = Some(deliver);
    }

    /// The feed's side: whether statuses reported from now on are delivered
    /// at once (nothing reported before waits for a batch) or queued until
    /// [`StatusReporter::take`]. Allowing it delivers what is queued first.
    #[inline]
    pub fn set_direct(&self, direct: bool) {
        if self.0.direct.load(Ordering::Relaxed) != direct {
            self.switch(direct);
        }
    }

    #[cold]
    fn switch(&self, direct: bool) {
        let mut queue = self.lock();
        if direct {
            let statuses = std::mem::take(&mut queue.statuses);
            self.0.pending.store(false, Ordering::Relaxed);
            match &queue.deliver {
                Some(deliver) => statuses.into_iter().for_each(deliver),
                None => queue.statuses = statuses,
            }
        }
        self.0.direct.store(direct, Ordering::Release);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.0.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for StatusReporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusReporter")
            .field("pending", &self.has_pending())
            .finish()
    }
}

/// At most `limit` bytes of `text` (cut at a character boundary), with `...`
/// when cut: how a status quotes a message.
pub fn excerpt(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let end = (0..=limit)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    format!("{}...", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_come_out_in_order_once() {
        let reporter = StatusReporter::default();
        assert!(!reporter.has_pending());
        reporter.disconnected("lost");
        reporter.clone().reconnecting("in 1s");
        reporter.connected("back");
        assert!(reporter.has_pending());
        let codes: Vec<i64> = reporter.take().iter().map(|s| s.code).collect();
        assert_eq!(
            codes,
            [STATUS_DISCONNECTED, STATUS_RECONNECTING, STATUS_CONNECTED]
        );
        assert!(!reporter.has_pending());
        assert!(reporter.take().is_empty());
        reporter.gave_up("no");
        let status = &reporter.take()[0];
        assert_eq!(
            (status.level, status.message.as_str()),
            (Level::Error, "no")
        );
    }

    #[test]
    fn direct_delivery_flushes_the_queue_first_then_delivers_at_once() {
        let reporter = StatusReporter::default();
        let delivered = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&delivered);
        reporter.set_deliver(Box::new(move |status| {
            sink.lock().unwrap().push(status.code)
        }));
        reporter.connected("queued");
        assert!(delivered.lock().unwrap().is_empty());
        reporter.set_direct(true);
        reporter.disconnected("at once");
        assert_eq!(
            *delivered.lock().unwrap(),
            [STATUS_CONNECTED, STATUS_DISCONNECTED]
        );
        assert!(!reporter.has_pending());
        reporter.set_direct(false);
        reporter.gave_up("queued again");
        assert_eq!(delivered.lock().unwrap().len(), 2);
        assert_eq!(reporter.take().len(), 1);
    }

    #[test]
    fn an_excerpt_cuts_at_a_character() {
        assert_eq!(excerpt("abc", 3), "abc");
        assert_eq!(excerpt("abcd", 3), "abc...");
        assert_eq!(excerpt("aé", 2), "a...");
        assert_eq!(excerpt("", 0), "");
    }
}
