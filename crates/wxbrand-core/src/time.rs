//! RFC3339 times as the API sends them.
//!
//! [`Rfc3339`] keeps the text exactly as received, so re-encoding never alters it, and parses it only
//! when [`Rfc3339::instant`] is called. It accepts what WeChat Pay sends: `2025-08-01T00:00:00+08:00`,
//! a fraction of a second (`…00.5+08:00`), `Z`, and the seed's own `2025-01-01T00:00+08:00` without seconds.
//! A time field that holds no text at all (a number, an object, `null`) is kept too, as the JSON
//! value it was, so one odd field never makes a whole answer undecodable.

use std::fmt;

const SECONDS_PER_DAY: i64 = 86_400;

/// An RFC3339 time from the API. It keeps the original text (re-encoded unchanged) and parses it
/// only when asked, so a malformed time never makes a whole answer undecodable.
///
/// It decodes from any JSON value. A value that is not a string (`1735660800`, `{}`, `true`, and
/// `null` in a model's time field) is kept as it was and re-encoded unchanged; [`as_str`](Rfc3339::as_str)
/// then gives its JSON text, [`non_text`](Rfc3339::non_text) the value itself, and
/// [`instant`](Rfc3339::instant) an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rfc3339 {
    /// The text as sent; for a value that was not a JSON string, its JSON text.
    text: String,
    /// The value as sent, when it was not a JSON string.
    non_text: Option<serde_json::Value>,
}

/// A parsed instant: Unix seconds, nanoseconds and the UTC offset the text carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Instant {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub unix_seconds: i64,
    /// Fraction of a second, in nanoseconds.
    pub nanos: u32,
    /// UTC offset in seconds (+08:00 is 28800).
    pub offset_seconds: i32,
}

/// A time text that is not RFC3339.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    text_prefix: String,
}

impl TimeError {
    fn new(text: &str) -> Self {
        TimeError {
            text_prefix: text.chars().take(40).collect(),
        }
    }
    /// At most 40 characters from the start of the rejected text.
    pub fn text_prefix(&self) -> &str {
        &self.text_prefix
    }
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not an RFC3339 time (YYYY-MM-DDTHH:MM[:SS[.fraction]] then Z or ±HH:MM): \"{}\"",
            self.text_prefix.escape_debug()
        )
    }
}

impl std::error::Error for TimeError {}

impl Rfc3339 {
    /// Wraps a time text as given (not checked: see [`Rfc3339::instant`]).
    pub fn new(text: impl Into<String>) -> Self {
        Rfc3339 {
            text: text.into(),
            non_text: None,
        }
    }
    /// Formats a Unix time at a UTC offset as `YYYY-MM-DDTHH:MM:SS±HH:MM`, e.g.
    /// `Rfc3339::from_unix(1_735_660_800, 8 * 3600)` is `2025-01-01T00:00:00+08:00`.
    ///
    /// The offset is cut to whole minutes and clamped to ±23:59. Years outside 0000–9999 cannot be
    /// written as RFC3339; they are printed with their sign and digits and [`instant`](Rfc3339::instant)
    /// rejects them.
    pub fn from_unix(unix_seconds: i64, offset_seconds: i32) -> Self {
        let offset_minutes = (offset_seconds / 60).clamp(-(24 * 60 - 1), 24 * 60 - 1);
        let local = unix_seconds.saturating_add(i64::from(offset_minutes) * 60);
        let days = local.div_euclid(SECONDS_PER_DAY);
        let second_of_day = local.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let offset_abs = offset_minutes.unsigned_abs();
        Rfc3339::new(format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60,
            offset_abs / 60,
            offset_abs % 60,
        ))
    }
    /// The original text; for a value that was not a JSON string, its JSON text (`1735660800`, `null`).
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// The value as sent when it was not a JSON string (a number, an object, `true`, `null`);
    /// `None` for text.
    pub fn non_text(&self) -> Option<&serde_json::Value> {
        self.non_text.as_ref()
    }
    /// Parses the text: `YYYY-MM-DD`, `T` (or `t`, or a space), `HH:MM`, optional `:SS` and optional
    /// fraction (digits beyond nanoseconds are ignored), then `Z`/`z` or `±HH:MM`. A leap second (`:60`)
    /// counts as the first second of the next minute. A value that was not a JSON string is an error.
    pub fn instant(&self) -> Result<Instant, TimeError> {
        match self.non_text {
            None => parse(&self.text),
            Some(_) => None,
        }
        .ok_or_else(|| TimeError::new(&self.text))
    }
}

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<String> for Rfc3339 {
    fn from(text: String) -> Self {
        Rfc3339::new(text)
    }
}

