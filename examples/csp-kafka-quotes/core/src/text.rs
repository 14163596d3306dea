//! The text form of each csp value type, as events files hold them.
//!
//! | csp type    | text form                                                      |
//! |-------------|----------------------------------------------------------------|
//! | `bool`      | `true` or `false`                                              |
//! | `int`       | a decimal 64-bit integer: `-42`                                |
//! | `float`     | a decimal number, shortest form that reads back exactly: `0.1`, `1e300`, `NaN`, `inf`, `-inf` |
//! | `str`       | the text itself (CSV quoting applies): any UTF-8, empty too    |
//! | `datetime`  | ISO-8601 UTC, up to nanoseconds: `2020-01-01T00:00:00.000000001Z` (no suffix means UTC) |
//! | `timedelta` | signed decimal seconds, up to nanoseconds: `-1.5`, `0.000000001` |
//!
//! Writing then reading any value gives it back exactly.

use std::fmt::Write;

use crate::time::{DateTime, TimeDelta};

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// A value type with a text form.
pub trait TextValue {
    /// The owned form of a value (`String` for `str`).
    type Owned;

    /// Reads a value; the error says what is wrong with `text`.
    fn parse_text(text: &str) -> Result<Self::Owned, String>;

    /// Appends the text form of `self` to `out`.
    fn write_text(&self, out: &mut String);
}

impl TextValue for bool {
    type Owned = bool;

