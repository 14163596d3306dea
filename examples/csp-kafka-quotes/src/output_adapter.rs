//! `KafkaQuotesOutputAdapter`: `publish(x, symbol)`, consuming a `ts[KafkaQuotesRecord]` on the engine thread.
//!
//! Each tick goes to the manager's sink (a row `time,symbol,value.<field>...` at the
//! engine's time) when it has one, and to the topic of a Kafka source, keyed by the symbol (`messages.rs`). Fed from the synthetic demo feed, it also
//! checks that the symbol's `j`-th value is the demo value of the event it
//! came from, and counts mismatches. Replace this with what your adapter
//! does with published values (send them, store them).

use std::sync::Arc;

use pyo3::prelude::*;

use crate::adapter_manager::{Run, Shared};
use crate::messages;
use crate::record::KafkaQuotesRecord;
use crate::source::SourceSpec;
use adapter_core::demo::DemoValue;
use csp_api::{DateTime, Engine, OutputAdapter, Result};

/// The csp type this adapter consumes: `ts[KafkaQuotesRecord]`.
pub type OutputValue<'a> = &'a KafkaQuotesRecord;

/// A published value as the sink writes it and the demo checks it.
pub type SinkValue = KafkaQuotesRecord;

/// The parameters of `publish`, from Python (one field each).
#[derive(Clone, Debug, FromPyObject)]
pub struct Publication {
    pub symbol: String,
}

/// A single-use capsule of a publication in the run being built.
pub fn capsule<'py>(
    py: Python<'py>,
    publication: Publication,
    shared: &Arc<Shared>,
) -> PyResult<Bound<'py, PyAny>> {
    let adapter = KafkaQuotesOutputAdapter::new(publication, shared);
    csp_api::output_adapter_capsule(py, adapter)
}

/// Which demo values a symbol's ticks must be: event `first + step * j`.
#[derive(Clone, Copy)]
struct DemoCheck {
    first: u64,
    step: u64,
}

pub struct KafkaQuotesOutputAdapter {
    publication: Publication,
    shared: Arc<Shared>,
    run: Arc<Run>,
    check: Option<DemoCheck>,
    ticks: u64,
    /// All values the feed makes, when known: the last one notes the time.
    expected_total: Option<u64>,
    /// Whether the manager writes a sink (checked without locking it).
    writes_sink: bool,
}

impl KafkaQuotesOutputAdapter {
    pub fn new(publication: Publication, shared: &Arc<Shared>) -> Self {
        let (check, expected_total) = match &shared.options.source {
            SourceSpec::Synthetic(spec) => {
                let position = spec.symbols.iter().position(|s| *s == publication.symbol);
                let check = position.map(|first| DemoCheck {
                    first: first as u64,
                    step: spec.symbols.len() as u64,
                });
                (check, Some(spec.count))
            }
            // Files and live feeds: values the demo rule does not know.
            _ => (None, None),
        };
        Self {
            publication,
            run: shared.run(),
            check,
            ticks: 0,
            expected_total,
            writes_sink: shared.options.sink.is_some(),
            shared: Arc::clone(shared),
        }
    }
}

impl OutputAdapter for KafkaQuotesOutputAdapter {
    type Value<'a> = OutputValue<'a>;

    fn name(&self) -> &str {
        "KafkaQuotesOutputAdapter"
    }

    fn on_tick(&mut self, value: OutputValue<'_>, engine: Engine<'_>) -> Result<()> {
        let stats = &self.shared.stats;
        let received = stats.next_received_index() + 1;
        if let Some(DemoCheck { first, step }) = self.check {
            let index = first + step * self.ticks;
            if !SinkValue::is_demo(index, value) {
                stats.record_mismatch(index, &SinkValue::demo(index), &value);
            }
        }
        self.ticks += 1;
        if Some(received) == self.expected_total {
            stats.record_last_receive(DateTime::now());
        }
        if let Some(publisher) = self.run.publisher.get() {
            let symbol = &self.publication.symbol;
            let message = messages::encode(engine.now(), symbol, value);
            // False once the source ended: its status or error says why.
            publisher.send(symbol.clone(), message, engine.now());
        }
        if !self.writes_sink {
            return Ok(());
        }
        if let Some(sink) = self.run.sink().as_mut() {
            sink.write(engine.now(), &self.publication.symbol, value)?;
        }
        Ok(())
    }
}
