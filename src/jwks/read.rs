//! JWKS text to a [`KeySet`] in one pass: each member of `"keys"` is parsed as JSON (strictly,
//! by [`crate::encoding`]'s visitor), checked as a key, and dropped before the next is read, so
//! a large set never exists as a `serde_json::Value` tree. Errors and their order are those of
//! [`KeySet::parse_str_bounded`] over a whole parsed tree: JSON errors first (same messages and
//! positions: the same parser reads the same text), then the set's shape, then `maxKeys`.

use super::{lint_set, KeySet};
use crate::diagnostics::Diagnostic;
use crate::encoding::{StrictSeed, StrictVisitor};
use crate::error::{JoseError, Result};
use crate::jwk::{parse_jwk, Jwk, ParseOptions};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// What the top level of the text turned out to be.
enum Top {
    /// An object; `keys` is its `"keys"` member when that is an array (already parsed).
    Object { members: Map<String, Value>, keys: Option<Keys> },
    NotObject,
}

/// The `"keys"` array: its keys (until there were more than `max_keys`) and how many it had.
struct Keys {
    parsed: Vec<Jwk>,
    diagnostics: Vec<Diagnostic>,
    count: usize,
}

pub(super) fn parse_text(text: &str, options: ParseOptions, max_keys: usize) -> Result<KeySet> {
    let mut deserializer = serde_json::Deserializer::from_slice(text.as_bytes());
    let top = deserializer
        .deserialize_any(TopVisitor { options, max_keys })
        .and_then(|top| deserializer.end().map(|()| top))
        .map_err(|why| JoseError::jwks_invalid(format!("not valid JSON: {why}")))?;
    let Top::Object { members, keys } = top else {
        return Err(JoseError::jwks_invalid("expected a JWK Set {\"keys\": [...]} or a single JWK object"));
    };
    if let Some(Keys { parsed, diagnostics, count }) = keys {
        if count > max_keys {
            return Err(JoseError::jwks_invalid(format!("the set has {count} keys, more than maxKeys ({max_keys})")));
        }
        return Ok(finish(parsed, diagnostics, true));
    }
    // No array of keys: the tree-based rules decide (a single JWK, or the shape errors).
    KeySet::parse_value(&Value::Object(members), options)
}

fn finish(keys: Vec<Jwk>, mut diagnostics: Vec<Diagnostic>, in_a_set: bool) -> KeySet {
    lint_set(&keys, in_a_set, &mut diagnostics);
    KeySet { keys, diagnostics, issuer: None }
}

struct TopVisitor {
    options: ParseOptions,
    max_keys: usize,
}

/// Every other JSON value at the top level: read strictly, then reported as not an object.
macro_rules! not_an_object {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method<E: de::Error>(self, $($arg: $ty),*) -> std::result::Result<Top, E> {
            StrictVisitor.$method($($arg),*).map(|_| Top::NotObject)
        })*
    };
}

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    not_an_object! {
        visit_bool(v: bool);
        visit_i64(v: i64);
        visit_u64(v: u64);
        visit_f64(v: f64);
        visit_str(v: &str);
        visit_string(v: String);
        visit_unit();
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Top, A::Error> {
        StrictVisitor.visit_seq(seq).map(|_| Top::NotObject)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Top, A::Error> {
        let mut members = Map::new();
        let mut keys = None;
        while let Some(name) = map.next_key::<String>()? {
            if members.contains_key(&name) || (name == "keys" && keys.is_some()) {
                return Err(de::Error::custom(format!("duplicate member name {}", crate::quote::quoted(&name))));
            }
            if name == "keys" {
                match map.next_value_seed(KeysSeed { options: self.options, max_keys: self.max_keys })? {
                    KeysValue::Array(parsed) => keys = Some(parsed),
                    KeysValue::Other(value) => {
                        members.insert(name, value);
                    }
                }
            } else {
                let value = map.next_value_seed(StrictSeed)?;
                members.insert(name, value);
            }
        }
        Ok(Top::Object { members, keys })
    }
}

enum KeysValue {
    Array(Keys),
    Other(Value),
}

struct KeysSeed {
    options: ParseOptions,
    max_keys: usize,
}

impl<'de> DeserializeSeed<'de> for KeysSeed {
    type Value = KeysValue;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<KeysValue, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// A `"keys"` member that is not an array: read strictly and kept as a value.
macro_rules! other_keys {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method<E: de::Error>(self, $($arg: $ty),*) -> std::result::Result<KeysValue, E> {
            StrictVisitor.$method($($arg),*).map(KeysValue::Other)
        })*
    };
}

impl<'de> Visitor<'de> for KeysSeed {
    type Value = KeysValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    other_keys! {
        visit_bool(v: bool);
        visit_i64(v: i64);
        visit_u64(v: u64);
        visit_f64(v: f64);
        visit_str(v: &str);
        visit_string(v: String);
        visit_unit();
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<KeysValue, A::Error> {
        StrictVisitor.visit_map(map).map(KeysValue::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<KeysValue, A::Error> {
        let mut keys = Keys { parsed: Vec::new(), diagnostics: Vec::new(), count: 0 };
        while let Some(item) = seq.next_element_seed(StrictSeed)? {
            if keys.count < self.max_keys {
                keys.parsed.push(parse_jwk(keys.count, &item, self.options, &mut keys.diagnostics));
            } else if keys.count == self.max_keys {
                // Over maxKeys: the set is refused once the text has been read to its end.
                keys.parsed = Vec::new();
                keys.diagnostics = Vec::new();
            }
            keys.count += 1;
        }
        // A set lives as long as it is used: give back the spare capacity of the doubling.
        keys.parsed.shrink_to_fit();
        Ok(KeysValue::Array(keys))
    }
}
