//! The topic's partitions: where each starts and ends its replay, a task
//! that fetches each one, and the partition a published key goes to.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use rskafka::BackoffConfig;
use rskafka::client::error::{Error as ClientError, ProtocolError};
use rskafka::client::partition::{OffsetAt, PartitionClient, UnknownTopicHandling};
use rskafka::client::{Client, ClientBuilder};
use rskafka::record::RecordAndOffset;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep, timeout};

use super::options::KafkaOptions;
use crate::time::DateTime;

/// How long a log must look shorter than the reader's position before it
/// counts as restarted (a new leader may lag behind for a moment).
const RESTART_AFTER: Duration = Duration::from_millis(500);

/// One partition to read: from `offset`; what lies before `end` (the end
/// of the partition when the run started) is history.
pub(super) struct Partition {
    pub client: Arc<PartitionClient>,
    pub offset: i64,
    pub end: i64,
    /// The time a start offset names: the first records stamped earlier
    /// are skipped (some brokers answer a lookup by time with an earlier
    /// offset, the start of a batch or of the partition).
    pub from: Option<DateTime>,
}

/// What a partition's task hands to the source, in order.
pub(super) enum Fetched {
    /// Records of the partition, in offset order.
    Records(i32, Vec<RecordAndOffset>),
    /// The partition has reached the end it had when the run started (or
    /// will not: its log restarted).
    CaughtUp(i32),
    /// A fetch failed (the broker may be gone); the task waits `wait`.
    Failed {
        partition: i32,
        why: String,
        wait: Duration,
    },
    /// A fetch succeeded after failures.
    Regained(i32),
    /// The partition's log is shorter than the reader's position (the
    /// broker lost it, or the topic was made again): read again from `to`.
    Restarted { partition: i32, at: i64, to: i64 },
    /// The task gave up after `failed` failures in a row.
    GaveUp {
        partition: i32,
        why: String,
        failed: u32,
    },
}

/// The partitions of `options.topic`, each with its client, the offset
/// `options.start_offset` names for a run that starts at `start`, and its end.
/// A topic the brokers do not have is an error that lists the ones they have.
pub(super) async fn partitions(
    client: &Client,
    options: &KafkaOptions,
    start: DateTime,
) -> Result<Vec<Partition>, Missing> {
    let count = count(client, &options.topic).await?;
    let mut partitions = Vec::with_capacity(count);
    for number in (0_i32..).take(count) {
        let client = client
            .partition_client(&options.topic, number, UnknownTopicHandling::Error)
            .await
            .map_err(Missing::Broker)?;
        let (offset, end) = start_and_end(&client, options, start)
            .await
            .map_err(Missing::Broker)?;
        let client = Arc::new(client);
        let from = options.start_offset.and_then(|offset| offset.time(start));
        partitions.push(Partition {
            client,
            offset,
            end,
            from,
        });
    }
    Ok(partitions)
}

/// A client of `options.brokers` whose retries end after `connect_timeout`.
pub(super) async fn connect(options: &KafkaOptions) -> Result<Client, ClientError> {
    let backoff = BackoffConfig {
        deadline: Some(options.connect_timeout),
        ..BackoffConfig::default()
    };
    ClientBuilder::new(options.brokers.clone())
        .backoff_config(backoff)
        .build()
        .await
}

/// How many partitions `topic` has (numbered from 0).
pub(super) async fn count(client: &Client, topic: &str) -> Result<usize, Missing> {
    let topics = client.list_topics().await.map_err(Missing::Broker)?;
    match topics.iter().find(|listed| listed.name == topic) {
        Some(listed) => Ok(listed.partitions.len()),
        None => {
            let mut names: Vec<&str> = topics.iter().map(|listed| listed.name.as_str()).collect();
            names.sort_unstable();
            Err(Missing::Topic(names.join(", ")))
        }
    }
}

/// Why the partitions could not be listed.
#[derive(Debug)]
pub(super) enum Missing {
    /// The brokers did not answer as they should.
    Broker(ClientError),
    /// They have no such topic; these are the ones they have.
    Topic(String),
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Broker(error) => error.fmt(f),
            Self::Topic(names) => write!(f, "no such topic (the brokers have: {names})"),
        }
    }
}

