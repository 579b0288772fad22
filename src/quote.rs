//! Attacker-controlled text (kids, algs, crit and claim names, URLs, typ, x5c details) in
//! messages: always through [`quoted`], so that no newline, ESC sequence or bidi override
//! reaches a log or a terminal, and no 10 KB kid makes a 10 KB message.

use std::fmt::Write;

/// At most this many characters of one quoted text.
pub const QUOTE_LIMIT: usize = 64;
/// The same limit under the name main's callers use.
pub const MAX_QUOTED_CHARS: usize = QUOTE_LIMIT;
/// At most this many kids in a message or in an error's `kids`.
pub const KIDS_LIMIT: usize = 20;

/// `text` as a JSON string (control characters, DEL, C1, U+2028/2029 and bidi controls
/// escaped as `\uXXXX`), cut to its first [`QUOTE_LIMIT`] characters; a cut text is followed
/// by `…(N characters)`, outside the quotes.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(QUOTE_LIMIT * 6) + 2);
    out.push('"');
    let mut count = 0;
    for c in text.chars() {
        if count == QUOTE_LIMIT {
            break;
        }
        count += 1;
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    if count == QUOTE_LIMIT {
        let total = text.chars().count();
        if total > QUOTE_LIMIT {
            let _ = write!(out, "…({total} characters)");
        }
    }
    out
}

/// Characters that must not reach a terminal or a log line as they are.
fn needs_escape(c: char) -> bool {
    c.is_control() // C0, DEL, C1 (ESC is U+001B, CSI is U+009B)
        || matches!(c, '\u{2028}' | '\u{2029}') // line/paragraph separators (JS line breaks)
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') // bidi controls
        || matches!(c, '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// `text` as it is when it is one of the `known` names (no quoting needed), else [`quoted`].
pub fn known_or_quoted(text: &str, known: bool) -> String {
    if known {
        text.to_owned()
    } else {
        quoted(text)
    }
}

/// JSON text (as `JSON.stringify` writes it) made safe to print: the characters [`quoted`]
/// escapes become `\uXXXX` (they can only occur inside strings, where that is the same
/// value), and with `limit`, a text longer than `limit` characters is cut and marked as
/// [`quoted`] does. Still valid JSON when nothing is cut.
pub fn safe_json_text(json: &str, limit: Option<usize>) -> String {
    let mut out = String::with_capacity(json.len().min(limit.unwrap_or(usize::MAX)) + 16);
    for (count, c) in json.chars().enumerate() {
        if limit == Some(count) {
            let _ = write!(out, "…({} characters)", json.chars().count());
            return out;
        }
        // JSON whitespace between tokens stays; inside strings JSON.stringify never leaves it raw.
        if needs_escape(c) && !matches!(c, '\n' | '\r' | '\t') {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// `["a", "b", and N more]`: each item [`quoted`], at most [`KIDS_LIMIT`] of them.
pub fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().take(KIDS_LIMIT).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&quoted(item.as_ref()));
    }
    if items.len() > KIDS_LIMIT {
        let _ = write!(out, ", and {} more", items.len() - KIDS_LIMIT);
    }
    out.push(']');
    out
}

/// The first [`KIDS_LIMIT`] of `kids`, each cut to [`QUOTE_LIMIT`] characters (for an
/// error's `kids` member: structured data, so only cut, not escaped), and how many there are.
pub fn capped_kids<S: AsRef<str>>(kids: &[S]) -> (Vec<String>, usize) {
    let shown = kids.iter().take(KIDS_LIMIT).map(|k| k.as_ref().chars().take(QUOTE_LIMIT).collect()).collect();
    (shown, kids.len())
}

/// `n` as f64's `Display` writes it ("5", "0.1", "1000000000000000000000", "-0", "NaN",
/// "-inf"): the shortest digits that read back as `n` (the larger one of two equally near),
/// from serde_json's writer (zmij), which the module has anyway; `Display` itself brings
/// core's float printing (`flt2dec`: 8.8 KB of the verify-only module, gzipped).
/// `tests::number_text_is_display` compares the two.
pub fn number_text(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n < 0.0 { "-inf" } else { "inf" }.into();
    }
    let sign = if n.is_sign_negative() { "-" } else { "" };
    let shortest = serde_json::Number::from_f64(n.abs()).map(|v| v.to_string()).unwrap_or_default();
    let (mantissa, exponent) = match shortest.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.trim_start_matches('+').parse::<i32>().unwrap_or(0)),
        None => (shortest.as_str(), 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = format!("{int}{frac}");
    let significant = all.trim_start_matches('0');
    // n.abs() = digits × 10^scale.
    let digits = significant.trim_end_matches('0');
    if digits.is_empty() {
        return format!("{sign}0");
    }
    let scale = exponent - frac.len() as i32 + (significant.len() - digits.len()) as i32;
    let digits: u64 = digits.parse().unwrap_or(0);
    let (digits, scale) = tie_up(n.abs(), digits, scale);
    let digits = digits.to_string();
    // Where the decimal point falls in `digits`.
    let point = digits.len() as i32 + scale;
    let mut out = String::from(sign);
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat('0').take(point.unsigned_abs() as usize));
        out.push_str(digits.trim_end_matches('0'));
    } else if point as usize >= digits.len() {
        out.push_str(&digits);
        out.extend(std::iter::repeat('0').take(point as usize - digits.len()));
    } else {
        let (int, frac) = digits.split_at(point as usize);
        out.push_str(int);
        let frac = frac.trim_end_matches('0');
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
    }
    out
}

