//! Strict decoders for untrusted input: base64url without padding (RFC 7515 §2) and JSON
//! that refuses duplicate member names (RFC 7515 §5.2 leaves them to the parser; we refuse).

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

// Base64 by hand: the base64 crate's general-purpose engine is ~6 KB of the wasm modules for
// the three things needed here. `tests::base64_is_the_base64_crate` holds these to that crate's
// URL_SAFE/RequireNone and STANDARD/Indifferent engines (no trailing bits), on random texts.

/// Marks a byte outside the alphabet in [`Alphabet`] (a sextet is below 64).
const NOT_BASE64: u8 = 0xff;

/// Each byte's 6-bit value in one base64 alphabet, [`NOT_BASE64`] for the rest: a table lookup
/// per character, four characters per step, is what a token's decoding costs on the hot path.
struct Alphabet([u8; 256]);

impl Alphabet {
    const fn new(c62: u8, c63: u8) -> Self {
        let mut table = [NOT_BASE64; 256];
        let mut i = 0;
        while i < 26 {
            table[b'A' as usize + i] = i as u8;
            table[b'a' as usize + i] = 26 + i as u8;
            i += 1;
        }
        let mut d = 0;
        while d < 10 {
            table[b'0' as usize + d] = 52 + d as u8;
            d += 1;
        }
        table[c62 as usize] = 62;
        table[c63 as usize] = 63;
        Alphabet(table)
    }

    fn sextet(&self, c: u8) -> u32 {
        u32::from(self.0[usize::from(c)])
    }
}

static URL_SAFE: Alphabet = Alphabet::new(b'-', b'_');
static STANDARD: Alphabet = Alphabet::new(b'+', b'/');

/// Unpadded base64 text: `None` for a character outside the alphabet, a length of 4n + 1, or
/// trailing bits that are not zero.
fn decode_unpadded(text: &[u8], alphabet: &Alphabet) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    // Every looked-up value ORed together: a character outside the alphabet sets bits above
    // the sixth, checked once at the end.
    let mut seen = 0u32;
    let mut quads = text.chunks_exact(4);
    for quad in &mut quads {
        let [a, b, c, d] = [quad[0], quad[1], quad[2], quad[3]].map(|ch| alphabet.sextet(ch));
        seen |= a | b | c | d;
        let bits = a << 18 | b << 12 | c << 6 | d;
        out.extend_from_slice(&[(bits >> 16) as u8, (bits >> 8) as u8, bits as u8]);
    }
    let mut bits = 0u32;
    for &ch in quads.remainder() {
        let sextet = alphabet.sextet(ch);
        seen |= sextet;
        bits = bits << 6 | sextet;
    }
    if seen > 63 {
        return None;
    }
    match quads.remainder().len() {
        0 => {}
        3 if bits & 0b11 == 0 => out.extend_from_slice(&[(bits >> 10) as u8, (bits >> 2) as u8]),
        2 if bits & 0b1111 == 0 => out.push((bits >> 4) as u8),
        _ => return None,
    }
    Some(out)
}

/// Decodes base64url with no padding, no whitespace, no `+` or `/`, and canonical trailing bits.
pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    decode_unpadded(text.as_bytes(), &URL_SAFE)
}

/// Standard base64 (`+`, `/`) with its padding optional: at most as many `=` as canonical.
pub fn b64_standard_decode(text: &str) -> Option<Vec<u8>> {
    let unpadded = text.trim_end_matches('=');
    let padding = text.len() - unpadded.len();
    let canonical = (4 - unpadded.len() % 4) % 4;
    if padding > canonical {
        return None;
    }
    decode_unpadded(unpadded.as_bytes(), &STANDARD)
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
