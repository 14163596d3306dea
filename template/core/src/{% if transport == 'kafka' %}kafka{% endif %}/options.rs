//! The parameters of a Kafka source (`Kafka(...)` in Python).

use std::time::Duration;

use crate::time::{DateTime, TimeDelta};
use crate::wire::{BadMessages, reconnect_wait};

/// Where the run starts reading each partition; what lies between there
/// and the end of the partition at the start of the run is replayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartOffset {
    /// The oldest record the broker keeps.
    Earliest,
    /// The end: nothing to replay.
    Latest,
    /// The first record stamped at or after the run's start.
    StartTime,
    /// The first record stamped at or after the run's start minus this.
    Before(TimeDelta),
    /// The first record stamped at or after this time.
    At(DateTime),
}

impl StartOffset {
    /// The time whose first record this names, for a run that starts at
    /// `start` (`None`: the earliest or the latest record).
    pub fn time(self, start: DateTime) -> Option<DateTime> {
        match self {
            Self::Earliest | Self::Latest => None,
            Self::StartTime => Some(start),
            Self::Before(delta) => Some(DateTime::from_nanos(
                start
                    .as_nanos()
                    .saturating_sub(delta.as_nanos().saturating_abs()),
            )),
            Self::At(time) => Some(time),
        }
    }
}

/// Which topic on which brokers, where to start, and how hard to try.
#[derive(Clone, Debug)]
pub struct KafkaOptions {
    /// `host:port` of the bootstrap brokers.
    pub brokers: Vec<String>,
    pub topic: String,
    /// `None`: live only, from the end of each partition, without a replay.
    pub start_offset: Option<StartOffset>,
    /// How long one attempt to reach the brokers may take.
    pub connect_timeout: Duration,
    /// The wait before the first reconnect; it doubles after each failed
    /// attempt, up to `max_reconnect_interval`.
    pub reconnect_interval: Duration,
    pub max_reconnect_interval: Duration,
    /// Failed attempts in a row before the source gives up (GAVE_UP, then
    /// a `ConnectionError`); `None` tries for ever.
    pub max_attempts: Option<u32>,
    /// How long the broker may hold a fetch that finds nothing new.
    pub fetch_wait: Duration,
    /// The most bytes one fetch of a partition asks for; a larger record
    /// still comes whole.
    pub fetch_bytes: usize,
    pub bad_messages: BadMessages,
}

impl KafkaOptions {
    /// The options for `topic` on `brokers`, with the defaults of the
    /// Python `Kafka`.
    pub fn new(brokers: Vec<String>, topic: impl Into<String>) -> Self {
        Self {
            brokers,
            topic: topic.into(),
            start_offset: None,
            connect_timeout: Duration::from_secs(10),
            reconnect_interval: Duration::from_secs(1),
            max_reconnect_interval: Duration::from_secs(30),
            max_attempts: Some(10),
            fetch_wait: Duration::from_millis(100),
            fetch_bytes: 4 << 20,
            bad_messages: BadMessages::Skip,
        }
    }

    /// The wait before the next attempt, after `failed` failed ones in a row.
    pub fn reconnect_wait(&self, failed: u32) -> Duration {
        reconnect_wait(self.reconnect_interval, self.max_reconnect_interval, failed)
    }

    /// `topic` on the brokers, as messages and errors name it.
    pub fn describe(&self) -> String {
        format!("kafka://{}/{}", self.brokers.join(","), self.topic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_offsets_name_times_from_the_start() {
        let start = DateTime::from_nanos(10_000);
        let delta = TimeDelta::from_nanos(3_000);
        assert_eq!(StartOffset::Earliest.time(start), None);
        assert_eq!(StartOffset::Latest.time(start), None);
        assert_eq!(StartOffset::StartTime.time(start), Some(start));
        let before = Some(DateTime::from_nanos(7_000));
        assert_eq!(StartOffset::Before(delta).time(start), before);
        let negative = TimeDelta::from_nanos(-3_000);
        assert_eq!(StartOffset::Before(negative).time(start), before);
        assert_eq!(
            StartOffset::At(start).time(DateTime::from_nanos(0)),
            Some(start)
        );
    }
}
