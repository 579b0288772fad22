//! `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as a delay in ms.

/// The delay `value` asks for at `now_ms`, or `None` when it is neither form. A date in the
/// past is a delay of 0.
pub fn delay_ms(value: &str, now_ms: f64) -> Option<f64> {
    let value = value.trim();
    if !value.is_empty() && value.len() <= 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<f64>().ok().map(|seconds| seconds * 1000.0);
    }
    imf_fixdate_ms(value).map(|at| (at - now_ms).max(0.0))
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` as Unix epoch ms (the obsolete date forms are refused).
fn imf_fixdate_ms(value: &str) -> Option<f64> {
    let (_, rest) = value.split_once(", ")?;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts[..] else { return None };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let number = |text: &str, len: usize| (text.len() == len && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse::<i64>().ok()).flatten();
    let (day, year) = (number(day, 2)?, number(year, 4)?);
    let clock: Vec<&str> = time.split(':').collect();
    let [h, m, s] = clock[..] else { return None };
    let (h, m, s) = (number(h, 2)?, number(m, 2)?, number(s, 2)?);
    if !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 86_400 + h * 3600 + m * 60 + s) * 1000) as f64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::delay_ms;

    #[test]
    fn both_forms() {
        assert_eq!(delay_ms("120", 0.0), Some(120_000.0));
        assert_eq!(delay_ms(" 0 ", 0.0), Some(0.0));
        assert_eq!(delay_ms("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777_000.0 - 5000.0), Some(5000.0));
        assert_eq!(delay_ms("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777_000.0 + 5000.0), Some(0.0));
        for bad in ["", "-1", "1.5", "soon", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "9999999999999"] {
            assert_eq!(delay_ms(bad, 0.0), None, "{bad}");
        }
    }
}
