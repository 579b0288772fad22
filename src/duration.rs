//! Durations given as seconds or as jose's text form ("30s", "5 minutes", "2h", "1 day ago").

use crate::options::{read, OptionError, OptionValue};

const MINUTE: f64 = 60.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86400.0;
const WEEK: f64 = 7.0 * DAY;
const YEAR: f64 = 365.25 * DAY;

/// Parses jose's time-span text, exactly what jose 6's pattern takes:
/// `^(\+|\-)? ?(\d+|\d+\.\d+) ?(unit)(?: (ago|from now))?$`, case-insensitive (ASCII). No
/// other whitespace: one optional space after the sign and before the unit, exactly one
/// before `ago` / `from now`, none around the text. `None` when it is not of that form.
pub fn parse_span(text: &str) -> Option<f64> {
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'-') => (Some(-1.0), &text[1..]),
        Some(b'+') => (Some(1.0), &text[1..]),
        _ => (None, text),
    };
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let split = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
    let (number, unit) = rest.split_at(split);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') || number.matches('.').count() > 1 {
        return None;
    }
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let (unit, direction) = if let Some(u) = unit.strip_suffix(" ago") {
        (u, Some(-1.0))
    } else if let Some(u) = unit.strip_suffix(" from now") {
        (u, Some(1.0))
    } else {
        (unit.as_str(), None)
    };
    if direction.is_some() && sign.is_some() {
        return None;
    }
    let scale = match unit {
        "sec" | "secs" | "second" | "seconds" | "s" => 1.0,
        "minute" | "minutes" | "min" | "mins" | "m" => MINUTE,
        "hour" | "hours" | "hr" | "hrs" | "h" => HOUR,
        "day" | "days" | "d" => DAY,
        "week" | "weeks" | "w" => WEEK,
        "year" | "years" | "yr" | "yrs" | "y" => YEAR,
        _ => return None,
    };
    let magnitude = (decimal(number) * scale).round();
    Some(direction.or(sign).unwrap_or(1.0) * magnitude)
}

/// `number` (`\d+` or `\d+\.\d+`) as the nearest f64, exactly what `str::parse::<f64>` gives,
/// read by serde_json's number parser, which the module has anyway: `str::parse::<f64>` would
/// bring core's own float parser and its power-of-five tables (12 KB of the verify-only
/// module, gzipped). Read by the module's one JSON reader (`parse_json_strict`; a typed `f64`
/// read would bring serde_json's type-error path, which prints floats with `Display`). JSON has no leading zeros, and serde_json refuses
/// what overflows f64, which `str::parse` reads as infinity. `tests::decimal_is_str_parse`
/// compares the two.
fn decimal(number: &str) -> f64 {
    let significant = number.trim_start_matches('0');
    let json = if significant.is_empty() || significant.starts_with('.') { &number[number.len() - significant.len() - 1..] } else { significant };
    crate::encoding::parse_json_strict(json.as_bytes()).ok().and_then(|v| v.as_f64()).unwrap_or(f64::INFINITY)
}

/// The largest span a duration text may give: 2^53 - 1 seconds, the largest whole number of
/// seconds a JS number holds exactly. A text beyond it ("99999999999999999999 years") has
/// overflowed every clock it could be compared with, so it is refused, never taken as "forever".
pub const MAX_SPAN_SECONDS: f64 = 9_007_199_254_740_991.0;

/// Tolerances and maximum ages are never negative (jose refuses them too), and always finite.
fn checked(seconds: f64, given: &str) -> Result<f64, OptionError> {
    if !seconds.is_finite() {
        return Err(OptionError::new("", format!("must be a finite number of seconds, got {given}")));
    }
    if seconds < 0.0 {
        return Err(OptionError::new("", format!("must not be negative, got {given}")));
    }
    Ok(seconds)
}

