//! `AcmeAdapterManager`: owns what its adapters share.
//!
//! Demo logic to replace with yours: the shared state is a set of counters
//! ([`Stats`]) that Python reads after a run, and the manager reports a
//! status when it starts. Real managers keep connections, sessions or
//! subscriptions here, open / close them in `start` / `stop`, and report what
//! happens to them on `status()`.

use std::sync::Arc;

use adapter_core::Stats;
use csp_api::{AdapterManager, DateTime, Engine, ManagerLink, Result, StatusLevel};

/// The `status_code` of the status reported when the manager starts.
pub const STATUS_STARTED: i64 = 1;

/// State shared by the manager, its adapters and the Python side.
#[derive(Debug, Default)]
pub struct Shared {
    pub stats: Stats,
}

pub struct AcmeAdapterManager {
    shared: Arc<Shared>,
}

impl AcmeAdapterManager {
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

impl AdapterManager for AcmeAdapterManager {
    fn name(&self) -> &str {
        "AcmeAdapterManager"
    }

    /// csp starts the manager before its adapters: each run counts afresh.
    fn start(
        &mut self,
        _engine: Engine<'_>,
        link: ManagerLink,
        _start: DateTime,
        _end: DateTime,
    ) -> Result<()> {
        self.shared.stats.reset();
        link.report(StatusLevel::Info, STATUS_STARTED, "started")
    }
}
