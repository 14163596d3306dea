//! `KafkaQuotesInputAdapter`: one subscription, a `ts[KafkaQuotesRecord]` of one symbol.
//!
//! It registers with the manager's feed when the graph starts; the feed
//! pushes every event of its symbol to it. Per-subscription logic (a filter,
//! a transformation) goes here.

use std::sync::Arc;

use pyo3::prelude::*;

use crate::adapter_manager::Shared;
use crate::record::KafkaQuotesRecord;
use csp_api::{DateTime, PushInputAdapter, Pusher, Result, Subscriptions};

/// The csp type this adapter pushes: `ts[KafkaQuotesRecord]`.
pub type InputValue = KafkaQuotesRecord;

/// The parameters of `subscribe`, from Python (one field each).
#[derive(Clone, Debug, FromPyObject)]
pub struct Subscription {
    pub symbol: String,
}

/// A single-use capsule of a subscription in the run being built.
pub fn capsule<'py>(
    py: Python<'py>,
    subscription: Subscription,
    shared: &Shared,
) -> PyResult<Bound<'py, PyAny>> {
    let adapter = KafkaQuotesInputAdapter::new(subscription, shared);
    csp_api::push_input_adapter_capsule(py, adapter)
}

pub struct KafkaQuotesInputAdapter {
    subscription: Subscription,
    subscriptions: Arc<Subscriptions<InputValue>>,
}

impl KafkaQuotesInputAdapter {
    /// Counts itself into the run's subscriptions: the feed waits for it.
    pub fn new(subscription: Subscription, shared: &Shared) -> Self {
        let subscriptions = Arc::clone(&shared.run().subscriptions);
        subscriptions.expect_one(&subscription.symbol);
        Self {
            subscription,
            subscriptions,
        }
    }
}

impl PushInputAdapter for KafkaQuotesInputAdapter {
    type Value = InputValue;

    fn name(&self) -> &str {
        "KafkaQuotesInputAdapter"
    }

    fn start(
        &mut self,
        pusher: Pusher<InputValue>,
        _start: DateTime,
        _end: DateTime,
    ) -> Result<()> {
        self.subscriptions
            .register(&self.subscription.symbol, pusher);
        Ok(())
    }
}