/// A duration option (`clockTolerance`, `maxTokenAge`, `maxAge`, ...): seconds, or jose's text.
pub fn seconds(value: &OptionValue) -> Result<f64, OptionError> {
    const EXPECTED: &str = "a number of seconds or a duration text such as \"30s\" or \"5 minutes\"";
    match value {
        OptionValue::Number(n) => checked(*n, &value.describe()),
        OptionValue::String(text) => {
            let quoted = crate::quote::quoted(text);
            match parse_span(text) {
                Some(seconds) if seconds.is_nan() || seconds.abs() > MAX_SPAN_SECONDS => Err(OptionError::new(
                    "",
                    format!("is a duration text that overflows (more than {} seconds), got {quoted}", crate::quote::number_text(MAX_SPAN_SECONDS)),
                )),
                Some(seconds) => checked(seconds, &quoted),
                None => Err(OptionError::new("", format!("must be {EXPECTED}, got {quoted}"))),
            }
        }
        _ => Err(read::unexpected(value, EXPECTED)),
    }
}

#[cfg(test)]
mod tests {
    use super::{decimal, parse_span};

    /// Every form parse_span hands to `decimal`, against `str::parse`, bit for bit: random
    /// lengths and digits, leading zeros, halfway cases, overflow, underflow.
    #[test]
    fn decimal_is_str_parse() {
        let mut next = crate::test_rng::below(0x2545_f491_4f6c_dd1d);
        let mut cases: Vec<String> = [
            "0", "00", "000.000", "007", "0.5", "00.5", "1", "9007199254740993", "9007199254740992.5", "18446744073709551616",
            "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            "0.1", "0.30000000000000004", "2.5", "123456789012345678901234567890.123456789",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        cases.push("9".repeat(400));
        cases.push(format!("0.{}1", "0".repeat(400)));
        cases.push(format!("0.{}2470328229206232720882538", "0".repeat(323)));
        cases.push(format!("0.{}2470328229206232720882539", "0".repeat(323)));
        for _ in 0..200_000 {
            let int_len = 1 + next(25) as usize;
            let mut text: String = (0..int_len).map(|_| char::from(b'0' + next(10) as u8)).collect();
            if next(2) == 0 {
                text.push('.');
                let frac_len = 1 + next(25) as usize;
                text.extend((0..frac_len).map(|_| char::from(b'0' + next(10) as u8)));
            }
            cases.push(text);
        }
        for text in &cases {
            let expected: f64 = text.parse().unwrap();
            assert_eq!(decimal(text).to_bits(), expected.to_bits(), "{text}");
        }
    }

    #[test]
    fn spans_like_jose() {
        assert_eq!(parse_span("30s"), Some(30.0));
        assert_eq!(parse_span("5 minutes"), Some(300.0));
        assert_eq!(parse_span("2h"), Some(7200.0));
        assert_eq!(parse_span("1.5 days"), Some(129600.0));
        assert_eq!(parse_span("1 day ago"), Some(-86400.0));
        assert_eq!(parse_span("-10s"), Some(-10.0));
        assert_eq!(parse_span("ten s"), None);
        assert_eq!(parse_span("10 fortnights"), None);
        assert_eq!(parse_span("-10s ago"), None);
        // jose's pattern, to the space: case-insensitive throughout, one optional space after
        // the sign and before the unit, exactly one before "ago" / "from now", nothing around.
        assert_eq!(parse_span("30s FROM NOW"), Some(30.0));
        assert_eq!(parse_span("30 SECS Ago"), Some(-30.0));
        assert_eq!(parse_span(" 30s"), Some(30.0));
        assert_eq!(parse_span("+ 30s"), Some(30.0));
        assert_eq!(parse_span("- 30 s"), Some(-30.0));
        for refused in ["30s ", "+  30s", "  30s", "30  s", "30s  ago", "30sago", "30s\n", "\t30s", "30\ts", "30s from  now", "+30s from now", "\u{a0}30s", "30ſ"] {
            assert_eq!(parse_span(refused), None, "{refused:?}");
        }
        assert!(parse_span(&format!("{}s", "9".repeat(400))).is_some_and(f64::is_infinite), "overflow is caught by the reader");
    }
}
