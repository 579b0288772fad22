//! Durations given as seconds or as jose's text form ("30s", "5 minutes", "2h", "1 day ago").

use serde::{Deserialize, Deserializer};

const MINUTE: f64 = 60.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86400.0;
const WEEK: f64 = 7.0 * DAY;
const YEAR: f64 = 365.25 * DAY;

/// Parses jose's time-span text. `None` when it is not of that form.
pub fn parse_span(text: &str) -> Option<f64> {
    let mut rest = text.trim();
    let mut sign = 1.0;
    if let Some(r) = rest.strip_prefix('-') {
        sign = -1.0;
        rest = r.trim_start();
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r.trim_start();
    }
    let explicit_sign = rest.len() != text.trim().len();
    let (rest, direction) = if let Some(r) = rest.strip_suffix(" ago") {
        (r, -1.0)
    } else if let Some(r) = rest.strip_suffix(" from now") {
        (r, 1.0)
    } else {
        (rest, 0.0)
    };
    if direction != 0.0 && explicit_sign {
        return None;
    }
    let split = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = rest.split_at(split);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') || number.matches('.').count() > 1 {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let scale = match unit.as_str() {
        "sec" | "secs" | "second" | "seconds" | "s" => 1.0,
        "minute" | "minutes" | "min" | "mins" | "m" => MINUTE,
        "hour" | "hours" | "hr" | "hrs" | "h" => HOUR,
        "day" | "days" | "d" => DAY,
        "week" | "weeks" | "w" => WEEK,
        "year" | "years" | "yr" | "yrs" | "y" => YEAR,
        _ => return None,
    };
    let magnitude = (value * scale).round();
    // "1e400" is not of this form, but 400 digits are: they overflow to infinity, and an
    // infinite clockTolerance would accept every expired token.
    if !magnitude.is_finite() {
        return None;
    }
    Some(if direction < 0.0 { -magnitude } else { sign * magnitude })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(f64),
    Text(String),
}

/// Tolerances and maximum ages are never negative (jose refuses them too).
fn to_seconds<E: serde::de::Error>(value: NumberOrText) -> Result<f64, E> {
    let seconds = match value {
        NumberOrText::Number(n) if n.is_finite() => Ok(n),
        NumberOrText::Number(_) => Err(E::custom("a duration must be a finite number of seconds")),
        NumberOrText::Text(t) => parse_span(&t).ok_or_else(|| E::custom(format!("\"{t}\" is not a duration (seconds, or text such as \"30s\" or \"5 minutes\")"))),
    }?;
    if seconds < 0.0 {
        return Err(E::custom(format!("a duration must not be negative (got {seconds})")));
    }
    Ok(seconds)
}

pub fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    to_seconds(NumberOrText::deserialize(d)?)
}

pub fn optional_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Option::<NumberOrText>::deserialize(d)? {
        None => Ok(None),
        Some(v) => to_seconds(v).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_span;

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
        assert_eq!(parse_span(&format!("{}y", "9".repeat(400))), None, "overflows to infinity");
        assert_eq!(parse_span(&format!("{}s", "9".repeat(308))).map(f64::is_finite), Some(true));
    }
}
