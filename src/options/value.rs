//! A caller's options as the host gave them, and the strict serde `Deserializer` that reads
//! every options struct from them.
//!
//! The host converts its value into an [`OptionValue`] that keeps apart what JSON cannot:
//! `undefined` (not set) from `null` (a mistake), functions, `Date`s, `NaN`. Reading is strict:
//! a wrong type anywhere is an [`OptionError`] that names the option by its path
//! (`federated[0].issuer`), and a name no struct knows is refused with the nearest known one.

use super::names::nearest;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Options nest this deep at most (an options object is level 1).
pub const MAX_DEPTH: usize = 8;
/// Values in one options object at most (host conversion stops past it).
pub const MAX_VALUES: usize = 10_000;
/// Longest option string (UTF-16 code units), refused by the host before it is copied.
pub const MAX_STRING_LENGTH: usize = 65_536;

/// Members whose values only the host can use (key sets, stores, functions): the host records
/// their kind and does not look inside.
pub const HOST_VALUED: &[&str] = &["keys", "replay", "store", "fetch", "headers", "clock", "dpopReplay"];
/// The [`HOST_VALUED`] members that hold a `ReplayStore`: the host also checks that the value
/// has a `markUsed` function ([`HostKind::ReplayStore`]).
pub const REPLAY_STORES: &[&str] = &["replay", "dpopReplay"];

#[derive(Debug, Clone, PartialEq)]
pub enum OptionValue {
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<OptionValue>),
    /// A plain object's own enumerable members, in order.
    Object(Vec<(String, OptionValue)>),
    /// A `Date`: milliseconds since the epoch, NaN for an invalid date.
    Date(f64),
    Function,
    /// A value of a [`HOST_VALUED`] member: the kind the host saw.
    Host(HostKind),
    /// Anything else (a Symbol, a BigInt, a class instance), described for messages.
    Other(String),
}

/// What a [`HOST_VALUED`] member holds, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum HostKind {
    Undefined = 0,
    Null = 1,
    Function = 2,
    Object = 3,
    String = 4,
    Other = 5,
    /// An object (or function) whose `markUsed` is a function; only for [`REPLAY_STORES`].
    ReplayStore = 6,
}

impl HostKind {
    pub(crate) fn from_u8(code: u8) -> HostKind {
        [HostKind::Undefined, HostKind::Null, HostKind::Function, HostKind::Object, HostKind::String, HostKind::ReplayStore]
            .into_iter()
            .find(|k| *k as u8 == code)
            .unwrap_or(HostKind::Other)
    }
}

impl OptionValue {
    /// How a value is named in a message ("null", "a function", "NaN", ...).
    pub fn describe(&self) -> String {
        match self {
            OptionValue::Undefined => "undefined".into(),
            OptionValue::Null => "null".into(),
            OptionValue::Bool(b) => b.to_string(),
            OptionValue::Number(n) if n.is_nan() => "NaN".into(),
            OptionValue::Number(n) if n.is_infinite() => if *n > 0.0 { "Infinity".into() } else { "-Infinity".into() },
            OptionValue::Number(n) => format!("the number {n}"),
            OptionValue::String(s) => format!("the string {}", crate::quote::quoted(s)),
            OptionValue::Array(_) => "an array".into(),
            OptionValue::Object(_) => "an object".into(),
            OptionValue::Date(ms) if ms.is_nan() => "an invalid Date".into(),
            OptionValue::Date(_) => "a Date".into(),
            OptionValue::Function => "a function".into(),
            OptionValue::Host(kind) => match kind {
                HostKind::Undefined => "undefined".into(),
                HostKind::Null => "null".into(),
                HostKind::Function => "a function".into(),
                HostKind::Object => "an object".into(),
                HostKind::String => "a string".into(),
                HostKind::Other => "a value of another type".into(),
                HostKind::ReplayStore => "a ReplayStore".into(),
            },
            OptionValue::Other(what) => what.clone(),
        }
    }

    /// A JSON value as the host would give it (for native callers and tests); objects keep
    /// their member order, and members named in [`HOST_VALUED`] become [`OptionValue::Host`].
    pub fn from_json(value: &serde_json::Value) -> OptionValue {
        use serde_json::Value;
        match value {
            Value::Null => OptionValue::Null,
            Value::Bool(b) => OptionValue::Bool(*b),
            Value::Number(n) => OptionValue::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => OptionValue::String(s.clone()),
            Value::Array(items) => OptionValue::Array(items.iter().map(OptionValue::from_json).collect()),
            Value::Object(members) => OptionValue::Object(
                members
                    .iter()
                    .map(|(name, v)| {
                        let v = if HOST_VALUED.contains(&name.as_str()) { OptionValue::Host(HostKind::of_json(name, v)) } else { OptionValue::from_json(v) };
                        (name.clone(), v)
                    })
                    .collect(),
            ),
        }
    }
}

