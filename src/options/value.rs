//! A caller's options as the host gave them, and the error that names a wrong one.
//!
//! The host converts its value into an [`OptionValue`] that keeps apart what JSON cannot:
//! `undefined` (not set) from `null` (a mistake), functions, `Date`s, `NaN`. Reading
//! ([`super::read`]) is strict:
//! a wrong type anywhere is an [`OptionError`] that names the option by its path
//! (`federated[0].issuer`), and a name no struct knows is refused with the nearest known one.

use super::names::nearest;
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

impl OptionValue {
    /// How a value is named in a message ("null", "a function", "NaN", ...).
    pub fn describe(&self) -> String {
        match self {
            OptionValue::Undefined => "undefined".into(),
            OptionValue::Null => "null".into(),
            OptionValue::Bool(b) => b.to_string(),
            OptionValue::Number(n) if n.is_nan() => "NaN".into(),
            OptionValue::Number(n) if n.is_infinite() => if *n > 0.0 { "Infinity".into() } else { "-Infinity".into() },
            OptionValue::Number(n) => format!("the number {}", crate::quote::number_text(*n)),
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

/// A member name as a path segment: plain identifiers as they are, anything else
/// bracket-quoted (`["a b"]`), so that untrusted names never reach a message raw.
pub(crate) fn path_segment(name: &str) -> String {
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
