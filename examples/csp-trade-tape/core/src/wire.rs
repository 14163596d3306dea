//! What the live transports share: JSON forms of csp's time types for
//! codecs built on serde, [`one_or_many`], and [`BadMessages`], the policy
//! for a message that does not decode.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::{Serialize, Serializer};

use crate::text::TextValue;
use crate::time::{DateTime, TimeDelta};

/// What a source does with a message that does not decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadMessages {
    /// Drop it with a BAD_MESSAGE status (counted in `stats()`); go on.
    Skip,
    /// End the run with a `ValueError` naming the message.
    Raise,
}

impl BadMessages {
    /// `"skip"` or `"raise"` (the Python `bad_messages`); anything else is `Skip`.
    pub fn named(name: &str) -> Self {
        match name {
            "raise" => Self::Raise,
            _ => Self::Skip,
        }
    }
}

/// The wait before the next attempt to connect after `failed` failed ones
/// in a row (0 after a connection that was up): `interval`, doubled after
/// each failure, up to `max`.
pub fn reconnect_wait(interval: Duration, max: Duration, failed: u32) -> Duration {
    let factor = 1_u32.checked_shl(failed.min(31)).unwrap_or(u32::MAX);
    interval.saturating_mul(factor).min(max)
}

/// Decodes `text` as one `T`, or as a JSON array of them, handing each to
/// `each` once all have decoded.
pub fn one_or_many<'m, T: Deserialize<'m>>(
    text: &'m str,
    mut each: impl FnMut(T),
) -> Result<(), String> {
    let many = text.trim_start().starts_with('[');
    if many {
        let items: Vec<T> = serde_json::from_str(text).map_err(|e| e.to_string())?;
        items.into_iter().for_each(each);
    } else {
        each(serde_json::from_str(text).map_err(|e| e.to_string())?);
    }
    Ok(())
}

/// A time in JSON: RFC 3339 text (`"2024-01-02T09:30:00.5Z"`) or integer
/// nanoseconds since the Unix epoch; written as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonTime(pub DateTime);

/// A duration in JSON: integer nanoseconds, or text seconds (`"1.5"`);
/// written as integer nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonDuration(pub TimeDelta);

/// Reads an integer or a text form into `T`.
struct IntOrText<T> {
    expecting: &'static str,
    from_int: fn(i64) -> T,
    from_text: fn(&str) -> Result<T, String>,
}

impl<T> Visitor<'_> for IntOrText<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<T, E> {
        Ok((self.from_int)(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<T, E> {
        let value =
            i64::try_from(value).map_err(|_| E::custom(format!("{value} is out of range")))?;
        Ok((self.from_int)(value))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        (self.from_text)(text).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for JsonTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntOrText {
            expecting: "a time: RFC 3339 text or integer nanoseconds since the epoch",
            from_int: |nanos| Self(DateTime::from_nanos(nanos)),
            from_text: |text| DateTime::parse_text(text).map(Self),
        })
    }
}

impl Serialize for JsonTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = String::new();
        self.0.write_text(&mut text);
        serializer.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for JsonDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntOrText {
            expecting: "a duration: integer nanoseconds or text seconds",
            from_int: |nanos| Self(TimeDelta::from_nanos(nanos)),
            from_text: |text| TimeDelta::parse_text(text).map(Self),
        })
    }
}

impl Serialize for JsonDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0.as_nanos())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_text_or_nanoseconds_and_write_text() {
        let text: JsonTime = serde_json::from_str("\"2024-01-02T09:30:00.5Z\"").unwrap();
        let nanos: JsonTime = serde_json::from_str("1704187800500000000").unwrap();
        assert_eq!(text, nanos);
        assert_eq!(
            serde_json::to_string(&text).unwrap(),
            "\"2024-01-02T09:30:00.500Z\""
        );
        let error = serde_json::from_str::<JsonTime>("true")
            .unwrap_err()
            .to_string();
        assert!(error.contains("RFC 3339"), "{error}");
        assert!(serde_json::from_str::<JsonTime>("\"yesterday\"").is_err());
    }

    #[test]
    fn durations_read_nanoseconds_or_text_seconds_and_write_nanoseconds() {
        let nanos: JsonDuration = serde_json::from_str("-1500000000").unwrap();
        let text: JsonDuration = serde_json::from_str("\"-1.5\"").unwrap();
        assert_eq!(nanos, text);
        assert_eq!(serde_json::to_string(&nanos).unwrap(), "-1500000000");
        assert!(serde_json::from_str::<JsonDuration>("18446744073709551615").is_err());
    }

    #[test]
    fn one_or_many_hands_all_or_nothing() {
        let mut seen = Vec::new();
        one_or_many::<i64>("7", |v| seen.push(v)).unwrap();
        one_or_many::<i64>(" [1, 2]", |v| seen.push(v)).unwrap();
        assert!(one_or_many::<i64>("[3, \"x\"]", |v| seen.push(v)).is_err());
        assert_eq!(seen, [7, 1, 2]);
    }
}