impl HostKind {
    /// JSON has no functions: a replay store is an object with a `markUsed` member.
    fn of_json(name: &str, value: &serde_json::Value) -> HostKind {
        match value {
            serde_json::Value::Object(members) if REPLAY_STORES.contains(&name) && members.contains_key("markUsed") => HostKind::ReplayStore,
            serde_json::Value::Null => HostKind::Null,
            serde_json::Value::String(_) => HostKind::String,
            serde_json::Value::Object(_) | serde_json::Value::Array(_) => HostKind::Object,
            _ => HostKind::Other,
        }
    }
}

/// A wrong option: which one (its path, e.g. `federated[0].issuer`) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionError {
    /// Empty for the options value itself.
    pub path: String,
    /// What is wrong, without the path ("must be a string, got null").
    pub problem: String,
}

impl OptionError {
    pub fn new(path: impl Into<String>, problem: impl Into<String>) -> Self {
        OptionError { path: path.into(), problem: problem.into() }
    }

    /// The same error one level further out: `name` is the member or `[i]` it was found in.
    pub fn within(mut self, segment: &str) -> Self {
        let quoted;
        let segment = if segment.starts_with('[') {
            segment
        } else {
            quoted = path_segment(segment);
            &quoted
        };
        self.path = if self.path.is_empty() {
            segment.to_owned()
        } else if self.path.starts_with('[') {
            format!("{segment}{}", self.path)
        } else {
            format!("{segment}.{}", self.path)
        };
        self
    }

    /// The message a caller reads, with the options' owner: `verifyJwt options.audience must …`.
    pub fn message(&self, owner: &str) -> String {
        if self.path.is_empty() {
            format!("{owner} options {}", self.problem)
        } else {
            format!("{owner} option {} {}", self.path, self.problem)
        }
    }
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message("the"))
    }
}

impl std::error::Error for OptionError {}

impl de::Error for OptionError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        OptionError::new("", msg.to_string())
    }

    fn missing_field(field: &'static str) -> Self {
        OptionError::new(field, "is required")
    }
}

/// Newtype-struct names that ask this deserializer for a host-level reading.
pub(crate) const TIME_TOKEN: &str = "$jwks_verify::Time";
pub(crate) const HOST_TOKEN: &str = "$jwks_verify::Host";

/// Reads options structs from an [`OptionValue`]. `lenient` (the top level of a struct read in
/// parts, see [`super::Reader`]) leaves names the struct does not know to the caller.
pub struct ValueDeserializer<'a> {
    value: &'a OptionValue,
    lenient: bool,
    /// Field names of the structs read leniently at this level.
    pub(crate) seen_fields: Option<&'a std::cell::RefCell<Vec<&'static str>>>,
}

impl<'a> ValueDeserializer<'a> {
    pub fn new(value: &'a OptionValue) -> Self {
        ValueDeserializer { value, lenient: false, seen_fields: None }
    }

    pub(crate) fn lenient(value: &'a OptionValue, seen: &'a std::cell::RefCell<Vec<&'static str>>) -> Self {
        ValueDeserializer { value, lenient: true, seen_fields: Some(seen) }
    }

    fn wrong(&self, expected: &dyn fmt::Display) -> OptionError {
        OptionError::new("", format!("must be {expected}, got {}", self.value.describe()))
    }
}

/// What a visitor expects, in words for a JavaScript caller.
fn expected<'de, V: Visitor<'de>>(visitor: &V) -> String {
    let text = format!("{}", visitor as &dyn de::Expected);
    match text.as_str() {
        "a sequence" => "an array".to_owned(),
        "a map" => "an object".to_owned(),
        "a borrowed string" => "a string".to_owned(),
        "u64" | "usize" | "u32" | "u16" | "u8" => "a non-negative integer".to_owned(),
        "f64" | "f32" => "a number".to_owned(),
        t if t.starts_with("struct ") => "an object".to_owned(),
        _ => text,
    }
}

macro_rules! forward_to_u64 {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
            self.deserialize_u64(visitor)
        })*
    };
}

macro_rules! forward_to_any {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
            self.deserialize_any(visitor)
        })*
    };
}

