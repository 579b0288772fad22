//! One small reader per kind of option value, and the member walk every options struct is read
//! with. Hand-written rather than serde-derived: a derive monomorphises a visitor per struct,
//! which cost the wasm module ~50 KB; these few functions are shared by every struct.
//!
//! The messages are the ones callers and tests know ("must be a string, got null"); where a
//! value of one of several shapes is expected ([`unexpected`]) they keep serde's wording.

use super::value::{check_names, HostKind, OptionError, OptionValue};
use super::HostValue;
use std::collections::BTreeMap;

/// `undefined` is "not set": the option's default applies.
pub fn unset(value: &OptionValue) -> bool {
    matches!(value, OptionValue::Undefined | OptionValue::Host(HostKind::Undefined))
}

/// Calls `each` with every set member of an object, in the object's order, that `only` names
/// (every member when `None`). `null` is refused; an error names the member it was found in.
/// (`dyn`: one copy of the walk for every struct.)
pub fn members(members: &[(String, OptionValue)], only: Option<&[&str]>, each: &mut dyn FnMut(&str, &OptionValue) -> Result<(), OptionError>) -> Result<(), OptionError> {
    for (name, value) in members {
        if unset(value) || only.is_some_and(|only| !only.contains(&name.as_str())) {
            continue;
        }
        if matches!(value, OptionValue::Null | OptionValue::Host(HostKind::Null)) {
            return Err(OptionError::new(name.as_str(), "must not be null (leave it out, or pass undefined, for the default)"));
        }
        each(name, value).map_err(|e| e.within(name))?;
    }
    Ok(())
}

/// A nested options object of exactly `fields` (e.g. one `federated` identity).
pub fn object(value: &OptionValue, fields: &[&str], each: &mut dyn FnMut(&str, &OptionValue) -> Result<(), OptionError>) -> Result<(), OptionError> {
    let OptionValue::Object(items) = value else { return Err(wrong(value, "an object")) };
    check_names(items, fields)?;
    members(items, None, each)
}

/// A required member that was not set.
pub fn required<T>(value: Option<T>, name: &str) -> Result<T, OptionError> {
    value.ok_or_else(|| OptionError::new(name, "is required"))
}

pub fn wrong(value: &OptionValue, expected: &str) -> OptionError {
    OptionError::new("", format!("must be {expected}, got {}", value.describe()))
}

/// A value of none of the shapes an option of several shapes takes.
pub fn unexpected(value: &OptionValue, expected: &str) -> OptionError {
    let found = match value {
        OptionValue::Bool(b) => format!("boolean `{b}`"),
        OptionValue::Number(n) => {
            let text = crate::quote::number_text(*n);
            let point = if n.is_finite() && !text.contains('.') { ".0" } else { "" };
            format!("floating point `{text}{point}`")
        }
        OptionValue::Array(_) => "sequence".into(),
        OptionValue::Object(_) => "map".into(),
        _ => return wrong(value, expected),
    };
    OptionError::new("", format!("invalid type: {found}, expected {expected}"))
}

pub fn boolean(value: &OptionValue) -> Result<bool, OptionError> {
    match value {
        OptionValue::Bool(b) => Ok(*b),
        _ => Err(wrong(value, "a boolean")),
    }
}

pub fn number(value: &OptionValue) -> Result<f64, OptionError> {
    match value {
        OptionValue::Number(n) => Ok(*n),
        _ => Err(wrong(value, "a number")),
    }
}

/// The largest count an option takes (as the timers' milliseconds): one range on every target,
/// where `usize` alone would end it at 2^32-1 in wasm32 and at 2^53-1 in native builds.
/// (An integer: `f64`'s `Display` in the message would bring float printing into the module.)
pub const MAX_COUNT: u32 = 2_147_483_647;

/// A non-negative integer up to [`MAX_COUNT`].
pub fn count(value: &OptionValue) -> Result<usize, OptionError> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    match value {
        OptionValue::Number(n) if n.fract() == 0.0 && (0.0..=f64::from(MAX_COUNT)).contains(n) => Ok(*n as usize),
        OptionValue::Number(n) if n.fract() == 0.0 && (0.0..=MAX_SAFE).contains(n) => {
            Err(OptionError::new("", format!("must be at most {MAX_COUNT}, got {}", value.describe())))
        }
        _ => Err(wrong(value, "a non-negative integer")),
    }
}

pub fn string(value: &OptionValue) -> Result<String, OptionError> {
    match value {
        OptionValue::String(s) => Ok(s.clone()),
        _ => Err(wrong(value, "a string")),
    }
}

/// An array read item by item; arrays have no unset items.
pub fn list<T>(value: &OptionValue, item: fn(&OptionValue) -> Result<T, OptionError>) -> Result<Vec<T>, OptionError> {
    let OptionValue::Array(items) = value else { return Err(wrong(value, "an array")) };
    let mut out = Vec::with_capacity(items.len());
    for (index, value) in items.iter().enumerate() {
        if matches!(value, OptionValue::Undefined) {
            return Err(OptionError::new(format!("[{index}]"), "must not be undefined (arrays have no unset items)"));
        }
        out.push(item(value).map_err(|e| e.within(&format!("[{index}]")))?);
    }
    Ok(out)
}

pub fn strings(value: &OptionValue) -> Result<Vec<String>, OptionError> {
    list(value, string)
}

/// A string or an array of strings (`issuer`, `audience`).
pub fn one_or_many(value: &OptionValue) -> Result<super::OneOrMany, OptionError> {
    match value {
        OptionValue::String(s) => Ok(super::OneOrMany::One(s.clone())),
        OptionValue::Array(_) => strings(value).map(super::OneOrMany::Many),
        _ => Err(unexpected(value, "a string or an array of strings")),
    }
}

/// "Now" (`currentDate`): a `Date` or a number of seconds; in seconds.
pub fn timestamp(value: &OptionValue) -> Result<super::Timestamp, OptionError> {
    match value {
        OptionValue::Date(ms) if ms.is_finite() => Ok(super::Timestamp(ms / 1000.0)),
        OptionValue::Date(_) => Err(OptionError::new("", "must be a valid Date or a number of seconds, got an invalid Date")),
        OptionValue::Number(seconds) if seconds.is_finite() => Ok(super::Timestamp(*seconds)),
        OptionValue::Number(seconds) => Err(OptionError::new("", format!("must be a Date or a finite number of seconds, got {}", crate::quote::number_text(*seconds)))),
        _ => Err(wrong(value, "a Date or a number of seconds")),
    }
}

/// A member only the host uses: its kind.
pub fn host(value: &OptionValue) -> Result<HostValue, OptionError> {
    match value {
        OptionValue::Host(kind) => Ok(HostValue(*kind)),
        _ => Err(wrong(value, "a value the host can use")),
    }
}

/// An object of booleans (`crit`).
pub fn flags(value: &OptionValue) -> Result<BTreeMap<String, bool>, OptionError> {
    let OptionValue::Object(items) = value else { return Err(wrong(value, "an object")) };
    let mut out = BTreeMap::new();
    members(items, None, &mut |name, value| {
        out.insert(name.to_owned(), boolean(value)?);
        Ok(())
    })?;
    Ok(out)
}

/// One of a few names (`profile`, `dpop`): the index of the one given.
pub fn one_of(value: &OptionValue, names: &[&str]) -> Result<usize, OptionError> {
    match value {
        OptionValue::String(s) => names.iter().position(|n| n == s),
        _ => None,
    }
    .ok_or_else(|| {
        let listed: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        wrong(value, &format!("one of {}", listed.join(", ")))
    })
}
