//! [`KafkaSource`]: one reader of the topic, driven on the feed's thread by
//! a single-threaded tokio runtime of its own; the history hands out what
//! the partitions held when the run started, then the live source goes on
//! from there.

use std::collections::{HashSet, VecDeque};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError};

use rskafka::record::RecordAndOffset;
use tokio::sync::{Notify, mpsc};
use tokio::time::{sleep, timeout};

use super::codec::KafkaCodec;
use super::options::KafkaOptions;
use super::partitions::{self, Fetched, Fetching, Missing, Partition};
use super::producer::Publisher;
use crate::events::{Event, EventsError};
use crate::row::EventValue;
use crate::source::{EachEvent, LentEvent, Source, SourceContext};
use crate::status::{StatusReporter, excerpt};
use crate::stop::StopSignal;
use crate::time::DateTime;
use crate::wire::BadMessages;

/// How much of a bad record a status or an error quotes.
const QUOTED: usize = 80;
/// Fetches a partition's task may hold ahead of the source.
const AHEAD: usize = 4;

/// A reader of a topic (see the module): the live source, or the history
/// that the live source goes on from.
pub struct KafkaSource<V: EventValue + ?Sized, C: KafkaCodec<V>> {
    reader: Arc<Mutex<Shared<C>>>,
    /// Whether this is the history: it ends once it has replayed what the
    /// partitions held when the run started, and a simulation replays it.
    history: bool,
    _value: PhantomData<fn() -> Box<V>>,
}

/// The live source of `options.topic` for the run of `context`, decoding
/// with `codec`; its history when `options.start_offset` is set; the
/// publisher to the topic. Nothing connects until the feed reads.
#[allow(clippy::type_complexity)]
pub fn open<V: EventValue + ?Sized, C: KafkaCodec<V>>(
    options: KafkaOptions,
    codec: C,
    context: &SourceContext,
) -> Result<(KafkaSource<V, C>, Option<KafkaSource<V, C>>, Publisher), EventsError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            EventsError::failed(format!("{}: no tokio runtime: {e}", options.describe()))
        })?;
    let stopped = Arc::new(Notify::new());
    let wake = Arc::clone(&stopped);
    context.stop.on_stop(move || wake.notify_one());
    let options = Arc::new(options);
    let publisher = Publisher::start(Arc::clone(&options), context.status.clone(), &context.stop);
    let replays = options.start_offset.is_some();
    let reader = Reader {
        options,
        codec,
        start: context.start,
        symbols: context.symbols.iter().cloned().collect(),
        stop: context.stop.clone(),
        stopped,
        status: context.status.clone(),
        fetched: None,
        caught_up: Vec::new(),
        pending: Vec::new(),
        failed: 0,
        records: 0,
        replayed: DateTime::UNIX_EPOCH,
    };
    let reader = Arc::new(Mutex::new(Shared { runtime, reader }));
    let history = replays.then(|| KafkaSource {
        reader: Arc::clone(&reader),
        history: true,
        _value: PhantomData,
    });
    let source = KafkaSource {
        reader,
        history: false,
        _value: PhantomData,
    };
    Ok((source, history, publisher))
}

/// The reader of the topic and the runtime that drives it, shared by the
/// history and the live source, which use them one after the other.
struct Shared<C> {
    runtime: tokio::runtime::Runtime,
    reader: Reader<C>,
}

impl<C> Shared<C> {
    /// The next batch: `Ok(false)` once the run stopped or, for the
    /// history, once it is all replayed.
    fn next_batch<V>(
        &mut self,
        history: bool,
        each: &mut EachEvent<'_, V>,
    ) -> Result<bool, EventsError>
    where
        V: EventValue + ?Sized,
        C: KafkaCodec<V>,
    {
        let Self { runtime, reader } = self;
        runtime.block_on(reader.read(history, each))
    }
}

/// The reader of the topic.
struct Reader<C> {
    options: Arc<KafkaOptions>,
    codec: C,
    start: DateTime,
    symbols: HashSet<String>,
    stop: StopSignal,
    stopped: Arc<Notify>,
    status: StatusReporter,
    fetched: Option<mpsc::Receiver<Fetched>>,
    /// Per partition: whether it has replayed its history.
    caught_up: Vec<bool>,
    /// Per partition: the records fetched and not yet handed out.
    pending: Vec<VecDeque<RecordAndOffset>>,
    /// Failed attempts to connect in a row.
    failed: u32,
    records: u64,
    /// The time of the last replayed record: replayed times never go back.
    replayed: DateTime,
}

impl<V, C> Source<V> for KafkaSource<V, C>
where
    V: EventValue + ?Sized,
    V::Owned: Send,
    C: KafkaCodec<V>,
{
    fn next_batch(&mut self, batch: &mut Vec<Event<V::Owned>>) -> Result<bool, EventsError> {
        let each = &mut |event: LentEvent<'_, V>| batch.push(event.into_owned());
        self.next_batch_lent(&mut Vec::new(), each)
    }

    fn next_batch_lent(
        &mut self,
        _scratch: &mut Vec<Event<V::Owned>>,
        each: &mut EachEvent<'_, V>,
    ) -> Result<bool, EventsError> {
        lock(&self.reader).next_batch(self.history, each)
    }

    fn next_batch_ready(&self) -> bool {
        lock(&self.reader).reader.has_pending()
    }

    /// The history is recorded events (a simulation replays them); the
    /// live source is not.
    fn is_live(&self) -> bool {
        !self.history
    }
}

