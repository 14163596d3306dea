//! csp's `datetime` and `timedelta` values: nanoseconds, as csp stores them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const NANOS_PER_MICRO: i64 = 1_000;
const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// A point in time: nanoseconds since the Unix epoch, UTC (csp `datetime`).
///
/// Python sees it as a naive `datetime.datetime` in UTC, which has
/// microsecond resolution: sub-microsecond nanoseconds do not survive the trip
/// into Python objects (they do survive between csp nodes and adapters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(i64);

impl DateTime {
    /// The Unix epoch, 1970-01-01T00:00:00 UTC.
    pub const UNIX_EPOCH: Self = Self(0);

    pub const fn from_nanos(nanos: i64) -> Self {
        Self(nanos)
    }

    pub const fn from_micros(micros: i64) -> Self {
        Self(micros * NANOS_PER_MICRO)
    }

    pub const fn from_secs(secs: i64) -> Self {
        Self(secs * NANOS_PER_SECOND)
    }

    pub const fn as_nanos(self) -> i64 {
        self.0
    }

    /// The current wall-clock time.
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// `self + delta`, or `None` on overflow.
    pub const fn checked_add(self, delta: TimeDelta) -> Option<Self> {
        match self.0.checked_add(delta.0) {
            Some(nanos) => Some(Self(nanos)),
            None => None,
        }
    }

    /// The time elapsed from `earlier` to `self`.
    pub const fn since(self, earlier: Self) -> TimeDelta {
        TimeDelta(self.0 - earlier.0)
    }
}

impl From<SystemTime> for DateTime {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => Self(saturating_nanos(after)),
            Err(before) => Self(-saturating_nanos(before.duration())),
        }
    }
}

/// A signed duration in nanoseconds (csp `timedelta`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeDelta(i64);

impl TimeDelta {
    pub const ZERO: Self = Self(0);

    pub const fn from_nanos(nanos: i64) -> Self {
        Self(nanos)
    }

    pub const fn from_micros(micros: i64) -> Self {
        Self(micros * NANOS_PER_MICRO)
    }

    pub const fn from_secs(secs: i64) -> Self {
        Self(secs * NANOS_PER_SECOND)
    }

    pub const fn as_nanos(self) -> i64 {
        self.0
    }

    /// The duration as a `std::time::Duration`, or `None` when negative.
    pub fn to_std(self) -> Option<Duration> {
        u64::try_from(self.0).ok().map(Duration::from_nanos)
    }
}

impl From<Duration> for TimeDelta {
    fn from(duration: Duration) -> Self {
        Self(saturating_nanos(duration))
    }
}

fn saturating_nanos(duration: Duration) -> i64 {
    i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_units_agree() {
        assert_eq!(DateTime::from_secs(2), DateTime::from_nanos(2_000_000_000));
        assert_eq!(DateTime::from_micros(3).as_nanos(), 3_000);
    }

    #[test]
    fn datetime_from_system_time_before_and_after_epoch() {
        let after = UNIX_EPOCH + Duration::from_nanos(1_500);
        let before = UNIX_EPOCH - Duration::from_nanos(1_500);
        assert_eq!(DateTime::from(after).as_nanos(), 1_500);
        assert_eq!(DateTime::from(before).as_nanos(), -1_500);
    }

    #[test]
    fn datetime_arithmetic() {
        let start = DateTime::from_secs(10);
        let later = start.checked_add(TimeDelta::from_micros(5)).unwrap();
        assert_eq!(later.since(start), TimeDelta::from_nanos(5_000));
        assert_eq!(
            DateTime::from_nanos(i64::MAX).checked_add(TimeDelta::from_nanos(1)),
            None
        );
    }

    #[test]
    fn timedelta_to_std() {
        assert_eq!(
            TimeDelta::from_micros(7).to_std(),
            Some(Duration::from_micros(7))
        );
        assert_eq!(TimeDelta::from_nanos(-1).to_std(), None);
        assert_eq!(
            TimeDelta::from(Duration::from_secs(3)),
            TimeDelta::from_secs(3)
        );
    }
}