/// Where `v` lies exactly halfway between `digits × 10^scale` and the next one up, and that
/// one reads back as `v` too, the next one up (as `Display` picks; zmij picks the even one).
fn tie_up(v: f64, digits: u64, scale: i32) -> (u64, i32) {
    let up = digits + 1;
    let reads_back = |d: u64| crate::encoding::parse_json_strict(format!("{d}e{scale}").as_bytes()).ok().and_then(|x| x.as_f64()) == Some(v);
    // The midpoint of the two is (2·digits + 1) × 10^scale / 2.
    if !reads_back(up) || !equals_half(v, 2 * digits + 1, scale) {
        return (digits, scale);
    }
    (up, scale)
}

/// Whether `v` (finite, positive) equals `odd × 10^scale / 2` exactly: both sides as big
/// integers once every negative power is moved across.
fn equals_half(v: f64, odd: u64, scale: i32) -> bool {
    let bits = v.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let (m, e) = if exponent == 0 { (bits & ((1 << 52) - 1), -1074) } else { ((bits & ((1 << 52) - 1)) | (1 << 52), exponent - 1075) };
    // m × 2^e = odd × 2^(scale - 1) × 5^scale
    let (mut left, mut right) = (Big::from(m), Big::from(odd));
    let shift = e - (scale - 1);
    if shift >= 0 { left.mul_pow(2, shift as u32) } else { right.mul_pow(2, shift.unsigned_abs()) }
    if scale >= 0 { right.mul_pow(5, scale as u32) } else { left.mul_pow(5, scale.unsigned_abs()) }
    left.0 == right.0
}

/// A little-endian base-2^32 natural number: just enough for [`equals_half`].
struct Big(Vec<u32>);

impl Big {
    fn from(v: u64) -> Big {
        Big(vec![v as u32, (v >> 32) as u32])
    }

    fn mul_pow(&mut self, base: u32, power: u32) {
        for _ in 0..power {
            let mut carry = 0u64;
            for limb in &mut self.0 {
                let product = u64::from(*limb) * u64::from(base) + carry;
                *limb = product as u32;
                carry = product >> 32;
            }
            if carry > 0 {
                self.0.push(carry as u32);
            }
        }
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    /// Bit patterns at random (every exponent), fractions of a thousand, powers of ten and
    /// their halves, the extremes, and ties (a 17th digit of 5 exactly).
    #[test]
    fn number_text_is_display() {
        let mut next = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut values = vec![0.0, -0.0, 1.0, -1.0, 0.5, 5.0, 0.1, 1e21, 1e22, 1e-7, 123456789.0, f64::MAX, f64::MIN, f64::MIN_POSITIVE, 5e-324, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 9_007_199_254_740_991.0, 86400.0 * 365.25, f64::from_bits(0x43179085685d83c9)];
        for i in -330..330 {
            values.push(10f64.powi(i));
            values.push(1.5 * 10f64.powi(i));
        }
        for _ in 0..200_000 {
            let bits = next();
            values.push(f64::from_bits(bits));
            values.push((bits % 1_000_000_000) as f64 / 1000.0);
            // Quarters near 2^51..2^53, where the 17th digit ties.
            values.push(((1u64 << 50) + (bits >> 14)) as f64 / 4.0 * if bits & 1 == 0 { 1.0 } else { 4.0 });
        }
        for n in values {
            assert_eq!(super::number_text(n), format!("{n}"), "{:#x}", n.to_bits());
        }
    }


    use super::*;

    #[test]
    fn escapes_and_cuts() {
        assert_eq!(quoted("kid-1"), "\"kid-1\"");
        assert_eq!(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quoted("x\n\u{1b}[31mred"), "\"x\\n\\u001b[31mred\"");
        assert_eq!(quoted("\u{2028}\u{202e}\u{9b}\u{7f}"), "\"\\u2028\\u202e\\u009b\\u007f\"");
        assert_eq!(quoted("é€😀"), "\"é€😀\"");
        let long = "k".repeat(10_000);
        assert_eq!(quoted(&long), format!("\"{}\"…(10000 characters)", "k".repeat(64)));
        assert_eq!(quoted(&"k".repeat(64)), format!("\"{}\"", "k".repeat(64)));
    }

    #[test]
    fn json_text_is_made_safe() {
        let text = "{\"a\":\"\u{9b}\u{2028}x\"}";
        let safe = safe_json_text(text, None);
        assert_eq!(safe, "{\"a\":\"\\u009b\\u2028x\"}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&safe).unwrap()["a"], "\u{9b}\u{2028}x");
        assert_eq!(safe_json_text("[1,2,3]", Some(3)), "[1,…(7 characters)");
        assert_eq!(safe_json_text("{\n  \"a\": 1\n}", None), "{\n  \"a\": 1\n}");
    }

    #[test]
    fn lists_are_capped() {
        let kids: Vec<String> = (0..5000).map(|i| format!("k{i}")).collect();
        let text = quoted_list(&kids);
        assert!(text.starts_with("[\"k0\", \"k1\""));
        assert!(text.ends_with(", \"k19\", and 4980 more]"), "{text}");
        assert_eq!(quoted_list::<&str>(&[]), "[]");
        let (shown, total) = capped_kids(&kids);
        assert_eq!((shown.len(), total), (20, 5000));
    }
}