impl From<&str> for Rfc3339 {
    fn from(text: &str) -> Self {
        Rfc3339::new(text)
    }
}

impl serde::Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.non_text {
            None => serializer.serialize_str(&self.text),
            Some(value) => value.serialize(serializer),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Rfc3339 {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(text) => Rfc3339::new(text),
            other => Rfc3339 {
                text: other.to_string(),
                non_text: Some(other),
            },
        })
    }
}

/// For `Option<Rfc3339>` fields (with `#[serde(default)]`): an explicit `null` is kept as a value
/// (and re-encoded as `null`) instead of becoming `None`, which would drop the field on re-encoding.
pub(crate) fn deserialize_keeping_null<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Rfc3339>, D::Error> {
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// Reads the text left to right; `None` on the first thing out of place.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }
    fn next(&mut self) -> Option<u8> {
        let (&first, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(first)
    }
    fn expect(&mut self, wanted: u8) -> Option<()> {
        (self.next()? == wanted).then_some(())
    }
    fn digits(&mut self, count: usize) -> Option<u32> {
        let mut value = 0u32;
        for _ in 0..count {
            let digit = self.next().filter(u8::is_ascii_digit)?;
            value = value * 10 + u32::from(digit - b'0');
        }
        Some(value)
    }
}

fn parse(text: &str) -> Option<Instant> {
    let mut cursor = Cursor {
        rest: text.as_bytes(),
    };
    let year = cursor.digits(4)?;
    cursor.expect(b'-')?;
    let month = cursor.digits(2)?;
    cursor.expect(b'-')?;
    let day = cursor.digits(2)?;
    if !matches!(cursor.next()?, b'T' | b't' | b' ') {
        return None;
    }
    let hour = cursor.digits(2)?;
    cursor.expect(b':')?;
    let minute = cursor.digits(2)?;
    let mut second = 0;
    if cursor.peek() == Some(b':') {
        cursor.next()?;
        second = cursor.digits(2)?;
    }
    let mut nanos = 0u32;
    if cursor.peek() == Some(b'.') {
        cursor.next()?;
        let mut scale = 100_000_000u32;
        let mut any = false;
        while let Some(digit) = cursor.peek().filter(u8::is_ascii_digit) {
            cursor.next()?;
            any = true;
            nanos += u32::from(digit - b'0') * scale;
            scale /= 10;
        }
        if !any {
            return None;
        }
    }
    let offset_seconds: i32 = match cursor.next()? {
        b'Z' | b'z' => 0,
        sign @ (b'+' | b'-') => {
            let hours = cursor.digits(2)?;
            cursor.expect(b':')?;
            let minutes = cursor.digits(2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = i32::try_from(hours * 3600 + minutes * 60).ok()?;
            if sign == b'-' {
                -magnitude
            } else {
                magnitude
            }
        }
        _ => return None,
    };
    if !cursor.rest.is_empty() {
        return None;
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    let local = days * SECONDS_PER_DAY + i64::from(hour * 3600 + minute * 60 + second);
    Some(Instant {
        unix_seconds: local - i64::from(offset_seconds),
        nanos,
        offset_seconds,
    })
}

fn is_leap_year(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    // Both values are small (1..=31, 1..=12), so the conversions cannot fail.
    let day = u32::try_from(day_of_year - (153 * month_from_march + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    })
    .unwrap_or(1);
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_over_many_days() {
        for days in (-800_000..800_000).step_by(37) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn epoch_is_day_zero() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }
}
