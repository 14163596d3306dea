//! The demo's value rule: what the input adapter pushes as its `i`-th value
//! (counting from 0), and how the output adapter checks what it receives.
//!
//! | csp type    | value `i`                                  |
//! |-------------|--------------------------------------------|
//! | `bool`      | `i` is odd                                 |
//! | `int`       | `i`                                        |
//! | `float`     | `i * 0.5`                                  |
//! | `str`       | `"tick-{i}"`                               |
//! | `datetime`  | 2020-01-01T00:00:00 UTC plus `i` microseconds |
//! | `timedelta` | `i` microseconds                           |
//!
//! The Python package implements the same rule in `demo.py`; the tests check
//! that both agree value for value. Replace this module with your own logic.

use crate::time::{DateTime, TimeDelta};

/// 2020-01-01T00:00:00 UTC, the first demo `datetime`.
pub const DATETIME_BASE: DateTime = DateTime::from_secs(1_577_836_800);

const STR_PREFIX: &str = "tick-";

/// A csp value type the demo can produce and check.
pub trait DemoValue {
    /// The owned form of a value.
    type Owned;

    /// The `index`-th demo value.
    fn demo(index: u64) -> Self::Owned;

    /// Whether `value` is the `index`-th demo value (without allocating).
    fn is_demo(index: u64, value: &Self) -> bool;
}

impl DemoValue for bool {
    type Owned = bool;

    #[inline]
    fn demo(index: u64) -> bool {
        index % 2 == 1
    }

    #[inline]
    fn is_demo(index: u64, value: &bool) -> bool {
        *value == Self::demo(index)
    }
}

impl DemoValue for i64 {
    type Owned = i64;

    #[inline]
    fn demo(index: u64) -> i64 {
        i64::try_from(index).unwrap_or(i64::MAX)
    }

    #[inline]
    fn is_demo(index: u64, value: &i64) -> bool {
        u64::try_from(*value).is_ok_and(|v| v == index)
    }
}

impl DemoValue for f64 {
    type Owned = f64;

    #[inline]
    fn demo(index: u64) -> f64 {
        index as f64 * 0.5
    }

    #[inline]
    fn is_demo(index: u64, value: &f64) -> bool {
        *value == Self::demo(index)
    }
}

impl DemoValue for str {
    type Owned = String;

    fn demo(index: u64) -> String {
        format!("{STR_PREFIX}{index}")
    }

    #[inline]
    fn is_demo(index: u64, value: &str) -> bool {
        value
            .strip_prefix(STR_PREFIX)
            .and_then(parse_canonical_decimal)
            == Some(index)
    }
}

impl DemoValue for DateTime {
    type Owned = DateTime;

    #[inline]
    fn demo(index: u64) -> DateTime {
        DATETIME_BASE
            .checked_add(TimeDelta::demo(index))
            .unwrap_or(DateTime::from_nanos(i64::MAX))
    }

    #[inline]
    fn is_demo(index: u64, value: &DateTime) -> bool {
        *value == Self::demo(index)
    }
}

impl DemoValue for TimeDelta {
    type Owned = TimeDelta;

    #[inline]
    fn demo(index: u64) -> TimeDelta {
        TimeDelta::from_micros(i64::try_from(index).unwrap_or(i64::MAX / 1_000))
    }

    #[inline]
    fn is_demo(index: u64, value: &TimeDelta) -> bool {
        *value == Self::demo(index)
    }
}

/// The number `digits` spells: digits only, no leading zero unless it is
/// 0, and at most `u64::MAX`.
fn parse_canonical_decimal(digits: &str) -> Option<u64> {
    if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    digits.bytes().try_fold(0_u64, |number, byte| {
        let digit = byte.checked_sub(b'0').filter(|d| *d < 10)?;
        number.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_rule<T: DemoValue + ?Sized>()
    where
        T::Owned: std::borrow::Borrow<T>,
    {
        use std::borrow::Borrow;
        for i in [0, 1, 2, 41, 1_000_001] {
            let value = T::demo(i);
            assert!(T::is_demo(i, value.borrow()), "value {i} must match itself");
            assert!(
                !T::is_demo(i + 1, value.borrow()),
                "value {i} must not match {}",
                i + 1
            );
        }
    }

    #[test]
    fn every_rule_matches_itself_and_not_its_neighbour() {
        check_rule::<bool>();
        check_rule::<i64>();
        check_rule::<f64>();
        check_rule::<str>();
        check_rule::<DateTime>();
        check_rule::<TimeDelta>();
    }

    #[test]
    fn documented_values() {
        assert!(!bool::demo(0));
        assert!(bool::demo(3));
        assert_eq!(i64::demo(12), 12);
        assert_eq!(f64::demo(3), 1.5);
        assert_eq!(str::demo(7), "tick-7");
        assert_eq!(DateTime::demo(2).as_nanos(), 1_577_836_800_000_002_000);
        assert_eq!(TimeDelta::demo(5).as_nanos(), 5_000);
    }

    #[test]
    fn str_check_reads_every_u64() {
        for i in [0, 9, 10, 99, 1_000_000, u64::MAX - 1, u64::MAX] {
            assert!(str::is_demo(i, &str::demo(i)), "{i}");
        }
        assert!(
            !str::is_demo(0, "tick-18446744073709551616"),
            "past u64::MAX"
        );
        assert!(!str::is_demo(0, "tick-"));
    }

    #[test]
    fn str_check_rejects_lookalikes() {
        assert!(!str::is_demo(7, "tick-07"));
        assert!(!str::is_demo(7, "tick-7 "));
        assert!(!str::is_demo(7, "tock-7"));
        assert!(!str::is_demo(7, "tick-+7"));
        assert!(str::is_demo(0, "tick-0"));
    }

    #[test]
    fn negative_int_never_matches() {
        assert!(i64::is_demo(0, &0));
        assert!(!i64::is_demo(1, &-1));
        assert!(!i64::is_demo(u64::MAX, &-1));
    }
}
