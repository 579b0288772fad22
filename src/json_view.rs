//! Borrowing reads of a JSON object for the verification hot path: the names of all top-level
//! members and the values of a few wanted ones, without building a serde_json `Map`.
//! Exactly as strict as [`crate::encoding::parse_json_strict`]: the same parser, and duplicate
//! member names refused at any depth with the same message at the same position.
//!
//! [`JsonObject`] lets the header and claim rules read either form (a `Map` for the Rust API,
//! an [`ObjectView`] on the hot path).

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

/// A member's value as the rules need it.
pub enum Member<'s> {
    Str(&'s str),
    Num(f64),
    Bool(bool),
    Array(Items<'s>),
    /// null or an object.
    Other,
}

/// An array member: its length and its string items.
pub enum Items<'s> {
    Values(&'s [Value]),
    Strings(&'s [Option<Cow<'s, str>>]),
}

impl<'s> Items<'s> {
    pub fn len(&self) -> usize {
        match self {
            Items::Values(items) => items.len(),
            Items::Strings(items) => items.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each item as a string, `None` for an item of another type.
    pub fn strings(&self) -> Box<dyn Iterator<Item = Option<&'s str>> + 's> {
        match *self {
            Items::Values(items) => Box::new(items.iter().map(Value::as_str)),
            Items::Strings(items) => Box::new(items.iter().map(|i| i.as_deref())),
        }
    }
}

/// The read-only access the header and claim rules use.
pub trait JsonObject {
    fn has(&self, name: &str) -> bool;
    fn member(&self, name: &str) -> Option<Member<'_>>;

    fn str_member(&self, name: &str) -> Option<&str> {
        match self.member(name)? {
            Member::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl JsonObject for Map<String, Value> {
    fn has(&self, name: &str) -> bool {
        self.contains_key(name)
    }

    fn member(&self, name: &str) -> Option<Member<'_>> {
        Some(match self.get(name)? {
            Value::String(s) => Member::Str(s),
            Value::Number(n) => Member::Num(n.as_f64().unwrap_or(f64::NAN)),
            Value::Bool(b) => Member::Bool(*b),
            Value::Array(items) => Member::Array(Items::Values(items)),
            Value::Null | Value::Object(_) => Member::Other,
        })
    }
}

enum Captured<'a> {
    Str(Cow<'a, str>),
    Num(f64),
    Bool(bool),
    Array(Vec<Option<Cow<'a, str>>>),
    Other,
}

/// A JSON object's member names, and the values of the `wanted` ones, borrowed from the text.
pub struct ObjectView<'a> {
    wanted: &'static [&'static str],
    names: Names<'a>,
    captured: Vec<(&'static str, Captured<'a>)>,
}

impl<'a> ObjectView<'a> {
    /// `Ok(None)` for valid JSON that is not an object; `Err` carries the parser's message.
    pub fn parse(bytes: &'a [u8], wanted: &'static [&'static str]) -> Result<Option<ObjectView<'a>>, String> {
        crate::json_parse::parse(bytes, |parser| parser.deserialize_any(TopVisitor { wanted })).map_err(|e| e.to_string())
    }
}

impl JsonObject for ObjectView<'_> {
    fn has(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    fn member(&self, name: &str) -> Option<Member<'_>> {
        debug_assert!(self.wanted.contains(&name), "\"{name}\" is not captured by this view");
        let (_, value) = self.captured.iter().find(|(n, _)| *n == name)?;
        Some(match value {
            Captured::Str(s) => Member::Str(s),
            Captured::Num(n) => Member::Num(*n),
            Captured::Bool(b) => Member::Bool(*b),
            Captured::Array(items) => Member::Array(Items::Strings(items)),
            Captured::Other => Member::Other,
        })
    }
}

/// Member names seen so far in one object; a sorted set takes over from the linear scan for
/// large objects, so that a crafted payload with thousands of members stays O(n log n).
pub(crate) struct Names<'a> {
    list: Vec<Cow<'a, str>>,
    set: Option<BTreeSet<Cow<'a, str>>>,
}

const LINEAR_SCAN_MAX: usize = 16;

impl<'a> Names<'a> {
    pub(crate) fn new() -> Self {
        Names { list: Vec::with_capacity(LINEAR_SCAN_MAX), set: None }
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        match &self.set {
            Some(set) => set.contains(name),
            None => self.list.iter().any(|n| n == name),
        }
    }

    /// Adds a name the caller found not to be there yet.
    pub(crate) fn push(&mut self, name: Cow<'a, str>) {
        if self.set.is_none() && self.list.len() >= LINEAR_SCAN_MAX {
            self.set = Some(self.list.drain(..).collect());
        }
        match &mut self.set {
            Some(set) => {
                set.insert(name);
            }
            None => self.list.push(name),
        }
    }
}

struct NameSeed;

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(NameVisitor)
    }
}

struct NameVisitor;

impl<'de> Visitor<'de> for NameVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// Walks an object's members, refusing duplicate names; `value` reads each member's value.
fn walk_object<'de, A: MapAccess<'de>>(mut map: A, mut value: impl FnMut(&Cow<'de, str>, &mut A) -> Result<(), A::Error>) -> Result<Names<'de>, A::Error> {
    let mut names = Names::new();
    while let Some(name) = map.next_key_seed(NameSeed)? {
        // Checked before the value is read: the error points where the old parser's did.
        if names.contains(&name) {
            return Err(de::Error::custom(format!("duplicate member name {}", crate::quote::quoted(&name))));
        }
        value(&name, &mut map)?;
        names.push(name);
    }
    Ok(names)
}

/// Any JSON value, checked (duplicates included) and dropped.
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        walk_object(map, |_, map| map.next_value_seed(Skip)).map(drop)
    }
}

/// An array item: the string, or `None` (any other value, still checked).
struct ItemSeed;

impl<'de> DeserializeSeed<'de> for ItemSeed {
    type Value = Option<Cow<'de, str>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        match deserializer.deserialize_any(CaptureVisitor)? {
            Captured::Str(s) => Ok(Some(s)),
            _ => Ok(None),
        }
    }
}

