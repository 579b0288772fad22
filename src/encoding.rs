//! Strict decoders for untrusted input: base64url without padding (RFC 7515 §2) and JSON
//! that refuses duplicate member names (RFC 7515 §5.2 leaves them to the parser; we refuse).

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

// Base64 by hand: the base64 crate's general-purpose engine is ~6 KB of the wasm modules for
// the three things needed here. `tests::base64_is_the_base64_crate` holds these to that crate's
// URL_SAFE/RequireNone and STANDARD/Indifferent engines (no trailing bits), on random texts.

/// The 6-bit value of `c` in the base64 alphabet whose last two characters are `c62`, `c63`.
fn sextet(c: u8, c62: u8, c63: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        _ if c == c62 => Some(62),
        _ if c == c63 => Some(63),
        _ => None,
    }
}

/// Unpadded base64 text: `None` for a character outside the alphabet, a length of 4n + 1, or
/// trailing bits that are not zero.
fn decode_unpadded(text: &[u8], c62: u8, c63: u8) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    for chunk in text.chunks(4) {
        let mut bits = 0u32;
        for &c in chunk {
            bits = bits << 6 | sextet(c, c62, c63)?;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&[(bits >> 16) as u8, (bits >> 8) as u8, bits as u8]),
            3 if bits & 0b11 == 0 => out.extend_from_slice(&[(bits >> 10) as u8, (bits >> 2) as u8]),
            2 if bits & 0b1111 == 0 => out.push((bits >> 4) as u8),
            _ => return None,
        }
    }
    Some(out)
}

/// Decodes base64url with no padding, no whitespace, no `+` or `/`, and canonical trailing bits.
pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    decode_unpadded(text.as_bytes(), b'-', b'_')
}

/// Standard base64 (`+`, `/`) with its padding optional: at most as many `=` as canonical.
pub fn b64_standard_decode(text: &str) -> Option<Vec<u8>> {
    let unpadded = text.trim_end_matches('=');
    let padding = text.len() - unpadded.len();
    let canonical = (4 - unpadded.len() % 4) % 4;
    if padding > canonical {
        return None;
    }
    decode_unpadded(unpadded.as_bytes(), b'+', b'/')
}

pub fn b64url_encode(bytes: &[u8]) -> String {
    encode(bytes, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}

/// Standard base64 with padding (the fuzz harness writes `x5c` entries with it).
pub fn b64_standard_encode(bytes: &[u8]) -> String {
    let mut out = encode(bytes, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    while out.len() % 4 != 0 {
        out.push('=');
    }
    out
}

fn encode(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let bits = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[(bits >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Parses JSON text, failing on duplicate member names at any depth.
pub fn parse_json_strict(bytes: &[u8]) -> Result<Value, String> {
    crate::json_parse::parse(bytes, |parser| StrictValue::deserialize_from(parser)).map_err(|e| e.to_string())
}

struct StrictValue;

impl StrictValue {
    fn deserialize_from<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

pub(crate) struct StrictSeed;

impl<'de> de::DeserializeSeed<'de> for StrictSeed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        StrictValue::deserialize_from(deserializer)
    }
}

pub(crate) struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map(Value::Number).unwrap_or(Value::Null))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictSeed)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if members.contains_key(&name) {
                return Err(de::Error::custom(format!("duplicate member name {}", crate::quote::quoted(&name))));
            }
            let value = map.next_value_seed(StrictSeed)?;
            members.insert(name, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_the_base64_crate() {
        use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
        use base64::Engine;
        const URL: GeneralPurpose = GeneralPurpose::new(
            &base64::alphabet::URL_SAFE,
            GeneralPurposeConfig::new().with_encode_padding(false).with_decode_padding_mode(DecodePaddingMode::RequireNone).with_decode_allow_trailing_bits(false),
        );
        const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent));
        let mut next = crate::test_rng::below(0x1234_5678_9abc_def1);
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_= \n.\xc3\xa9AQ";
        for round in 0..300_000 {
            // Texts: random characters (mostly the alphabet), then a few `=`.
            let len = next(14) as usize;
            let mut text: Vec<u8> = (0..len).map(|_| if next(10) < 8 { CHARS[next(52) as usize] } else { CHARS[next(CHARS.len() as u64) as usize] }).collect();
            text.extend(std::iter::repeat(b'=').take(if round % 3 == 0 { next(4) as usize } else { 0 }));
            let Ok(text) = String::from_utf8(text) else { continue };
            assert_eq!(b64url_decode(&text), URL.decode(&text).ok(), "url {text:?}");
            assert_eq!(b64_standard_decode(&text), STANDARD.decode(&text).ok(), "standard {text:?}");
            // Bytes: encoded alike, and decoded back.
            let bytes: Vec<u8> = (0..next(20)).map(|_| next(256) as u8).collect();
            let encoded = b64url_encode(&bytes);
            assert_eq!(encoded, URL.encode(&bytes));
            assert_eq!(b64_standard_encode(&bytes), base64::engine::general_purpose::STANDARD.encode(&bytes));
            assert_eq!(b64url_decode(&encoded), Some(bytes));
        }
    }

    #[test]
    fn base64url_is_strict() {
        assert_eq!(b64url_decode("AQAB"), Some(vec![1, 0, 1]));
        assert_eq!(b64url_decode("-_8"), Some(vec![0xfb, 0xff]));
        assert!(b64url_decode("AQAB=").is_none());
        assert!(b64url_decode("+/8").is_none());
        assert!(b64url_decode("AQ AB").is_none());
        assert!(b64url_decode("AR").is_none(), "non-canonical trailing bits");
        assert!(b64url_decode("A").is_none());
    }

    #[test]
    fn duplicate_members_are_refused_at_any_depth() {
        assert!(parse_json_strict(br#"{"a":1,"a":2}"#).is_err());
        assert!(parse_json_strict(br#"{"a":{"b":1,"b":1}}"#).is_err());
        assert!(parse_json_strict(br#"[{"b":1,"b":1}]"#).is_err());
        assert_eq!(parse_json_strict(br#"{"a":1,"b":[1,2]}"#).unwrap()["b"][1], 2);
        assert!(parse_json_strict(br#"{"a":1} x"#).is_err());
    }
}
