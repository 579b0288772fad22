//! Absolute `http:`/`https:` URIs compared as RFC 9449 §4.3 (point 9) asks for `htu`: without
//! query and fragment, after the syntax-based normalisation of RFC 3986 §6.2.2 (case,
//! percent-encoding, dot segments) and the scheme-based one of §6.2.3 (default port, empty
//! path). A small splitter, not a URL parser: the `url` crate would cost the wasm module more
//! than every rule here.

/// Longest URI accepted (the `url` option; an `htu` is bounded by the proof's length).
pub const MAX_URI_LENGTH: usize = 8192;

/// `uri` normalised (`https://example.com/path`), or why it is not an absolute http(s) URI.
pub fn normalize(uri: &str) -> Result<String, &'static str> {
    if uri.len() > MAX_URI_LENGTH {
        return Err("is longer than 8192 characters");
    }
    if uri.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err("contains spaces or control characters");
    }
    let (scheme, rest) = uri.split_once(':').ok_or("is not an absolute URI")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err("is not an http: or https: URI"),
    };
    let rest = rest.strip_prefix("//").ok_or("has no authority (//host)")?;
    // Query and fragment are not compared.
    let rest = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.contains('@') {
        return Err("has user information");
    }
    let (host, port) = split_port(authority)?;
    let host = normalize_host(host)?;
    let port = match port {
        None | Some("") => None,
        Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) && digits.len() <= 5 => match digits.parse::<u32>() {
            Ok(port) if port == default_port => None,
            Ok(port) if port <= 65535 => Some(port),
            _ => return Err("has a port out of range"),
        },
        Some(_) => return Err("has an invalid port"),
    };
    let path = normalize_path(path)?;
    Ok(match port {
        Some(port) => format!("{scheme}://{host}:{port}{path}"),
        None => format!("{scheme}://{host}{path}"),
    })
}

/// `host[:port]`, with an IPv6 literal in brackets.
fn split_port(authority: &str) -> Result<(&str, Option<&str>), &'static str> {
    if authority.starts_with('[') {
        let end = authority.find(']').ok_or("has an unclosed IPv6 literal")?;
        let (host, after) = authority.split_at(end + 1);
        return match after {
            "" => Ok((host, None)),
            _ => after.strip_prefix(':').map(|port| (host, Some(port))).ok_or("has text after its IPv6 literal"),
        };
    }
    Ok(match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

fn normalize_host(host: &str) -> Result<String, &'static str> {
    if host.is_empty() {
        return Err("has no host");
    }
    if let Some(literal) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        if literal.is_empty() || !literal.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') {
            return Err("has an invalid IPv6 literal");
        }
        return Ok(host.to_ascii_lowercase());
    }
    // A reg-name or IPv4 address (RFC 3986 §3.2.2); internationalised names come punycoded.
    if !host.bytes().all(|b| is_unreserved(b) || is_sub_delim(b) || b == b'%') {
        return Err("has characters a host name cannot have");
    }
    Ok(percent_normalize(host)?.to_ascii_lowercase())
}

fn normalize_path(path: &str) -> Result<String, &'static str> {
    if path.is_empty() {
        return Ok("/".to_owned());
    }
    Ok(remove_dot_segments(&percent_normalize(path)?))
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn is_sub_delim(b: u8) -> bool {
    matches!(b, b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=')
}

/// RFC 3986 §6.2.2.1–2: percent-encoded unreserved characters decoded, the others' hex digits
/// upper-cased. A `%` not followed by two hex digits is an error.
fn percent_normalize(text: &str) -> Result<String, &'static str> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            let next = text[i..].find('%').map_or(text.len(), |n| i + n);
            out.push_str(&text[i..next]);
            i = next;
            continue;
        }
        let hex = bytes.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit)).ok_or("has a malformed percent-encoding")?;
        let value = u8::from_str_radix(std::str::from_utf8(hex).map_err(|_| "has a malformed percent-encoding")?, 16).map_err(|_| "has a malformed percent-encoding")?;
        if is_unreserved(value) {
            out.push(value as char);
        } else {
            out.push('%');
            out.push_str(&std::str::from_utf8(hex).unwrap_or_default().to_ascii_uppercase());
        }
        i += 3;
    }
    Ok(out)
}