struct CaptureSeed;

impl<'de> DeserializeSeed<'de> for CaptureSeed {
    type Value = Captured<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(CaptureVisitor)
    }
}

struct CaptureVisitor;

impl<'de> Visitor<'de> for CaptureVisitor {
    type Value = Captured<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Captured::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Captured::Num(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Captured::Num(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        // Value::from_f64 turns a non-finite number into null (serde_json never parses one).
        Ok(if v.is_finite() { Captured::Num(v) } else { Captured::Other })
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Captured::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Captured::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Captured::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(ItemSeed)? {
            items.push(item);
        }
        Ok(Captured::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        walk_object(map, |_, map| map.next_value_seed(Skip))?;
        Ok(Captured::Other)
    }
}

struct TopVisitor {
    wanted: &'static [&'static str],
}

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Option<ObjectView<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        SkipVisitor.visit_seq(seq).map(|()| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let wanted = self.wanted;
        let mut captured = Vec::with_capacity(wanted.len());
        let names = walk_object(map, |name, map| match wanted.iter().find(|w| **w == name.as_ref()) {
            Some(w) => {
                captured.push((*w, map.next_value_seed(CaptureSeed)?));
                Ok(())
            }
            None => map.next_value_seed(Skip),
        })?;
        Ok(Some(ObjectView { wanted, names, captured }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::parse_json_strict;

    const WANTED: &[&str] = &["a", "n", "list"];

    fn same_verdict(text: &str) {
        let old = parse_json_strict(text.as_bytes());
        let new = ObjectView::parse(text.as_bytes(), WANTED);
        match (&old, &new) {
            (Ok(value), Ok(view)) => assert_eq!(value.is_object(), view.is_some(), "{text}"),
            (Err(a), Err(b)) => assert_eq!(a, b, "{text}"),
            _ => panic!("{text}: {:?} vs {:?}", old.map(|_| ()), new.map(|v| v.is_some())),
        }
    }

    #[test]
    fn as_strict_as_the_value_parser() {
        for text in [
            r#"{"a":1,"a":2}"#,
            r#"{"a":{"b":1,"b":1}}"#,
            r#"{"x":{"b":1,"b":1}}"#,
            r#"{"list":[{"b":1,"b":1}]}"#,
            r#"{"x":[[{"b":1,"c":[{"d":1,"d":2}]}]]}"#,
            r#"[{"b":1,"b":1}]"#,
            r#"{"a\u0041":1,"aA":2}"#,
            r#"{"a":1} x"#,
            r#"{"a":1"#,
            r#"[1,2]"#,
            r#""text""#,
            r#"null"#,
            r#"{"a":1e400}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":1,"b":[1,2],"n":-3.5,"list":["x",1,null,{"k":[]}]}"#,
        ] {
            same_verdict(text);
        }
    }

    #[test]
    fn large_objects_still_refuse_duplicates() {
        let members: Vec<String> = (0..100).map(|i| format!("\"m{i}\":{i}")).collect();
        let text = format!("{{{},\"m57\":0}}", members.join(","));
        same_verdict(&text);
        let unique = format!("{{{}}}", members.join(","));
        let view = ObjectView::parse(unique.as_bytes(), WANTED).unwrap().unwrap();
        assert!(view.has("m99") && view.has("m0") && !view.has("m100"));
    }

    #[test]
    fn reads_wanted_members() {
        let text = br#"{"a":"x\"y","n":12,"list":["p",2,"q"],"other":true}"#;
        let view = ObjectView::parse(text, WANTED).unwrap().unwrap();
        assert_eq!(view.str_member("a"), Some("x\"y"));
        assert!(matches!(view.member("n"), Some(Member::Num(n)) if n == 12.0));
        let Some(Member::Array(items)) = view.member("list") else { panic!() };
        assert_eq!(items.len(), 3);
        assert_eq!(items.strings().collect::<Vec<_>>(), vec![Some("p"), None, Some("q")]);
        assert!(view.has("other"));
    }
}