fn lock<C>(reader: &Mutex<Shared<C>>) -> std::sync::MutexGuard<'_, Shared<C>> {
    reader.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What woke the reader up.
enum Woken {
    Stopped,
    Fetched(Option<Fetched>),
}

impl<C> Reader<C> {
    /// Hands out the next record's events (`Ok(true)`, maybe none when a
    /// record was bad or not subscribed), or ends: `Ok(false)` when the run
    /// stopped, or, for the history, when it has replayed all of it.
    async fn read<V>(
        &mut self,
        history: bool,
        each: &mut EachEvent<'_, V>,
    ) -> Result<bool, EventsError>
    where
        V: EventValue + ?Sized,
        C: KafkaCodec<V>,
    {
        loop {
            if self.stop.is_stopped() {
                return Ok(false);
            }
            if self.fetched.is_none() && !self.connect().await? {
                return Ok(false);
            }
            if let Some((partition, record)) = self.next_record(history) {
                self.decode(partition, record, history, each)?;
                return Ok(true);
            }
            if history && self.caught_up.iter().all(|&done| done) && !self.has_pending() {
                return Ok(false);
            }
            let fetched = async {
                match self.fetched.as_mut() {
                    Some(fetched) => fetched.recv().await,
                    None => std::future::pending().await,
                }
            };
            let woken = tokio::select! {
                biased;
                () = self.stopped.notified() => Woken::Stopped,
                fetched = fetched => Woken::Fetched(fetched),
            };
            match woken {
                Woken::Stopped => {}
                Woken::Fetched(Some(fetched)) => self.on_fetched(fetched)?,
                Woken::Fetched(None) => {
                    return Err(EventsError::failed(format!(
                        "{}: the readers of the partitions ended",
                        self.options.describe()
                    )));
                }
            }
        }
    }

    fn has_pending(&self) -> bool {
        self.pending.iter().any(|queue| !queue.is_empty())
    }

    /// The next record to hand out: the earliest stamped at the head of the
    /// partitions' queues. While the history replays, only once every
    /// partition still replaying has a record queued, so that each record
    /// ticks at its own time; live, whatever has arrived.
    fn next_record(&mut self, history: bool) -> Option<(i32, RecordAndOffset)> {
        let mut earliest: Option<(usize, DateTime)> = None;
        for (index, queue) in self.pending.iter().enumerate() {
            match queue.front() {
                Some(record) => {
                    let stamp = partitions::stamp(record);
                    if earliest.is_none_or(|(_, time)| stamp < time) {
                        earliest = Some((index, stamp));
                    }
                }
                None if history && !self.caught_up[index] => return None,
                None => {}
            }
        }
        let (index, _) = earliest?;
        let record = self.pending[index].pop_front()?;
        Some((i32::try_from(index).unwrap_or(i32::MAX), record))
    }

    fn on_fetched(&mut self, fetched: Fetched) -> Result<(), EventsError> {
        let topic = self.options.describe();
        match fetched {
            Fetched::Records(partition, records) => {
                let queue = usize::try_from(partition)
                    .ok()
                    .and_then(|p| self.pending.get_mut(p));
                if let Some(queue) = queue {
                    queue.extend(records);
                }
            }
            Fetched::CaughtUp(partition) => {
                let done = usize::try_from(partition)
                    .ok()
                    .and_then(|p| self.caught_up.get_mut(p));
                if let Some(done) = done {
                    *done = true;
                }
            }
            Fetched::Failed {
                partition,
                why,
                wait,
            } => {
                self.status
                    .disconnected(format!("{topic}: partition {partition}: {why}"));
                self.status.reconnecting(format!(
                    "{topic}: partition {partition}: fetching again in {wait:?}"
                ));
            }
            Fetched::Restarted { partition, at, to } => {
                self.status.disconnected(format!(
                    "{topic}: partition {partition}: its log restarted (offset {at} is past its end): reading it again from offset {to}"
                ));
            }
            Fetched::Regained(partition) => {
                self.status
                    .connected(format!("{topic}: partition {partition}: fetching again"));
            }
            Fetched::GaveUp {
                partition,
                why,
                failed,
            } => {
                self.status.gave_up(format!(
                    "{topic}: partition {partition}: gave up after {failed} failed fetches in a row: {why}"
                ));
                return Err(EventsError::connection(format!(
                    "{topic}: lost the broker ({failed} failed fetches of partition {partition} in a row; the last: {why})"
                )));
            }
        }
        Ok(())
    }