/// RFC 3986 §5.2.4, on a path that starts with `/`.
fn remove_dot_segments(path: &str) -> String {
    let mut output: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." => {
                if last {
                    output.push("");
                }
            }
            ".." => {
                output.pop();
                if last {
                    output.push("");
                }
            }
            other => output.push(other),
        }
    }
    format!("/{}", output.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_port_query_fragment_and_path() {
        for (input, expected) in [
            ("https://server.example.com/token", "https://server.example.com/token"),
            ("HTTPS://Server.Example.COM/token", "https://server.example.com/token"),
            ("https://server.example.com:443/token?x=1#f", "https://server.example.com/token"),
            ("http://server.example.com:80", "http://server.example.com/"),
            ("http://server.example.com:", "http://server.example.com/"),
            ("http://server.example.com:8080/a", "http://server.example.com:8080/a"),
            ("https://server.example.com:0443/a", "https://server.example.com/a"),
            ("https://server.example.com?q", "https://server.example.com/"),
            ("https://server.example.com/a/./b/../c", "https://server.example.com/a/c"),
            ("https://server.example.com/%7euser/%2f", "https://server.example.com/~user/%2F"),
            ("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"),
            ("https://[::1]:8443/x", "https://[::1]:8443/x"),
        ] {
            assert_eq!(normalize(input).as_deref(), Ok(expected), "{input}");
        }
    }

    #[test]
    fn refuses_what_is_not_an_absolute_http_uri() {
        for input in [
            "", "/token", "server.example.com/token", "ftp://server.example.com/", "https:/x", "https:///x",
            "https://user@server.example.com/", "https://server.example.com:99999/", "https://server.example.com:8a/",
            "https://server example.com/", "https://server.example.com/a b", "https://[::1/", "https://[::1]x/",
            "https://server.example.com/%zz", "https://serv\u{e9}r.example/", "https://\n/",
        ] {
            assert!(normalize(input).is_err(), "{input:?}");
        }
        assert!(normalize(&format!("https://a.example/{}", "a".repeat(MAX_URI_LENGTH))).is_err());
    }

    #[test]
    fn normalising_is_idempotent_and_ignores_case_port_query_fragment() {
        // Generated URIs from URL-ish pieces: normalise(normalise(u)) == normalise(u), and the
        // spellings RFC 9449 calls equal normalise the same.
        let pieces = ["a", "B", "/", ".", "..", "%2e", "%2F", "%7E", "%41", "~", "-", ":", "@", "!", "%", "?", "#", "x=1", "[", "]"];
        let mut below = crate::test_rng::below(0x9e37_79b9_7f4a_7c15);
        let mut next = |range: usize| below(range as u64) as usize;
        for _ in 0..5000 {
            let tail: String = (0..next(8)).map(|_| pieces[next(pieces.len())]).collect();
            let host = ["rs.example", "RS.Example", "[::1]", "10.0.0.1", "h%41st"][next(5)];
            let port = ["", ":443", ":8443", ":", ":0443"][next(5)];
            let scheme = ["https", "HTTPS", "http"][next(3)];
            let uri = format!("{scheme}://{host}{port}/{tail}");
            if let Ok(normal) = normalize(&uri) {
                assert_eq!(normalize(&normal).as_deref(), Ok(normal.as_str()), "{uri}");
                let with_extras = format!("{}?q=1#f", uri.split(['?', '#']).next().unwrap_or_default());
                assert_eq!(normalize(&with_extras), Ok(normal.clone()), "{uri}");
                let shouted = format!("{}://{}{port}/{tail}", scheme.to_ascii_uppercase(), host.to_ascii_uppercase());
                assert_eq!(normalize(&shouted), Ok(normal), "{uri}");
            }
        }
    }

    #[test]
    fn keeps_apart_what_differs() {
        let base = normalize("https://server.example.com/token").unwrap();
        for other in [
            "http://server.example.com/token", "https://server.example.com/token/", "https://server.example.com/Token",
            "https://server.example.com:8443/token", "https://other.example.com/token", "https://server.example.com/",
            "https://server.example.com/token%2F",
        ] {
            assert_ne!(normalize(other).unwrap(), base, "{other}");
        }
    }
}
