//! JS values in as [`OptionValue`]s, for the core's strict options reader; its errors out as
//! `TypeError`s that name the option.

use crate::options::value::{HostKind, HOST_VALUED, MAX_DEPTH, MAX_STRING_LENGTH, MAX_VALUES, REPLAY_STORES};
use crate::options::{OptionError, OptionValue};
use js_sys::{Array, Date, JsString, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A wrong option as the `TypeError` the JS layer throws: code `ERR_INVALID_OPTION`, `option`.
pub fn type_error(err: &OptionError, owner: &str) -> JsValue {
    super::type_error("ERR_INVALID_OPTION", err.message(owner), Some(&err.path))
}

/// Reads `value` with `read`; a wrong option is a `TypeError` naming it, as `owner` calls it.
pub fn read<T>(value: &JsValue, owner: &str, read: impl FnOnce(&OptionValue) -> Result<T, OptionError>) -> Result<T, JsValue> {
    read(&convert(value, owner)?).map_err(|e| type_error(&e, owner))
}

/// The conversion, once in the module (not once per options type).
fn convert(value: &JsValue, owner: &str) -> Result<OptionValue, JsValue> {
    let mut budget = MAX_VALUES;
    option_value(value, 0, &mut budget).map_err(|e| type_error(&e, owner))
}

thread_local! {
    static OBJECT_PROTOTYPE: Object = Object::get_prototype_of(&Object::new().into());
}

fn host_kind(value: &JsValue) -> HostKind {
    if value.is_undefined() {
        HostKind::Undefined
    } else if value.is_null() {
        HostKind::Null
    } else if value.is_function() {
        HostKind::Function
    } else if value.is_object() {
        HostKind::Object
    } else if value.is_string() {
        HostKind::String
    } else {
        HostKind::Other
    }
}

/// A `replay` value's kind: [`HostKind::ReplayStore`] when its `markUsed` is a function.
fn replay_store_kind(value: &JsValue) -> HostKind {
    match host_kind(value) {
        HostKind::Object | HostKind::Function if Reflect::get(value, &"markUsed".into()).is_ok_and(|f| f.is_function()) => HostKind::ReplayStore,
        kind => kind,
    }
}

fn option_value(value: &JsValue, depth: usize, budget: &mut usize) -> Result<OptionValue, OptionError> {
    if *budget == 0 {
        return Err(OptionError::new("", format!("hold more than {MAX_VALUES} values")));
    }
    *budget -= 1;
    // Most likely kinds first: each test is a call into the host.
    if let Some(text) = value.dyn_ref::<JsString>() {
        // Measured before it is copied into wasm memory.
        let length = text.length() as usize;
        if length > MAX_STRING_LENGTH {
            return Err(OptionError::new("", format!("must be at most {MAX_STRING_LENGTH} characters long, got {length}")));
        }
        return Ok(OptionValue::String(String::from(text)));
    }
    if let Some(n) = value.as_f64() {
        return Ok(OptionValue::Number(n));
    }
    let is_array = Array::is_array(value);
    if !is_array {
        if value.is_undefined() {
            return Ok(OptionValue::Undefined);
        }
        if value.is_null() {
            return Ok(OptionValue::Null);
        }
        if let Some(b) = value.as_bool() {
            return Ok(OptionValue::Bool(b));
        }
        if value.is_function() {
            return Ok(OptionValue::Function);
        }
        if value.is_symbol() {
            return Ok(OptionValue::Other("a Symbol".into()));
        }
        if value.is_bigint() {
            return Ok(OptionValue::Other("a BigInt".into()));
        }
        if let Some(date) = value.dyn_ref::<Date>() {
            return Ok(OptionValue::Date(date.get_time()));
        }
    }
    if depth >= MAX_DEPTH {
        return Err(OptionError::new("", format!("nest deeper than {MAX_DEPTH} levels")));
    }
    if is_array {
        let array: &Array = value.unchecked_ref();
        let length = array.length();
        let mut items = Vec::with_capacity(length.min(64) as usize);
        for index in 0..length {
            items.push(option_value(&array.get(index), depth + 1, budget).map_err(|e| e.within(&format!("[{index}]")))?);
        }
        return Ok(OptionValue::Array(items));
    }
    let object: &Object = value.unchecked_ref();
    let prototype = Object::get_prototype_of(value);
    if !(prototype.is_null() || OBJECT_PROTOTYPE.with(|plain| prototype == *plain)) {
        let name = Reflect::get(&prototype, &"constructor".into())
            .ok()
            .and_then(|c| Reflect::get(&c, &"name".into()).ok())
            .and_then(|n| n.as_string())
            .unwrap_or_else(|| "Object".into());
        return Ok(OptionValue::Other(format!("an instance of {}", crate::quote::quoted(&name))));
    }
    let entries = Object::entries(object);
    let count = entries.length();
    let mut members = Vec::with_capacity(count.min(64) as usize);
    for index in 0..count {
        let entry: Array = entries.get(index).unchecked_into();
        let key = entry.get(0);
        if key.dyn_ref::<JsString>().is_some_and(|k| k.length() as usize > MAX_STRING_LENGTH) {
            return Err(OptionError::new("", format!("have a member name longer than {MAX_STRING_LENGTH} characters")));
        }
        let name = key.as_string().unwrap_or_default();
        let member = entry.get(1);
        let converted = if REPLAY_STORES.contains(&name.as_str()) {
            OptionValue::Host(replay_store_kind(&member))
        } else if HOST_VALUED.contains(&name.as_str()) {
            OptionValue::Host(host_kind(&member))
        } else {
            option_value(&member, depth + 1, budget).map_err(|e| e.within(&name))?
        };
        members.push((name, converted));
    }
    Ok(OptionValue::Object(members))
}
