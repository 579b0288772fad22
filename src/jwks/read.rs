//! JWKS text to a [`KeySet`] in one pass: each member of `"keys"` is read (as strictly as
//! [`crate::encoding::parse_json_strict`], into a view that borrows from the text), checked as
//! a key, and dropped before the next is read, so a large set never exists as a
//! `serde_json::Value` tree. Errors and their order are those of
//! [`KeySet::parse_str_bounded`] over a whole parsed tree: JSON errors first (same messages and
//! positions: the same parser reads the same text), then the set's shape, then `maxKeys`.

use super::{lint_set, KeySet};
use crate::diagnostics::Diagnostic;
use crate::encoding::StrictVisitor;
use crate::error::{JoseError, Result};
use crate::jwk::{parse_element, Element, Jwk, KeyView, ParseOptions, Raw};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// The `"keys"` array: its keys (until there were more than `max_keys`) and how many it had.
struct Keys {
    parsed: Vec<Jwk>,
    diagnostics: Vec<Diagnostic>,
    count: usize,
}

pub(super) fn parse_text(text: &str, options: ParseOptions, max_keys: usize) -> Result<KeySet> {
    let top = crate::json_parse::parse(text.as_bytes(), |parser| Reader { mode: Mode::Top, options, max_keys }.deserialize(parser))
        .map_err(|why| JoseError::jwks_invalid(format!("not valid JSON: {why}")))?;
    let Read::Top { members, keys } = top else {
        return Err(JoseError::jwks_invalid("expected a JWK Set {\"keys\": [...]} or a single JWK object"));
    };
    if let Some(Keys { parsed, diagnostics, count }) = keys {
        if count > max_keys {
            return Err(JoseError::jwks_invalid(format!("the set has {count} keys, more than maxKeys ({max_keys})")));
        }
        let mut diagnostics = diagnostics;
        lint_set(&parsed, true, &mut diagnostics);
        return Ok(KeySet { keys: parsed, diagnostics, issuer: None });
    }
    // No array of keys: the tree-based rules decide (a single JWK, or the shape errors).
    KeySet::parse_value(&Value::Object(members), options)
}

/// What a [`Reader`] reads a value as. One visitor type for every level keeps the wasm
/// module small: serde_json's parser is compiled once per visitor type.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// The whole text.
    Top,
    /// The value of the top-level `"keys"` member.
    Keys,
    /// A member of the keys array.
    Element,
    /// A member name or value of a key.
    Member,
}

#[derive(Clone, Copy)]
struct Reader {
    mode: Mode,
    options: ParseOptions,
    max_keys: usize,
}

