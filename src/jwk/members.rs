//! The members of one JWK as the key rules read them: from a `serde_json` map (the Rust API),
//! or from a [`KeyView`] that borrows its names and string values from the JWKS text (a large
//! set read by [`crate::jwks`] without building a `Value` for every key).

use crate::encoding::StrictVisitor;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// One member's value.
#[derive(Clone, Copy)]
pub(crate) enum MemberRef<'a> {
    Str(&'a str),
    Value(&'a Value),
}

impl<'a> MemberRef<'a> {
    pub(crate) fn as_str(self) -> Option<&'a str> {
        match self {
            MemberRef::Str(s) => Some(s),
            MemberRef::Value(v) => v.as_str(),
        }
    }

    pub(crate) fn is_string(self) -> bool {
        self.as_str().is_some()
    }

    pub(crate) fn as_array(self) -> Option<&'a [Value]> {
        match self {
            MemberRef::Str(_) => None,
            MemberRef::Value(v) => v.as_array().map(Vec::as_slice),
        }
    }

    pub(crate) fn to_value(self) -> Value {
        match self {
            MemberRef::Str(s) => Value::String(s.to_owned()),
            MemberRef::Value(v) => v.clone(),
        }
    }
}

/// Read access to a JWK's members.
pub(crate) trait Members {
    fn member(&self, name: &str) -> Option<MemberRef<'_>>;
    /// Calls `f` with each member name.
    fn each_name(&self, f: &mut dyn FnMut(&str));
    /// The members as a map (for the rare checks written against one: `x5c`).
    fn as_map(&self) -> Cow<'_, Map<String, Value>>;

    fn has(&self, name: &str) -> bool {
        self.member(name).is_some()
    }
}

impl Members for Map<String, Value> {
    fn member(&self, name: &str) -> Option<MemberRef<'_>> {
        self.get(name).map(MemberRef::Value)
    }

    fn each_name(&self, f: &mut dyn FnMut(&str)) {
        self.keys().for_each(|name| f(name));
    }

    fn as_map(&self) -> Cow<'_, Map<String, Value>> {
        Cow::Borrowed(self)
    }
}

enum Raw<'de> {
    Str(Cow<'de, str>),
    Value(Value),
}

/// A JSON object's members in text order, names and strings borrowed where the text has no
/// escapes. Duplicate names are refused as [`crate::encoding::parse_json_strict`] refuses them.
pub(crate) struct KeyView<'de> {
    members: Vec<(Cow<'de, str>, Raw<'de>)>,
}

impl Members for KeyView<'_> {
    fn member(&self, name: &str) -> Option<MemberRef<'_>> {
        self.members.iter().find(|(n, _)| n == name).map(|(_, raw)| match raw {
            Raw::Str(s) => MemberRef::Str(s),
            Raw::Value(v) => MemberRef::Value(v),
        })
    }

    fn each_name(&self, f: &mut dyn FnMut(&str)) {
        self.members.iter().for_each(|(name, _)| f(name));
    }

    fn as_map(&self) -> Cow<'_, Map<String, Value>> {
        Cow::Owned(self.members.iter().map(|(name, _)| (name.to_string(), self.member(name).map_or(Value::Null, MemberRef::to_value))).collect())
    }
}

/// A member of a `"keys"` array: an object as a [`KeyView`], anything else as a value.
pub(crate) enum Element<'de> {
    Object(KeyView<'de>),
    Other(Value),
}

pub(crate) struct ElementSeed;

impl<'de> DeserializeSeed<'de> for ElementSeed {
    type Value = Element<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Element<'de>, D::Error> {
        deserializer.deserialize_any(ElementVisitor)
    }
}

struct ElementVisitor;

/// Visitor methods that hand the value to [`StrictVisitor`] and wrap what it builds.
macro_rules! strict {
    ($wrap:expr; $($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method<E: de::Error>(self, $($arg: $ty),*) -> Result<Self::Value, E> {
            StrictVisitor.$method($($arg),*).map($wrap)
        })*
    };
}

impl<'de> Visitor<'de> for ElementVisitor {
    type Value = Element<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    strict! { Element::Other;
        visit_bool(v: bool);
        visit_i64(v: i64);
        visit_u64(v: u64);
        visit_f64(v: f64);
        visit_str(v: &str);
        visit_string(v: String);
        visit_unit();
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Element<'de>, A::Error> {
        StrictVisitor.visit_seq(seq).map(Element::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element<'de>, A::Error> {
        let mut members: Vec<(Cow<'de, str>, Raw<'de>)> = Vec::with_capacity(8);
        while let Some(name) = map.next_key_seed(TextSeed)? {
            if members.iter().any(|(seen, _)| *seen == name) {
                return Err(de::Error::custom(format!("duplicate member name {}", crate::quote::quoted(&name))));
            }
            let value = map.next_value_seed(RawSeed)?;
            members.push((name, value));
        }
        Ok(Element::Object(KeyView { members }))
    }
}

/// A member name, borrowed when it has no escapes.
struct TextSeed;

impl<'de> DeserializeSeed<'de> for TextSeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cow<'de, str>, D::Error> {
        deserializer.deserialize_str(TextSeed)
    }
}

impl<'de> Visitor<'de> for TextSeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// A member value: strings borrowed where possible, the rest read strictly into a `Value`.
struct RawSeed;

impl<'de> DeserializeSeed<'de> for RawSeed {
    type Value = Raw<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Raw<'de>, D::Error> {
        deserializer.deserialize_any(RawSeed)
    }
}

impl<'de> Visitor<'de> for RawSeed {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    strict! { Raw::Value;
        visit_bool(v: bool);
        visit_i64(v: i64);
        visit_u64(v: u64);
        visit_f64(v: f64);
        visit_unit();
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Raw<'de>, E> {
        Ok(Raw::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw<'de>, E> {
        Ok(Raw::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw<'de>, E> {
        Ok(Raw::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Raw<'de>, A::Error> {
        StrictVisitor.visit_seq(seq).map(Raw::Value)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Raw<'de>, A::Error> {
        StrictVisitor.visit_map(map).map(Raw::Value)
    }
}
