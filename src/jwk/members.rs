//! The members of one JWK as the key rules read them: from a `serde_json` map (the Rust API),
//! or from a [`KeyView`] that borrows its names and string values from the JWKS text (a large
//! set read by [`crate::jwks`] without building a `Value` for every key).

use serde_json::{Map, Value};
use std::borrow::Cow;

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

/// A member value: a string (borrowed from the text where it has no escapes) or any other value.
pub(crate) enum Raw<'de> {
    Str(Cow<'de, str>),
    Value(Value),
}

/// A JSON object's members in text order, names and strings borrowed where the text has no
/// escapes (read by `crate::jwks`, which refuses duplicate names as
/// [`crate::encoding::parse_json_strict`] does).
pub(crate) struct KeyView<'de> {
    members: Vec<(Cow<'de, str>, Raw<'de>)>,
}

impl<'de> KeyView<'de> {
    /// Members read in text order, with no name twice.
    pub(crate) fn new(members: Vec<(Cow<'de, str>, Raw<'de>)>) -> KeyView<'de> {
        KeyView { members }
    }
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
        let mut map = Map::new();
        for (name, _) in &self.members {
            map.insert(name.to_string(), self.member(name).map_or(Value::Null, MemberRef::to_value));
        }
        Cow::Owned(map)
    }
}

/// A member of a `"keys"` array: an object as a [`KeyView`], anything else as a value.
pub(crate) enum Element<'de> {
    Object(KeyView<'de>),
    Other(Value),
}
