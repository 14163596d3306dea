//! [`Publisher`]: produces published values to the topic on a thread and a
//! connection of its own, so that producing never holds up reading (and the
//! other way round), and what is left at the end of the run goes out even
//! when nothing reads any more.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use rskafka::client::error::Error as ClientError;
use rskafka::client::partition::{Compression, PartitionClient, UnknownTopicHandling};
use rskafka::record::Record;
use tokio::sync::{Notify, mpsc};
use tokio::time::{sleep, timeout};

use super::options::KafkaOptions;
use super::partitions;
use crate::status::StatusReporter;
use crate::stop::StopSignal;
use crate::time::DateTime;

/// How long the end of a run may take to produce what was published.
const FLUSH_WAIT: Duration = Duration::from_millis(800);
/// The most records, and bytes, of one produce request.
const CHUNK_RECORDS: usize = 1_000;
const CHUNK_BYTES: usize = 1 << 20;

/// Produces values to the topic of a Kafka source (`publish`), keyed by
/// their symbol. Values published while the broker is away wait for it;
/// those still waiting when the run ends are reported by a status.
#[derive(Clone, Debug)]
pub struct Publisher(mpsc::UnboundedSender<Outgoing>);

#[derive(Debug)]
struct Outgoing {
    key: String,
    value: String,
    time: DateTime,
}

impl Publisher {
    /// Queues `value` keyed by `key`, stamped `time`; false once the
    /// producer has ended (the run is ending).
    pub fn send(&self, key: String, value: String, time: DateTime) -> bool {
        self.0.send(Outgoing { key, value, time }).is_ok()
    }

    /// A publisher to `options.topic` whose thread runs until `stop`, then
    /// produces what is left for a short while. It connects at the first
    /// value published.
    pub(super) fn start(
        options: Arc<KafkaOptions>,
        status: StatusReporter,
        stop: &StopSignal,
    ) -> Self {
        let (sender, outgoing) = mpsc::unbounded_channel();
        let stopped = Arc::new(Notify::new());
        let wake = Arc::clone(&stopped);
        stop.on_stop(move || wake.notify_one());
        let producer = Producer {
            options,
            status: status.clone(),
            stop: stop.clone(),
            stopped,
            outgoing,
            unsent: VecDeque::new(),
            partitions: Vec::new(),
            failed: 0,
            chunk: CHUNK_RECORDS,
        };
        let spawned = std::thread::Builder::new()
            .name("kafka-producer".into())
            .spawn(move || producer.run());
        if let Err(error) = spawned {
            status.disconnected(format!("no thread to produce published values on: {error}"));
        }
        Self(sender)
    }
}

struct Producer {
    options: Arc<KafkaOptions>,
    status: StatusReporter,
    stop: StopSignal,
    stopped: Arc<Notify>,
    outgoing: mpsc::UnboundedReceiver<Outgoing>,
    /// Published values not yet taken by the broker, oldest first.
    unsent: VecDeque<Outgoing>,
    /// One client per partition, once connected.
    partitions: Vec<PartitionClient>,
    failed: u32,
    /// The most values of the next produce: one at a time after the broker
    /// refused a chunk, until the queue is empty again.
    chunk: usize,
}