impl<'de, 'a> Deserializer<'de> for ValueDeserializer<'a> {
    type Error = OptionError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
        match self.value {
            OptionValue::Bool(b) => visitor.visit_bool(*b),
            OptionValue::Number(n) => visitor.visit_f64(*n),
            OptionValue::String(s) => visitor.visit_str(s),
            OptionValue::Array(items) => visitor.visit_seq(Items { items: items.iter().enumerate() }),
            OptionValue::Object(members) => visitor.visit_map(Members::new(members)),
            _ => Err(self.wrong(&expected(&visitor))),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
        match self.value {
            OptionValue::Bool(b) => visitor.visit_bool(*b),
            _ => Err(self.wrong(&"a boolean")),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
        match self.value {
            OptionValue::Number(n) => visitor.visit_f64(*n),
            _ => Err(self.wrong(&"a number")),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
        const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
        match self.value {
            OptionValue::Number(n) if n.fract() == 0.0 && (0.0..=MAX_SAFE).contains(n) => visitor.visit_u64(*n as u64),
            _ => Err(self.wrong(&"a non-negative integer")),
        }
    }

    forward_to_u64! {
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
        match self.value {
            OptionValue::String(s) => visitor.visit_str(s),
            _ => Err(self.wrong(&"a string")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
        match self.value {
            OptionValue::Undefined | OptionValue::Host(HostKind::Undefined) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
        match self.value {
            OptionValue::Array(items) => visitor.visit_seq(Items { items: items.iter().enumerate() }),
            _ => Err(self.wrong(&"an array")),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
        match self.value {
            OptionValue::Object(members) => visitor.visit_map(Members::new(members)),
            _ => Err(self.wrong(&"an object")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(self, _name: &'static str, fields: &'static [&'static str], visitor: V) -> Result<V::Value, OptionError> {
        let OptionValue::Object(members) = self.value else {
            return Err(self.wrong(&"an object"));
        };
        if let Some(seen) = self.seen_fields {
            seen.borrow_mut().extend_from_slice(fields);
        }
        if !self.lenient {
            check_names(members, fields)?;
        }
        visitor.visit_map(Members::new_only(members, if self.lenient { Some(fields) } else { None }))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, OptionError> {
        match (name, self.value) {
            (TIME_TOKEN, OptionValue::Date(ms)) => visitor.visit_newtype_struct(ms.into_deserializer()),
            (TIME_TOKEN, OptionValue::Number(seconds)) => visitor.visit_f64(*seconds),
            (TIME_TOKEN, _) => Err(self.wrong(&"a Date or a number of seconds")),
            (HOST_TOKEN, OptionValue::Host(kind)) => visitor.visit_u8(*kind as u8),
            (HOST_TOKEN, _) => Err(self.wrong(&"a value the host can use")),
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(self, _name: &'static str, variants: &'static [&'static str], visitor: V) -> Result<V::Value, OptionError> {
        match self.value {
            OptionValue::String(s) if variants.contains(&s.as_str()) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => Err(self.wrong(&format!("one of {}", variants.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", ")))),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
        visitor.visit_unit()
    }

    forward_to_any! {
        deserialize_char deserialize_bytes deserialize_byte_buf deserialize_unit deserialize_identifier
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, OptionError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, OptionError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _name: &'static str, _len: usize, visitor: V) -> Result<V::Value, OptionError> {
        self.deserialize_seq(visitor)
    }
}

/// A member name as a path segment: plain identifiers as they are, anything else
/// bracket-quoted (`["a b"]`), so that untrusted names never reach a message raw.
fn path_segment(name: &str) -> String {
    if !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
        name.to_owned()
    } else {
        format!("[{}]", crate::quote::quoted(name))
    }
}

/// Unknown member names (with a value other than `undefined`) are refused.
pub(crate) fn check_names(members: &[(String, OptionValue)], known: &[&str]) -> Result<(), OptionError> {
    for (name, value) in members {
        if matches!(value, OptionValue::Undefined | OptionValue::Host(HostKind::Undefined)) || known.contains(&name.as_str()) {
            continue;
        }
        let hint = match nearest(name, known) {
            Some(close) => format!("; did you mean {close}?"),
            None => String::new(),
        };
        return Err(OptionError::new(
            path_segment(name),
            format!("is not an option here (known: {}){hint}", known.join(", ")),
        ));
    }
    Ok(())
}

struct Items<'a> {
    items: std::iter::Enumerate<std::slice::Iter<'a, OptionValue>>,
}

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = OptionError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, OptionError> {
        let Some((index, value)) = self.items.next() else { return Ok(None) };
        if matches!(value, OptionValue::Undefined) {
            return Err(OptionError::new(format!("[{index}]"), "must not be undefined (arrays have no unset items)"));
        }
        seed.deserialize(ValueDeserializer::new(value)).map(Some).map_err(|e| e.within(&format!("[{index}]")))
    }
}

struct Members<'a> {
    members: std::slice::Iter<'a, (String, OptionValue)>,
    only: Option<&'static [&'static str]>,
    current: Option<&'a (String, OptionValue)>,
}

impl<'a> Members<'a> {
    fn new(members: &'a [(String, OptionValue)]) -> Self {
        Members { members: members.iter(), only: None, current: None }
    }

    fn new_only(members: &'a [(String, OptionValue)], only: Option<&'static [&'static str]>) -> Self {
        Members { members: members.iter(), only, current: None }
    }
}

impl<'de> MapAccess<'de> for Members<'_> {
    type Error = OptionError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, OptionError> {
        for member in self.members.by_ref() {
            let (name, value) = member;
            // `undefined` is "not set": the struct's default applies.
            if matches!(value, OptionValue::Undefined | OptionValue::Host(HostKind::Undefined)) {
                continue;
            }
            if self.only.is_some_and(|only| !only.contains(&name.as_str())) {
                continue;
            }
            self.current = Some(member);
            return seed.deserialize(name.as_str().into_deserializer()).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, OptionError> {
        let (name, value) = self.current.take().ok_or_else(|| OptionError::new("", "internal: value without a key"))?;
        if matches!(value, OptionValue::Null | OptionValue::Host(HostKind::Null)) {
            return Err(OptionError::new(name.as_str(), "must not be null (leave it out, or pass undefined, for the default)"));
        }
        seed.deserialize(ValueDeserializer::new(value)).map_err(|e| e.within(name))
    }
}
