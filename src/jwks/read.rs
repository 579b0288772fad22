//! JWKS text to a [`KeySet`] in one pass: each member of `"keys"` is read (as strictly as
//! [`crate::encoding::parse_json_strict`], into a view that borrows from the text), checked as
//! a key, and dropped before the next is read, so a large set never exists as a
//! `serde_json::Value` tree. Errors and their order are those of
//! [`KeySet::parse_str_bounded`] over a whole parsed tree: JSON errors first (same messages and
//! positions: the same parser reads the same text), then the set's shape, then `maxKeys`.

use super::{lint_set, KeySet};
use crate::diagnostics::Diagnostic;
use crate::encoding::{StrictSeed, StrictVisitor};
use crate::error::{JoseError, Result};
use crate::jwk::{parse_element, ElementSeed, Jwk, ParseOptions};
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
        while let Some(item) = seq.next_element_seed(ElementSeed)? {
            if keys.count < self.max_keys {
                keys.parsed.push(parse_element(keys.count, &item, self.options, &mut keys.diagnostics));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::parse_json_strict;

    /// What the reader replaced: the whole text as a strict `Value` tree, then the set rules.
    fn reference(text: &str, options: ParseOptions, max_keys: usize) -> Result<KeySet> {
        let value = parse_json_strict(text.as_bytes()).map_err(|why| JoseError::jwks_invalid(format!("not valid JSON: {why}")))?;
        if let Some(Value::Array(keys)) = value.get("keys") {
            if keys.len() > max_keys {
                return Err(JoseError::jwks_invalid(format!("the set has {} keys, more than maxKeys ({max_keys})", keys.len())));
            }
        }
        KeySet::parse_value(&value, options)
    }

    fn outcome(result: Result<KeySet>) -> String {
        match result {
            Ok(set) => {
                let public: Vec<String> = set.keys.iter().map(Jwk::public_jwk).collect();
                format!("{:?} {public:?}", set)
            }
            Err(err) => format!("error {} {}", err.code(), err.message),
        }
    }

    #[track_caller]
    fn assert_same(text: &str, options: ParseOptions, max_keys: usize) {
        assert_eq!(outcome(parse_text(text, options, max_keys)), outcome(reference(text, options, max_keys)), "{text}");
    }

    const EC: &str = r#"{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YilurMN2IZ8KG1BDXUsH8kLwH8vL4lXWHM","use":"sig","kid":"1"}"#;
    const OFF_CURVE: &str = r#"{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YilurMN2IZ8KG1BDXUsH8kLwH8vL4lXWHQ","alg":"ES256","kid":"2"}"#;
    const OKP: &str = r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
    const OCT: &str = r#"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow","kid":"h\u0041","alg":"HS256"}"#;
    const ODD: &str = r#"{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YilurMN2IZ8KG1BDXUsH8kLwH8vL4lXWHM","kid":"1","key_ops":["verify","encrypt"],"d":"x","x5t":"AAAA","ext":{"a":[1,2.5,null,true]},"n":7}"#;

    fn sets() -> Vec<String> {
        let keys = [EC, OFF_CURVE, OKP, OCT, ODD];
        vec![
            format!(r#"{{"keys":[{}]}}"#, keys.join(",")),
            format!(r#"{{"keys":[{EC},{EC},1,null,"x",[],{{}},{OKP}],"other":{{"keys":1}}}}"#),
            format!(r#"{{"note":"first","keys":[{OCT}],"kty":"EC"}}"#),
            EC.to_owned(),
            format!(r#"{{"keys":{EC}}}"#),
            r#"{"keys":[{"kty":"EC","kty":"EC"}]}"#.to_owned(),
            r#"{"keys":[{"kty":"EC","ext":{"a":1,"a":2}}]}"#.to_owned(),
            format!(r#"{{"keys":[{EC}],"keys":[]}}"#),
            format!(r#"{{"keys":1,"keys":[{EC}]}}"#),
            r#"{"keys":"none","kty":"oct"}"#.to_owned(),
            r#"[{"kty":"EC"}]"#.to_owned(),
            r#"{"kid":"x"}"#.to_owned(),
            r#"{"keys":[{"kty":"EC","kid":7,"alg":["ES256"],"use":null,"kty\u0000":"x","x":1e400}]}"#.to_owned(),
            format!(r#"  {{ "keys" : [ {EC} , {OKP} ] }}  "#),
        ]
    }

    /// The reader gives exactly the tree's result (keys, diagnostics, public JWKs, or the error
    /// and its message with its position) for these sets, every prefix of them, every one-byte
    /// change to a JSON delimiter, and every `maxKeys` up to their size.
    #[test]
    fn same_result_as_the_tree_for_every_prefix_and_one_byte_change() {
        let options = [ParseOptions::default(), ParseOptions { allow_private: true, allow_weak_keys: false }];
        let mut checked = 0;
        for text in sets() {
            for max_keys in 0..10 {
                assert_same(&text, options[max_keys % 2], max_keys);
            }
            assert_same(&text, options[0], usize::MAX);
            for end in 0..text.len() {
                if let Some(prefix) = text.get(..end) {
                    assert_same(prefix, options[end % 2], 5);
                    checked += 1;
                }
            }
            for at in 0..text.len() {
                for byte in [b'"', b'}', b',', b'\\'].into_iter().skip(at % 2).step_by(2) {
                    let mut bytes = text.clone().into_bytes();
                    bytes[at] = byte;
                    if let Ok(changed) = String::from_utf8(bytes) {
                        assert_same(&changed, options[at % 2], 3);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 5_000, "{checked}");
    }
}
