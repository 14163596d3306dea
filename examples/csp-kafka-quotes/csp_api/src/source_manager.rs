//! A manager of one source for the generated tests' own feeds (the lockstep
//! and silent sources): it opens the source with the run's context at start
//! and feeds its subscriptions, as a generated manager does.

use std::sync::Arc;

use pyo3::prelude::*;

use super::engine::Engine;
use super::error::Result;
use super::feed::{Feed, FeedOptions, Subscriptions};
use super::input::{PushInputAdapter, Pusher, push_input_adapter_capsule};
use super::link::ManagerLink;
use super::manager::AdapterManager;
use adapter_core::{DateTime, Source, SourceContext, Stats};

type Open<S> = Box<dyn FnOnce(&SourceContext) -> S + Send>;

pub(crate) struct SourceManager<S> {
    name: &'static str,
    open: Option<Open<S>>,
    subscriptions: Arc<Subscriptions<i64>>,
    feed: Option<Feed>,
}

impl<S: Source<i64> + 'static> SourceManager<S> {
    /// A manager whose source `open` makes at start.
    pub(crate) fn new(
        name: &'static str,
        subscriptions: &Arc<Subscriptions<i64>>,
        open: impl FnOnce(&SourceContext) -> S + Send + 'static,
    ) -> Self {
        Self {
            name,
            open: Some(Box::new(open)),
            subscriptions: Arc::clone(subscriptions),
            feed: None,
        }
    }
}

impl<S: Source<i64> + 'static> AdapterManager for SourceManager<S> {
    fn name(&self) -> &str {
        self.name
    }

    fn start(
        &mut self,
        _engine: Engine<'_>,
        link: ManagerLink,
        start: DateTime,
        _end: DateTime,
    ) -> Result<()> {
        if let Some(open) = self.open.take() {
            let context = SourceContext::new(start, self.subscriptions.symbols());
            let source = open(&context);
            let options = FeedOptions {
                paced: false,
                stop: context.stop,
                status: context.status,
                in_flight: None,
            };
            let stats = Arc::new(Stats::default());
            let subscriptions = Arc::clone(&self.subscriptions);
            let feed = Feed::start(self.name, source, None, subscriptions, link, options, stats)?;
            self.feed = Some(feed);
        }
        Ok(())
    }

    fn stop(&mut self) -> Result<()> {
        self.feed.take().map_or(Ok(()), Feed::stop)
    }
}

/// The capsule of a subscription to `symbol`, counted into `subscriptions`.
pub(crate) fn subscriber_capsule<'py>(
    py: Python<'py>,
    subscriptions: &Arc<Subscriptions<i64>>,
    symbol: String,
) -> PyResult<Bound<'py, PyAny>> {
    subscriptions.expect_one(&symbol);
    let adapter = Subscriber {
        symbol,
        subscriptions: Arc::clone(subscriptions),
    };
    push_input_adapter_capsule(py, adapter)
}

struct Subscriber {
    symbol: String,
    subscriptions: Arc<Subscriptions<i64>>,
}

impl PushInputAdapter for Subscriber {
    type Value = i64;

    fn start(&mut self, pusher: Pusher<i64>, _start: DateTime, _end: DateTime) -> Result<()> {
        self.subscriptions.register(&self.symbol, pusher);
        Ok(())
    }
}