impl Producer {
    fn run(mut self) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        let Ok(runtime) = runtime else {
            let topic = self.options.describe();
            self.status.disconnected(format!(
                "{topic}: no runtime to produce published values on"
            ));
            return;
        };
        runtime.block_on(async {
            self.produce_until_stopped().await;
            let _ = timeout(FLUSH_WAIT, self.produce_the_rest()).await;
        });
        self.outgoing.close();
        while let Ok(outgoing) = self.outgoing.try_recv() {
            self.unsent.push_back(outgoing);
        }
        if !self.unsent.is_empty() {
            let (topic, left) = (self.options.describe(), self.unsent.len());
            self.status.disconnected(format!(
                "{topic}: {left} published values were not produced before the run ended"
            ));
        }
    }

    async fn produce_until_stopped(&mut self) {
        while !self.stop.is_stopped() {
            if self.unsent.is_empty() {
                tokio::select! {
                    biased;
                    () = self.stopped.notified() => return,
                    outgoing = self.outgoing.recv() => match outgoing {
                        Some(outgoing) => self.unsent.push_back(outgoing),
                        None => return,
                    },
                }
            }
            self.take_queued();
            // An attempt runs to its end (the thread is not waited for), so
            // that nothing a partition took is produced twice.
            let attempt = timeout(self.options.connect_timeout, self.produce_chunk()).await;
            let why = match attempt {
                Ok(Ok(())) => {
                    self.failed = 0;
                    continue;
                }
                Ok(Err(why)) => why,
                Err(_) => format!("no answer within {:?}", self.options.connect_timeout),
            };
            self.failed += 1;
            self.partitions.clear();
            let (topic, waiting) = (self.options.describe(), self.unsent.len());
            let wait = self.options.reconnect_wait(self.failed - 1);
            self.status.disconnected(format!(
                "{topic}: producing failed ({why}); {waiting} published values wait, trying again in {wait:?}"
            ));
            tokio::select! {
                biased;
                () = self.stopped.notified() => return,
                () = sleep(wait) => {}
            }
        }
    }

    /// At the end of the run: produces what is queued, as long as it goes.
    async fn produce_the_rest(&mut self) {
        self.take_queued();
        while !self.unsent.is_empty() {
            if self.produce_chunk().await.is_err() {
                return;
            }
            self.take_queued();
        }
    }

    fn take_queued(&mut self) {
        while let Ok(outgoing) = self.outgoing.try_recv() {
            self.unsent.push_back(outgoing);
        }
    }

    /// Produces the oldest values (at most a chunk), each to its key's
    /// partition; they leave the queue once the broker took them. A value
    /// the broker refuses on its own (too large, say) is dropped with a status.
    async fn produce_chunk(&mut self) -> Result<(), String> {
        if self.partitions.is_empty() {
            self.partitions = self.connect().await?;
        }
        let count = self.partitions.len();
        let (mut taken, mut bytes) = (0, 0);
        while taken < self.unsent.len() && taken < self.chunk && bytes < CHUNK_BYTES {
            let outgoing = &self.unsent[taken];
            bytes += outgoing.key.len() + outgoing.value.len();
            taken += 1;
        }
        let mut by_partition: Vec<Vec<usize>> = (0..count).map(|_| Vec::new()).collect();
        for (index, outgoing) in self.unsent.iter().take(taken).enumerate() {
            by_partition[partitions::partition_of(outgoing.key.as_bytes(), count)].push(index);
        }
        let mut produced = vec![false; taken];
        let mut failure = None;
        for (partition, indices) in by_partition.iter().enumerate() {
            if indices.is_empty() {
                continue;
            }
            let records = indices.iter().map(|&i| record(&self.unsent[i])).collect();
            let answer = self.partitions[partition]
                .produce(records, Compression::NoCompression)
                .await;
            match answer {
                Ok(_) => indices.iter().for_each(|&i| produced[i] = true),
                Err(ClientError::ServerError { .. }) if taken > 1 => {
                    // The broker refused the chunk: find the value it refuses.
                    self.chunk = 1;
                    break;
                }
                Err(ClientError::ServerError { protocol_error, .. }) => {
                    let topic = self.options.describe();
                    self.status.disconnected(format!(
                        "{topic}: partition {partition}: the broker refused a published value ({protocol_error}); dropped"
                    ));
                    produced[0] = true;
                }
                Err(error) => {
                    failure = Some(error.to_string());
                    break;
                }
            }
        }
        // What the broker took leaves the queue, so it is not produced twice.
        let mut index = 0;
        self.unsent.retain(|_| {
            let keep = index >= taken || !produced[index];
            index += 1;
            keep
        });
        if self.unsent.is_empty() {
            self.chunk = CHUNK_RECORDS;
        }
        match failure {
            None => Ok(()),
            Some(why) => Err(why),
        }
    }

    async fn connect(&self) -> Result<Vec<PartitionClient>, String> {
        let client = partitions::connect(&self.options)
            .await
            .map_err(|e| e.to_string())?;
        let count = partitions::count(&client, &self.options.topic)
            .await
            .map_err(|e| e.to_string())?;
        let mut clients = Vec::with_capacity(count);
        for number in (0_i32..).take(count) {
            let partition = client
                .partition_client(&self.options.topic, number, UnknownTopicHandling::Error)
                .await
                .map_err(|e| e.to_string())?;
            clients.push(partition);
        }
        Ok(clients)
    }
}

/// The record of a published value, stamped with its time (to the millisecond).
fn record(outgoing: &Outgoing) -> Record {
    let millis = outgoing.time.as_nanos().div_euclid(1_000_000);
    Record {
        key: Some(outgoing.key.clone().into_bytes()),
        value: Some(outgoing.value.clone().into_bytes()),
        headers: Default::default(),
        timestamp: chrono::Utc
            .timestamp_millis_opt(millis)
            .single()
            .unwrap_or_default(),
    }
}