enum Read<'de> {
    /// A top-level object; `keys` is its `"keys"` member when that is an array (already checked).
    Top { members: Map<String, Value>, keys: Option<Keys> },
    Keys(Keys),
    Object(KeyView<'de>),
    Str(Cow<'de, str>),
    Value(Value),
}

impl Reader {
    fn at(self, mode: Mode) -> Reader {
        Reader { mode, ..self }
    }
}

impl<'de> Read<'de> {
    fn into_value(self) -> Value {
        match self {
            Read::Str(s) => Value::String(s.into_owned()),
            Read::Value(v) => v,
            // Only strict reads of other values reach here (see `Reader::visit_map`/`visit_seq`).
            Read::Top { .. } | Read::Keys(_) | Read::Object(_) => Value::Null,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Reader {
    type Value = Read<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Read<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Scalars are read by [`StrictVisitor`] (numbers exactly as everywhere else).
macro_rules! strict {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method<E: de::Error>(self, $($arg: $ty),*) -> std::result::Result<Read<'de>, E> {
            StrictVisitor.$method($($arg),*).map(Read::Value)
        })*
    };
}

fn duplicate<E: de::Error>(name: &str) -> E {
    de::Error::custom(format!("duplicate member name {}", crate::quote::quoted(name)))
}

impl<'de> Visitor<'de> for Reader {
    type Value = Read<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    strict! {
        visit_bool(v: bool);
        visit_i64(v: i64);
        visit_u64(v: u64);
        visit_f64(v: f64);
        visit_unit();
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Read<'de>, E> {
        Ok(Read::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Read<'de>, E> {
        Ok(Read::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Read<'de>, E> {
        Ok(Read::Str(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Read<'de>, A::Error> {
        if self.mode != Mode::Keys {
            return StrictVisitor.visit_seq(seq).map(Read::Value);
        }
        let mut keys = Keys { parsed: Vec::new(), diagnostics: Vec::new(), count: 0 };
        while let Some(item) = seq.next_element_seed(self.at(Mode::Element))? {
            if keys.count < self.max_keys {
                let element = match item {
                    Read::Object(view) => Element::Object(view),
                    other => Element::Other(other.into_value()),
                };
                keys.parsed.push(parse_element(keys.count, &element, self.options, &mut keys.diagnostics));
            } else if keys.count == self.max_keys {
                // Over maxKeys: the set is refused once the text has been read to its end.
                keys.parsed = Vec::new();
                keys.diagnostics = Vec::new();
            }
            keys.count += 1;
        }
        // A set lives as long as it is used: give back the spare capacity of the doubling.
        keys.parsed.shrink_to_fit();
        Ok(Read::Keys(keys))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Read<'de>, A::Error> {
        match self.mode {
            Mode::Top => {
                let mut members = Map::new();
                let mut keys = None;
                while let Some(name) = map.next_key::<String>()? {
                    if members.contains_key(&name) || (name == "keys" && keys.is_some()) {
                        return Err(duplicate(&name));
                    }
                    let at = if name == "keys" { Mode::Keys } else { Mode::Member };
                    match map.next_value_seed(self.at(at))? {
                        Read::Keys(parsed) => keys = Some(parsed),
                        other => {
                            members.insert(name, other.into_value());
                        }
                    }
                }
                Ok(Read::Top { members, keys })
            }
            Mode::Element => {
                let mut members: Vec<(Cow<'de, str>, Raw<'de>)> = Vec::with_capacity(8);
                // A sorted set past a few names: a key with 100,000 members stays O(n log n).
                let mut names = crate::json_view::Names::new();
                while let Some(name) = map.next_key_seed(self.at(Mode::Member))? {
                    let Read::Str(name) = name else { return Err(de::Error::custom("a member name is a string")) };
                    if names.contains(&name) {
                        return Err(duplicate(&name));
                    }
                    names.push(name.clone());
                    let value = match map.next_value_seed(self.at(Mode::Member))? {
                        Read::Str(s) => Raw::Str(s),
                        other => Raw::Value(other.into_value()),
                    };
                    members.push((name, value));
                }
                Ok(Read::Object(KeyView::new(members)))
            }
            Mode::Keys | Mode::Member => StrictVisitor.visit_map(map).map(Read::Value),
        }
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

    /// One key with 200,000 members (a duplicate at the end): refused in well under a second
    /// (a scan per member was 2·10^10 comparisons).
    #[test]
    fn a_key_with_many_members_is_read_in_linear_time() {
        let members: Vec<String> = (0..200_000).map(|i| format!("\"m{i}\":0")).collect();
        let text = format!("{{\"keys\":[{{\"kty\":\"oct\",{},\"m7\":1}}]}}", members.join(","));
        let started = std::time::Instant::now();
        let err = parse_text(&text, ParseOptions::default(), 10).unwrap_err();
        assert!(err.message.contains("duplicate member name \"m7\""), "{}", err.message);
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }

    /// One key whose `key_ops` lists 200,000 values (a duplicate at the end): `invalid_key` in
    /// well under a second (comparing each value with those before it was 2·10^10 comparisons).
    #[test]
    fn a_key_with_many_key_ops_is_read_in_linear_time() {
        let ops: Vec<String> = (0..200_000).map(|i| format!("\"o{i}\"")).collect();
        let text = format!("{{\"keys\":[{{\"kty\":\"oct\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA\",\"key_ops\":[{},\"o7\"]}}]}}", ops.join(","));
        let started = std::time::Instant::now();
        let set = parse_text(&text, ParseOptions { allow_private: true, allow_weak_keys: false }, 10).unwrap();
        assert!(set.diagnostics.iter().any(|d| d.code == "invalid_key" && d.message.contains("lists \"o7\" twice")), "{:?}", set.diagnostics);
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
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
