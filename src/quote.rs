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
    let mut count = 0;
    for c in json.chars() {
        if limit == Some(count) {
            let _ = write!(out, "…({} characters)", json.chars().count());
            return out;
        }
        count += 1;
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

#[cfg(test)]
mod tests {
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
