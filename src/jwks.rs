//! A parsed JWK Set: its keys, the set-level lints, and the one key-selection rule that every
//! verification path shares (API.md, "Key selection").

use crate::alg::Alg;
use crate::diagnostics::{Diagnostic, Severity};
use crate::encoding::parse_json_strict;
use crate::error::{ErrorCode, JoseError, Result};
use crate::jwk::{parse_jwk, Jwk, ParseOptions};
use serde::Serialize;
use serde_json::Value;

pub const DEFAULT_MAX_CANDIDATES: usize = 4;

#[derive(Debug, Clone)]
pub struct KeySet {
    pub keys: Vec<Jwk>,
    pub diagnostics: Vec<Diagnostic>,
}

/// `KeyInfo` of API.md.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo<'a> {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<&'a str>,
    pub kty: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alg: Option<&'a str>,
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<usize>,
    pub thumbprint: &'a str,
    pub usable: bool,
}

impl Jwk {
    pub fn info(&self) -> KeyInfo<'_> {
        KeyInfo {
            index: self.index,
            kid: self.kid.as_deref(),
            kty: &self.kty,
            alg: self.alg.as_deref(),
            use_: self.use_.as_deref(),
            crv: self.crv.as_deref(),
            bits: self.bits,
            thumbprint: &self.thumbprint,
            usable: self.usable(),
        }
    }
}

/// Why one key of the set was or was not a candidate for a token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyVerdict {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// `None` for a candidate; else which rule filtered it out and how.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filtered_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The outcome of selection: candidates in set order (at most `max_candidates`), and a verdict
/// for every key so that errors and the debugging page can explain the choice.
#[derive(Debug, Clone, Serialize)]
pub struct Selection {
    pub candidates: Vec<usize>,
    pub trace: Vec<KeyVerdict>,
}

impl KeySet {
    /// Parses a JWKS `{"keys":[...]}` or a single JWK from JSON text.
    pub fn parse_str(text: &str, options: ParseOptions) -> Result<KeySet> {
        let value = parse_json_strict(text.as_bytes())
            .map_err(|why| JoseError::jwks_invalid(format!("not valid JSON: {why}")))?;
        Self::parse_value(&value, options)
    }

    pub fn parse_value(value: &Value, options: ParseOptions) -> Result<KeySet> {
        let Some(object) = value.as_object() else {
            return Err(JoseError::jwks_invalid("expected a JWK Set {\"keys\": [...]} or a single JWK object"));
        };
        let mut diagnostics = Vec::new();
        let keys: Vec<Jwk> = match object.get("keys") {
            Some(Value::Array(items)) => {
                items.iter().enumerate().map(|(i, item)| parse_jwk(i, item, options, &mut diagnostics)).collect()
            }
            Some(_) => return Err(JoseError::jwks_invalid("the \"keys\" member of a JWK Set must be an array")),
            None if object.contains_key("kty") => vec![parse_jwk(0, value, options, &mut diagnostics)],
            None => return Err(JoseError::jwks_invalid("expected a JWK Set {\"keys\": [...]} or a single JWK (no \"keys\" and no \"kty\" member)")),
        };
        let in_a_set = object.contains_key("keys");
        lint_set(&keys, in_a_set, &mut diagnostics);
        Ok(KeySet { keys, diagnostics })
    }

    pub fn kids(&self) -> Vec<&str> {
        self.keys.iter().filter_map(|k| k.kid.as_deref()).collect()
    }

    /// The key-selection rule of API.md.
    pub fn select(&self, alg: Alg, kid: Option<&str>, max_candidates: usize) -> Selection {
        let facts = alg.facts();
        let mut candidates = Vec::new();
        let trace = self
            .keys
            .iter()
            .map(|key| {
                let filtered = filter_reason(key, alg, facts, kid);
                if filtered.is_none() && candidates.len() < max_candidates {
                    candidates.push(key.index);
                }
                let (filtered_by, detail) = match filtered {
                    Some((rule, detail)) => (Some(rule.to_owned()), Some(detail)),
                    None => (None, None),
                };
                KeyVerdict { index: key.index, kid: key.kid.clone(), filtered_by, detail }
            })
            .collect();
        Selection { candidates, trace }
    }

