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

// What reading a caller's value may run of the caller's code (Proxy traps, getters), with the
// exception caught: one that unwinds through wasm skips the frames' destructors, leaking what
// they hold (each leaked an externref slot; the 512th trapped the instance, making every
// KeySet stale). A throw becomes the option's TypeError.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = getPrototypeOf)]
    fn prototype_of(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn entries_of(value: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn keys_of(value: &JsValue) -> Result<Array, JsValue>;
    type TimeValue;
    #[wasm_bindgen(catch, method, js_name = getTime)]
    fn get_time(this: &TimeValue) -> Result<f64, JsValue>;
}

/// `Object.entries(object)` threw: the member whose getter throws, read one by one, names it.
fn unreadable_member(object: &JsValue, thrown: JsValue) -> OptionError {
    for name in keys_of(object).map(|names| names.to_vec()).unwrap_or_default() {
        if let Err(thrown) = Reflect::get(object, &name) {
            return unreadable(thrown).within(&name.as_string().unwrap_or_default());
        }
    }
    unreadable(thrown)
}

fn unreadable(thrown: JsValue) -> OptionError {
    let message = Reflect::get(&thrown, &"message".into()).ok().and_then(|m| m.as_string()).or_else(|| thrown.as_string()).unwrap_or_default();
    OptionError::new("", format!("cannot be read: reading it threw {}", crate::quote::quoted(&message)))
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
    let is_array = is_array(value).map_err(unreadable)?;
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
        if value.is_instance_of::<Date>() {
            return Ok(OptionValue::Date(value.unchecked_ref::<TimeValue>().get_time().map_err(unreadable)?));
        }
    }
    if depth >= MAX_DEPTH {
        return Err(OptionError::new("", format!("nest deeper than {MAX_DEPTH} levels")));
    }
    if is_array {
        let length = Reflect::get(value, &"length".into()).map_err(unreadable)?.as_f64().unwrap_or(0.0) as u32;
        let mut items = Vec::with_capacity(length.min(64) as usize);
        for index in 0..length {
            let item = Reflect::get_u32(value, index).map_err(|e| unreadable(e).within(&format!("[{index}]")))?;
            items.push(option_value(&item, depth + 1, budget).map_err(|e| e.within(&format!("[{index}]")))?);
        }
        return Ok(OptionValue::Array(items));
    }
    let prototype = prototype_of(value).map_err(unreadable)?;
    if !(prototype.is_null() || OBJECT_PROTOTYPE.with(|plain| prototype == **plain)) {
        let name = Reflect::get(&prototype, &"constructor".into())
            .ok()
            .and_then(|c| Reflect::get(&c, &"name".into()).ok())
            .and_then(|n| n.as_string())
            .filter(|name| name != "Object" && !name.is_empty());
        return Ok(OptionValue::Other(match name {
            Some(name) => format!("an instance of {}", crate::quote::quoted(&name)),
            // Object.create(defaults): its members are inherited, which a plain object's are not.
            None => "an object whose prototype is another object (pass a plain object)".into(),
        }));
    }
    let entries = entries_of(value).map_err(|thrown| unreadable_member(value, thrown))?;
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