/// Where a partition's reading starts, and its end now.
async fn start_and_end(
    client: &PartitionClient,
    options: &KafkaOptions,
    start: DateTime,
) -> Result<(i64, i64), ClientError> {
    let earliest = client.get_offset(OffsetAt::Earliest).await?;
    // The end is the high watermark of a fetch from the latest offset:
    // some brokers answer a request for that with the start of the last
    // batch, and some refuse a fetch that may not wait at all.
    let latest = client.get_offset(OffsetAt::Latest).await?;
    let bytes = 1..i32::try_from(options.fetch_bytes).unwrap_or(i32::MAX);
    let (_, end) = client.fetch_records(latest.max(earliest), bytes, 1).await?;
    let offset = match options.start_offset {
        Some(super::StartOffset::Earliest) => earliest,
        None | Some(super::StartOffset::Latest) => end,
        Some(other) => {
            let time = other.time(start).unwrap_or(start);
            let millis = time.as_nanos().div_euclid(1_000_000);
            let stamp = chrono::Utc
                .timestamp_millis_opt(millis)
                .single()
                .unwrap_or_default();
            let offset = client.get_offset(OffsetAt::Timestamp(stamp)).await?;
            // No record that late: the end.
            if offset < 0 {
                end
            } else {
                offset.clamp(earliest, end)
            }
        }
    };
    Ok((offset, end))
}

/// How a partition's task fetches.
#[derive(Clone)]
pub(super) struct Fetching {
    pub options: Arc<KafkaOptions>,
}

/// Fetches `partition` into `sink` until the source ends (the channel
/// closes) or it gives up.
pub(super) async fn read(
    number: i32,
    partition: Partition,
    fetching: Fetching,
    sink: mpsc::Sender<Fetched>,
) {
    let Partition {
        client,
        mut offset,
        end,
        mut from,
    } = partition;
    let options = &fetching.options;
    let wait_ms = i32::try_from(options.fetch_wait.as_millis()).map_or(i32::MAX, |ms| ms.max(1));
    let bytes = 1..i32::try_from(options.fetch_bytes)
        .unwrap_or(i32::MAX)
        .max(2);
    let limit = options.connect_timeout + options.fetch_wait;
    let mut caught_up = offset >= end;
    if caught_up && sink.send(Fetched::CaughtUp(number)).await.is_err() {
        return;
    }
    let mut failed = 0_u32;
    // Since when the log has looked shorter than the position.
    let mut short_since: Option<Instant> = None;
    loop {
        let fetched = timeout(limit, client.fetch_records(offset, bytes.clone(), wait_ms)).await;
        let why = match fetched {
            Ok(Ok((records, high_watermark))) => {
                if failed > 0 {
                    failed = 0;
                    if sink.send(Fetched::Regained(number)).await.is_err() {
                        return;
                    }
                }
                if high_watermark < offset {
                    // The log looks shorter than the position: a new leader
                    // that lags (for a moment), or a log that restarted (a
                    // broker that keeps nothing, and does not refuse such a
                    // fetch). Only a log that stays short restarted.
                    let since = *short_since.get_or_insert_with(Instant::now);
                    if since.elapsed() < RESTART_AFTER {
                        sleep(options.fetch_wait).await;
                        continue;
                    }
                    short_since = None;
                    let to = client.get_offset(OffsetAt::Earliest).await.unwrap_or(0);
                    let at = std::mem::replace(&mut offset, to);
                    if !restarted(number, at, to, &mut caught_up, &sink).await {
                        return;
                    }
                    continue;
                }
                short_since = None;
                let fetched_nothing = records.is_empty();
                let mut records: Vec<RecordAndOffset> =
                    records.into_iter().filter(|r| r.offset >= offset).collect();
                if let Some(last) = records.last() {
                    offset = last.offset + 1;
                }
                if let Some(time) = from {
                    let early = records.iter().take_while(|r| stamp(r) < time).count();
                    records.drain(..early);
                    if !records.is_empty() {
                        from = None;
                    }
                }
                if !records.is_empty()
                    && sink.send(Fetched::Records(number, records)).await.is_err()
                {
                    return;
                }
                // Nothing to read below the high watermark: only control
                // records are left there (a transaction's markers), which
                // the client skips.
                let only_control = fetched_nothing && high_watermark > offset;
                if !caught_up && (offset >= end || only_control) {
                    caught_up = true;
                    if sink.send(Fetched::CaughtUp(number)).await.is_err() {
                        return;
                    }
                }
                if sink.is_closed() {
                    return;
                }
                if only_control {
                    // The broker answers such a fetch at once: do not spin.
                    sleep(options.fetch_wait).await;
                }
                continue;
            }
            Ok(Err(ClientError::ServerError {
                protocol_error: ProtocolError::OffsetOutOfRange,
                ..
            })) => {
                // Records were deleted under the reader, or the log restarted
                // (a broker that keeps nothing across a restart): go on from
                // the oldest record kept.
                match client.get_offset(OffsetAt::Earliest).await {
                    Ok(earliest) => {
                        let at = std::mem::replace(&mut offset, earliest);
                        if at >= earliest
                            && !restarted(number, at, earliest, &mut caught_up, &sink).await
                        {
                            return;
                        }
                        continue;
                    }
                    Err(error) => format!("offset {offset} is out of range, and then: {error}"),
                }
            }
            Ok(Err(error)) => error.to_string(),
            Err(_) => format!("no answer within {limit:?}"),
        };
        failed += 1;
        if options.max_attempts.is_some_and(|limit| failed >= limit) {
            let _ = (sink.send(Fetched::GaveUp {
                partition: number,
                why,
                failed,
            }))
            .await;
            return;
        }
        let wait = options.reconnect_wait(failed - 1);
        let report = Fetched::Failed {
            partition: number,
            why,
            wait,
        };
        if sink.send(report).await.is_err() {
            return;
        }
        sleep(wait).await;
    }
}

