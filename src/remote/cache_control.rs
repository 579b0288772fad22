//! How long a JWKS response may be used, from its `Cache-Control` and `Age` headers
//! (RFC 9111 §5.2 and §5.1), read as a private cache reads them.

/// Directives of a `Cache-Control` value that bear on freshness.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Directives {
    /// `max-age` in seconds; `Some(0)` when it is repeated or malformed (RFC 9111 §4.2.1:
    /// such a response is to be treated as stale).
    pub max_age: Option<u64>,
    pub no_store: bool,
    pub no_cache: bool,
}

/// Parses a `Cache-Control` field value. Unknown directives (`s-maxage`, `must-revalidate`,
/// `public`, ...) are ignored.
pub fn parse(value: &str) -> Directives {
    let mut out = Directives::default();
    let mut seen_max_age = false;
    for item in split_directives(value) {
        let (name, argument) = match item.split_once('=') {
            Some((name, argument)) => (name.trim(), Some(unquote(argument.trim()))),
            None => (item.trim(), None),
        };
        if name.eq_ignore_ascii_case("max-age") {
            let parsed = argument.and_then(delta_seconds);
            out.max_age = match (seen_max_age, parsed) {
                (false, Some(seconds)) => Some(seconds),
                _ => Some(0),
            };
            seen_max_age = true;
        } else if name.eq_ignore_ascii_case("no-store") {
            out.no_store = true;
        } else if name.eq_ignore_ascii_case("no-cache") {
            out.no_cache = true;
        }
    }
    out
}

/// The response's remaining freshness in seconds, or `None` when the headers say nothing
/// about it (the caller then uses its own maximum). `no-store` and `no-cache` give 0.
pub fn freshness_seconds(cache_control: Option<&str>, age: Option<&str>) -> Option<u64> {
    let directives = parse(cache_control?);
    if directives.no_store || directives.no_cache {
        return Some(0);
    }
    let max_age = directives.max_age?;
    let age = age.and_then(|a| delta_seconds(a.trim())).unwrap_or(0);
    Some(max_age.saturating_sub(age))
}

/// Splits at commas that are not inside a quoted string.
fn split_directives(value: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                items.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&value[start..]);
    items.into_iter().filter(|item| !item.trim().is_empty()).collect()
}

fn unquote(argument: &str) -> &str {
    argument.strip_prefix('"').and_then(|a| a.strip_suffix('"')).unwrap_or(argument)
}

/// `delta-seconds` (RFC 9111 §1.2.2): digits only; values too large to hold are capped at
/// 2^31 as the RFC says.
fn delta_seconds(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    const CAP: u64 = 1 << 31;
    Some(text.parse::<u64>().map_or(CAP, |v| v.min(CAP)))
}
