//! Text from untrusted input, made safe to put in a message: JSON-quoted (control characters,
//! U+2028/U+2029 escaped) and cut to [`MAX_QUOTED_CHARS`] characters.

pub const MAX_QUOTED_CHARS: usize = 64;

/// `text` as a JSON string literal of at most [`MAX_QUOTED_CHARS`] characters of content;
/// longer text ends in `…` inside the quotes.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_QUOTED_CHARS * 2) + 2);
    out.push('"');
    for (i, c) in text.chars().enumerate() {
        if i == MAX_QUOTED_CHARS {
            out.push('…');
            break;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