    /// Hands out one record's events, if its key is subscribed.
    fn decode<V>(
        &mut self,
        partition: i32,
        record: RecordAndOffset,
        history: bool,
        each: &mut EachEvent<'_, V>,
    ) -> Result<(), EventsError>
    where
        V: EventValue + ?Sized,
        C: KafkaCodec<V>,
    {
        self.records += 1;
        let RecordAndOffset { record, offset } = record;
        let key = record.key.as_deref().map(std::str::from_utf8);
        let key = match key {
            Some(Ok(key)) if !self.symbols.contains(key) => return Ok(()),
            Some(Ok(key)) => Some(key),
            Some(Err(_)) | None => None,
        };
        let time = match history {
            true => {
                let stamp = record.timestamp.timestamp_nanos_opt().unwrap_or_default();
                // Earlier records tick at the start, as csp's do; and
                // replayed times never go back.
                let time = DateTime::from_nanos(stamp)
                    .max(self.start)
                    .max(self.replayed);
                self.replayed = time;
                time
            }
            false => DateTime::now(),
        };
        let value = record.value.as_deref().unwrap_or_default();
        let where_ = || {
            format!(
                "{}: partition {partition} offset {offset}",
                self.options.describe()
            )
        };
        let Ok(text) = std::str::from_utf8(value) else {
            let quoted = String::from_utf8_lossy(&value[..value.len().min(QUOTED)]).into_owned();
            return self.bad_record(&where_(), "its value is not UTF-8 text", &quoted);
        };
        let decoded = self.codec.decode(key, text, time, each);
        match decoded {
            Ok(()) => Ok(()),
            Err(reason) => self.bad_record(&where_(), &reason, text),
        }
    }

    /// Reports a record that did not decode, or fails the run with it.
    fn bad_record(&self, where_: &str, reason: &str, text: &str) -> Result<(), EventsError> {
        let mut what = format!("{where_}: record does not decode: {reason}");
        if !text.is_empty() {
            what = format!("{what}: {}", excerpt(text, QUOTED));
        }
        match self.options.bad_messages {
            BadMessages::Skip => {
                self.status.bad_message(what);
                Ok(())
            }
            BadMessages::Raise => Err(EventsError::bad_data(what)),
        }
    }

    /// Connects, lists the partitions and starts their readers, retrying as
    /// the options say: `Ok(false)` when the run stopped first, an error of
    /// kind `Connection` once it gave up, a `ValueError` for a topic the
    /// brokers do not have.
    async fn connect(&mut self) -> Result<bool, EventsError> {
        let topic = self.options.describe();
        loop {
            let attempt = timeout(self.options.connect_timeout, self.partitions());
            let attempted = tokio::select! {
                biased;
                () = self.stopped.notified() => return Ok(false),
                attempted = attempt => attempted,
            };
            let why = match attempted {
                Ok(Ok(partitions)) => {
                    self.start_reading(partitions);
                    return Ok(true);
                }
                Ok(Err(Missing::Topic(names))) => {
                    let topic_name = &self.options.topic;
                    return Err(EventsError::bad_data(format!(
                        "{topic}: the brokers have no topic {topic_name:?} (they have: {names})"
                    )));
                }
                Ok(Err(Missing::Broker(error))) => error.to_string(),
                Err(_) => format!("no answer within {:?}", self.options.connect_timeout),
            };
            self.failed += 1;
            let failed = self.failed;
            if self
                .options
                .max_attempts
                .is_some_and(|limit| failed >= limit)
            {
                self.status.gave_up(format!(
                    "{topic}: gave up after {failed} failed attempts in a row: {why}"
                ));
                return Err(EventsError::connection(format!(
                    "{topic}: could not connect ({failed} attempts in a row; the last: {why})"
                )));
            }
            self.status.disconnected(format!("{topic}: {why}"));
            let wait = self.options.reconnect_wait(failed - 1);
            self.status.reconnecting(format!(
                "{topic}: reconnecting in {wait:?} (attempt {})",
                failed + 1
            ));
            tokio::select! {
                biased;
                () = self.stopped.notified() => return Ok(false),
                () = sleep(wait) => {}
            }
        }
    }

    async fn partitions(&self) -> Result<Vec<Partition>, Missing> {
        let client = partitions::connect(&self.options)
            .await
            .map_err(Missing::Broker)?;
        partitions::partitions(&client, &self.options, self.start).await
    }

    /// Starts a task per partition, all fetching into one channel.
    fn start_reading(&mut self, partitions: Vec<Partition>) {
        self.failed = 0;
        let count = partitions.len();
        let (sink, fetched) = mpsc::channel(AHEAD * count.max(1));
        self.caught_up = vec![false; count];
        self.pending = (0..count).map(|_| VecDeque::new()).collect();
        let fetching = Fetching {
            options: Arc::clone(&self.options),
        };
        let behind: i64 = partitions.iter().map(|p| (p.end - p.offset).max(0)).sum();
        for (number, partition) in (0_i32..).zip(partitions) {
            let task = partitions::read(number, partition, fetching.clone(), sink.clone());
            tokio::spawn(task);
        }
        self.fetched = Some(fetched);
        self.status.connected(format!(
            "{}: connected, {count} partitions, {behind} records to replay",
            self.options.describe()
        ));
    }
}