    /// The error for a selection that found no candidate, naming the kids the set has.
    pub fn no_match_error(&self, alg: Alg, kid: Option<&str>, selection: &Selection) -> JoseError {
        let kids = self.kids();
        let has = if kids.is_empty() {
            format!("the set has {} key(s), none with a kid", self.keys.len())
        } else {
            format!("the set has kids [{}]", kids.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", "))
        };
        let wanted = match kid {
            Some(kid) => format!("kid \"{kid}\" and alg {}", alg.name()),
            None => format!("alg {} (token has no kid)", alg.name()),
        };
        let why: Vec<String> = selection
            .trace
            .iter()
            .filter_map(|v| v.detail.as_ref().map(|d| format!("key {}: {d}", v.index)))
            .collect();
        let mut message = format!("no key in the JWKS matches {wanted}; {has}");
        if !why.is_empty() {
            message.push_str(&format!(" ({})", why.join("; ")));
        }
        JoseError::new(ErrorCode::NoMatchingKey, message)
    }
}

fn filter_reason(key: &Jwk, alg: Alg, facts: &crate::alg::AlgFacts, kid: Option<&str>) -> Option<(&'static str, String)> {
    if key.kty() != Some(facts.kty) {
        return Some(("kty", format!("kty {} does not fit {} (needs {})", key.kty, alg.name(), facts.kty.as_str())));
    }
    if let Some(crv) = facts.crv {
        if key.crv.as_deref() != Some(crv) {
            return Some(("crv", format!("crv {} does not fit {} (needs {crv})", key.crv.as_deref().unwrap_or("(none)"), alg.name())));
        }
    }
    if let Some(key_alg) = &key.alg {
        if key_alg != alg.name() {
            return Some(("alg", format!("key alg {key_alg} differs from token alg {}", alg.name())));
        }
    }
    if let Some(u) = &key.use_ {
        if u != "sig" {
            return Some(("use", format!("use is \"{u}\", not \"sig\"")));
        }
    }
    if let Some(ops) = &key.key_ops {
        if !ops.iter().any(|op| op == "verify") {
            return Some(("key_ops", "key_ops lacks \"verify\"".to_owned()));
        }
    }
    if let Some(kid) = kid {
        if key.kid.as_deref() != Some(kid) {
            let has = key.kid.as_deref().map(|k| format!("kid \"{k}\"")).unwrap_or_else(|| "no kid".to_owned());
            return Some(("kid", format!("{has}, token wants \"{kid}\"")));
        }
    }
    if !key.usable() {
        let why = key.unusable_because.clone().unwrap_or_else(|| "invalid_key".to_owned());
        return Some(("unusable", format!("unusable ({why}; see diagnostics)")));
    }
    None
}

fn lint_set(keys: &[Jwk], in_a_set: bool, diagnostics: &mut Vec<Diagnostic>) {
    for key in keys {
        if key.kid.is_none() && in_a_set {
            let fix = if key.thumbprint.is_empty() { String::new() } else { format!("; add kid = \"{}\" (its RFC 7638 thumbprint)", key.thumbprint) };
            diagnostics.push(Diagnostic {
                severity: Severity::Warning,
                code: "missing_kid".to_owned(),
                index: Some(key.index),
                kid: None,
                message: format!("key {} has no kid; tokens carrying a kid will never select it{fix}", key.index),
            });
        }
        if let Some(kid) = &key.kid {
            let first = keys.iter().find(|k| k.kid.as_deref() == Some(kid.as_str())).map(|k| k.index);
            if first != Some(key.index) {
                diagnostics.push(Diagnostic {
                    severity: Severity::Warning,
                    code: "duplicate_kid".to_owned(),
                    index: Some(key.index),
                    kid: Some(kid.clone()),
                    message: format!("key {} repeats kid \"{kid}\" of key {}; verifiers must try both keys, give each key its own kid", key.index, first.unwrap_or(0)),
                });
            }
        }
    }
}