/// Reports that the partition's log restarted (read again from `to`); its
/// history ends there. False once the source has ended.
async fn restarted(
    number: i32,
    at: i64,
    to: i64,
    caught_up: &mut bool,
    sink: &mpsc::Sender<Fetched>,
) -> bool {
    let restarted = Fetched::Restarted {
        partition: number,
        at,
        to,
    };
    if sink.send(restarted).await.is_err() {
        return false;
    }
    if !*caught_up {
        *caught_up = true;
        return sink.send(Fetched::CaughtUp(number)).await.is_ok();
    }
    true
}

/// When a record was stamped.
pub(super) fn stamp(record: &RecordAndOffset) -> DateTime {
    DateTime::from_nanos(
        record
            .record
            .timestamp
            .timestamp_nanos_opt()
            .unwrap_or_default(),
    )
}

/// The partition of `key` among `count`: Kafka's default partitioner
/// (murmur2 of the key), so that other clients agree.
pub(super) fn partition_of(key: &[u8], count: usize) -> usize {
    let hash = murmur2(key) & 0x7fff_ffff;
    usize::try_from(hash).unwrap_or(0) % count.max(1)
}

/// Kafka's 32-bit murmur2 (`org.apache.kafka.common.utils.Utils.murmur2`).
fn murmur2(data: &[u8]) -> u32 {
    const M: u32 = 0x5bd1_e995;
    let length = u32::try_from(data.len()).unwrap_or(u32::MAX);
    let mut h: u32 = 0x9747_b28c ^ length;
    let chunks = data.chunks_exact(4);
    let rest = chunks.remainder();
    for chunk in chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> 24;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M) ^ k;
    }
    if !rest.is_empty() {
        for (shift, byte) in rest.iter().enumerate().rev() {
            h ^= u32::from(*byte) << (8 * shift);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^ (h >> 15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur2_agrees_with_kafka() {
        // Kafka's own test vectors (UtilsTest.testMurmur2), as i32.
        let cases: [(&str, i32); 4] = [
            ("21", -973_932_308),
            ("foobar", -790_332_482),
            ("a-little-bit-long-string", -985_981_536),
            ("a-little-bit-longer-string", -1_486_304_829),
        ];
        for (key, hash) in cases {
            assert_eq!(murmur2(key.as_bytes()).cast_signed(), hash, "{key}");
        }
        assert_eq!(partition_of(b"21", 1), 0);
    }
}