    fn parse_text(text: &str) -> Result<bool, String> {
        match text {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("bool value {text:?} is not true or false")),
        }
    }

    fn write_text(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl TextValue for i64 {
    type Owned = i64;

    fn parse_text(text: &str) -> Result<i64, String> {
        text.parse()
            .map_err(|_| format!("int value {text:?} is not a 64-bit integer"))
    }

    fn write_text(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl TextValue for f64 {
    type Owned = f64;

    fn parse_text(text: &str) -> Result<f64, String> {
        text.parse()
            .map_err(|_| format!("float value {text:?} is not a number"))
    }

    fn write_text(&self, out: &mut String) {
        // Debug is the shortest form that reads back exactly, with an
        // exponent for very large and very small magnitudes.
        let _ = write!(out, "{self:?}");
    }
}

impl TextValue for str {
    type Owned = String;

    fn parse_text(text: &str) -> Result<String, String> {
        Ok(text.to_owned())
    }

    fn write_text(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl TextValue for DateTime {
    type Owned = DateTime;

    fn parse_text(text: &str) -> Result<DateTime, String> {
        parse_datetime(text, &mut None).ok_or_else(|| datetime_error("datetime value", text))
    }

    fn write_text(&self, out: &mut String) {
        let nanos = self.as_nanos();
        let seconds = nanos.div_euclid(NANOS_PER_SECOND);
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        let second_of_day = seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let _ = write!(
            out,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        );
        write_fraction(nanos.rem_euclid(NANOS_PER_SECOND), out);
        out.push('Z');
    }
}

/// The events file's form: `2020-01-01T00:00:00.000000001Z`.
impl std::fmt::Display for DateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = String::new();
        self.write_text(&mut text);
        f.write_str(&text)
    }
}

impl TextValue for TimeDelta {
    type Owned = TimeDelta;

    fn parse_text(text: &str) -> Result<TimeDelta, String> {
        parse_seconds(text).map(TimeDelta::from_nanos).ok_or_else(|| {
            format!("timedelta value {text:?} is not a number of seconds such as -1.5 or 0.000000001")
        })
    }

    fn write_text(&self, out: &mut String) {
        let nanos = self.as_nanos();
        if nanos < 0 {
            out.push('-');
        }
        let magnitude = nanos.unsigned_abs();
        let _ = write!(out, "{}", magnitude / NANOS_PER_SECOND as u64);
        // The remainder is below 10^9, so it fits an i64.
        write_fraction((magnitude % NANOS_PER_SECOND as u64) as i64, out);
    }
}

/// `.fff`, `.ffffff` or `.fffffffff`: the fewest digit groups that hold
/// `nanos` exactly; nothing when it is zero.
fn write_fraction(nanos: i64, out: &mut String) {
    if nanos == 0 {
        return;
    }
    if nanos % 1_000_000 == 0 {
        let _ = write!(out, ".{:03}", nanos / 1_000_000);
    } else if nanos % 1_000 == 0 {
        let _ = write!(out, ".{:06}", nanos / 1_000);
    } else {
        let _ = write!(out, ".{nanos:09}");
    }
}

/// Digits `1..=9` after a decimal point, as nanoseconds.
fn parse_fraction(digits: &[u8]) -> Option<i64> {
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    Some(parse_digits(digits)? * 10_i64.pow(9 - digits.len() as u32))
}

/// A run of ASCII digits (at most 18: no overflow), as a number.
fn parse_digits(digits: &[u8]) -> Option<i64> {
    digits.iter().try_fold(0_i64, |value, &digit| {
        digit
            .is_ascii_digit()
            .then(|| value * 10 + i64::from(digit - b'0'))
    })
}

/// Why `text`, the `what` (such as "time"), is not a datetime.
pub(crate) fn datetime_error(what: &str, text: &str) -> String {
    format!(
        "{what} {text:?} is not an ISO-8601 UTC time such as \
         2020-01-01T00:00:00.000000001Z between 1677-09-21 and 2262-04-11"
    )
}

/// A date (`YYYY-MM-DD`) and its days since 1970-01-01.
pub(crate) type Day = ([u8; 10], i64);

/// `YYYY-MM-DDTHH:MM:SS`, then `.` and 1 to 9 digits, then `Z`, each
/// optional: fixed widths, so it is read byte by byte. `last_day` keeps the
/// last date read: the rows of a replay mostly share theirs.
pub(crate) fn parse_datetime(text: &str, last_day: &mut Option<Day>) -> Option<DateTime> {
    let text = text.strip_suffix('Z').unwrap_or(text).as_bytes();
    if text.len() < 19 {
        return None;
    }
    let (clock, rest) = text.split_at(19);
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, byte)| clock[at] != byte) {
        return None;
    }
    let field = |from: usize, to: usize| parse_digits(&clock[from..to]);
    let date: [u8; 10] = clock[..10].try_into().ok()?;
    let days = match *last_day {
        Some((last, days)) if last == date => days,
        _ => {
            let (year, month, day) = (field(0, 4)?, field(5, 7)?, field(8, 10)?);
            if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
                return None;
            }
            let days = days_from_civil(year, month, day);
            *last_day = Some((date, days));
            days
        }
    };
    let (hour, minute, second) = (field(11, 13)?, field(14, 16)?, field(17, 19)?);
    let fraction = match rest {
        [] => 0,
        [b'.', digits @ ..] => parse_fraction(digits)?,
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let seconds = days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
    let nanos = i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(fraction);
    i64::try_from(nanos).ok().map(DateTime::from_nanos)
}

fn parse_seconds(text: &str) -> Option<i64> {
    let (negative, magnitude) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match magnitude.split_once('.') {
        Some((whole, digits)) => (whole, parse_fraction(digits.as_bytes())?),
        None => (magnitude, 0),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos = (whole.parse::<i128>().ok()?)
        .checked_mul(i128::from(NANOS_PER_SECOND))?
        .checked_add(i128::from(fraction))?;
    i64::try_from(if negative { -nanos } else { nanos }).ok()
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<T: TextValue + ?Sized>(value: &T) -> String {
        let mut out = String::new();
        value.write_text(&mut out);
        out
    }

    #[test]
    fn datetime_text_forms() {
        let cases = [
            ("1970-01-01T00:00:00Z", 0),
            ("2020-01-01T00:00:00.000000001Z", 1_577_836_800_000_000_001),
            ("2020-01-01T00:00:00.5Z", 1_577_836_800_500_000_000),
            ("2020-02-29T23:59:59.123456Z", 1_583_020_799_123_456_000),
            ("1969-12-31T23:59:59.999999999Z", -1),
            ("1677-09-21T00:12:43.145224192Z", i64::MIN),
            ("2262-04-11T23:47:16.854775807Z", i64::MAX),
        ];
        for (input, nanos) in cases {
            assert_eq!(
                DateTime::parse_text(input),
                Ok(DateTime::from_nanos(nanos)),
                "{input}"
            );
            assert_eq!(
                DateTime::parse_text(input.trim_end_matches('Z')),
                Ok(DateTime::from_nanos(nanos)),
                "no suffix means UTC"
            );
        }
        assert_eq!(text(&DateTime::from_nanos(0)), "1970-01-01T00:00:00Z");
        assert_eq!(
            text(&DateTime::from_nanos(1_577_836_800_500_000_000)),
            "2020-01-01T00:00:00.500Z"
        );
        assert_eq!(
            text(&DateTime::from_nanos(1_583_020_799_123_456_000)),
            "2020-02-29T23:59:59.123456Z"
        );
        assert_eq!(
            text(&DateTime::from_nanos(-1)),
            "1969-12-31T23:59:59.999999999Z"
        );
    }

    #[test]
    fn bad_datetimes_are_refused() {
        for input in [
            "",
            "2020-01-01",
            "2020-01-01 00:00:00",
            "2020-13-01T00:00:00",
            "2021-02-29T00:00:00",
            "2020-01-01T24:00:00",
            "2020-01-01T00:00:00.",
            "2020-01-01T00:00:00.0000000001",
            "2020-01-01T00:00:00+01:00",
            "20-01-01T00:00:00",
            "2020-1-01T00:00:00",
            "3000-01-01T00:00:00",
            "1600-01-01T00:00:00",
            "2020-01-01T00:00:00ZZ",
            "+020-01-01T00:00:00",
            "2020-01-01T00:00:00.-1",
            "2020-01-01T00:00:00.1e3",
            "２０２０-01-01T00:00:00",
            "2020-01-01T00:00:0é",
        ] {
            let error = DateTime::parse_text(input).unwrap_err();
            assert!(error.contains("ISO-8601 UTC"), "{input}: {error}");
        }
    }

    #[test]
    fn timedelta_text_forms() {
        for (input, nanos, canonical) in [
            ("0", 0, "0"),
            ("-1.5", -1_500_000_000, "-1.500"),
            ("0.000000001", 1, "0.000000001"),
            ("86400.000001", 86_400_000_001_000, "86400.000001"),
            ("-0.000000001", -1, "-0.000000001"),
        ] {
            let value = TimeDelta::parse_text(input).unwrap();
            assert_eq!(value, TimeDelta::from_nanos(nanos), "{input}");
            assert_eq!(text(&value), canonical);
        }
        for extreme in [i64::MIN, i64::MAX, i64::MIN + 1] {
            let value = TimeDelta::from_nanos(extreme);
            assert_eq!(TimeDelta::parse_text(&text(&value)), Ok(value));
        }
        // Found by the events_file fuzz target: seconds past i128 once in
        // nanoseconds overflowed (wrapped to a wrong value in a release build).
        let huge = "9".repeat(38);
        assert!(TimeDelta::parse_text(&huge).is_err());
        assert!(TimeDelta::parse_text(&format!("-{huge}.5")).is_err());
        for bad in [
            "",
            "-",
            "1.",
            ".5",
            "1e3",
            "1,5",
            "+1",
            "1.0000000001",
            "99999999999",
        ] {
            assert!(TimeDelta::parse_text(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scalar_text_forms_round_trip() {
        for value in [
            0.1,
            -0.0,
            1e300,
            5e-324,
            f64::INFINITY,
            f64::NEG_INFINITY,
            123.5,
        ] {
            let back = f64::parse_text(&text(&value)).unwrap();
            assert_eq!(back.to_bits(), value.to_bits(), "{value}");
        }
        assert!(f64::parse_text(&text(&f64::NAN)).unwrap().is_nan());
        assert_eq!(text(&1e300), "1e300");
        for value in [i64::MIN, -1, 0, i64::MAX] {
            assert_eq!(i64::parse_text(&text(&value)), Ok(value));
        }
        assert_eq!(bool::parse_text("true"), Ok(true));
        assert_eq!(bool::parse_text("false"), Ok(false));
        assert!(bool::parse_text("True").is_err());
        assert!(i64::parse_text("1.0").is_err());
        assert!(i64::parse_text("9223372036854775808").is_err());
        assert!(f64::parse_text("one").is_err());
        assert_eq!(str::parse_text("").as_deref(), Ok(""));
        assert_eq!(text("ünï,\"x\""), "ünï,\"x\"");
    }

    #[test]
    fn civil_days_round_trip() {
        for days in [-106_751, -719_468, -1, 0, 1, 18_262, 106_750] {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
    }
}
