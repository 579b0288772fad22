//! A parsed JWK Set: its keys, the set-level lints, and the one key-selection rule that every
//! verification path shares (API.md, "Key selection").

use crate::alg::{Alg, AlgFacts, Family};
use crate::diagnostics::{Diagnostic, Severity};
use crate::error::{ErrorCode, JoseError, Result};
use crate::jwk::{parse_jwk, Jwk, ParseOptions};
use crate::quote::{known_or_quoted, quoted, quoted_list};
use serde::Serialize;
use serde_json::Value;
use std::collections::btree_map::{BTreeMap, Entry};

mod read;

pub const DEFAULT_MAX_CANDIDATES: usize = 4;

#[derive(Debug, Clone)]
pub struct KeySet {
    pub keys: Vec<Jwk>,
    pub diagnostics: Vec<Diagnostic>,
    /// The issuer these keys were picked for (`TrustedIssuers`): a token verified with them
    /// must carry exactly this `iss` ([`crate::trusted::check_bound_issuer`]).
    pub issuer: Option<String>,
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
            thumbprint: self.thumbprint(),
            usable: self.usable(),
        }
    }
}

/// Why one key of the set was or was not a candidate for a token. Cheap to build: the
/// words for people come from [`KeySet::explain`] and [`KeySet::no_match_error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyVerdict {
    pub index: usize,
    /// `None` for a candidate; else the rule that filtered it out: `kty`, `crv`, `alg`,
    /// `use`, `key_ops`, `kid`, `unusable` or `max_candidates`.
    pub filtered_by: Option<&'static str>,
}

/// The outcome of selection: candidates in set order (at most `max_candidates`), and a verdict
/// for every key so that errors and the debugging page can explain the choice.
#[derive(Debug, Clone)]
pub struct Selection {
    pub candidates: Vec<usize>,
    pub trace: Vec<KeyVerdict>,
}

/// A [`KeyVerdict`] in words, for the debugging page (`explainSelection` in JS).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyVerdictDetail<'a> {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filtered_by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Explanation<'a> {
    pub candidates: Vec<usize>,
    pub trace: Vec<KeyVerdictDetail<'a>>,
}

/// At most this many kids and reasons in a no-match message (sets can hold thousands).
const MESSAGE_LIST_LIMIT: usize = 10;

fn limited_list(items: impl ExactSizeIterator<Item = String>, separator: &str) -> String {
    let total = items.len();
    let mut shown: Vec<String> = items.take(MESSAGE_LIST_LIMIT).collect();
    if total > MESSAGE_LIST_LIMIT {
        shown.push(format!("and {} more", total - MESSAGE_LIST_LIMIT));
    }
    shown.join(separator)
}

/// What a set's text that is a URL is told: jose's users pass the JWKS URI where the keys go
/// (Hono's `jwk` middleware takes one as `jwks_uri`), and "not valid JSON" does not say so.
/// One text for both builds: the verify-only module has no RemoteJwks, its callers fetch.
const URL_NOT_KEYS: &str = "the keys are a URL, not a JWK Set: fetch the set first (new RemoteJwks(url) of the package's main entry does, and caches it)";

/// An `http(s)` URL as text, or as the JSON string a `URL` object serializes to.
fn looks_like_url(text: &str) -> bool {
    // JSON's whitespace (RFC 8259 §2), as before a set's text.
    let text = text.trim_start_matches([' ', '\t', '\n', '\r']);
    let text = text.strip_prefix('"').unwrap_or(text).as_bytes();
    [&b"https://"[..], &b"http://"[..]].iter().any(|scheme| text.len() >= scheme.len() && text[..scheme.len()].eq_ignore_ascii_case(scheme))
}

/// The most keys `parseJwks` (and `RemoteJwks`) accepts in one set unless told otherwise.
pub const DEFAULT_MAX_KEYS: usize = 1000;

impl KeySet {
    /// [`KeySet::parse_str`] that refuses a set of more than `max_keys` keys
    /// (`ERR_JWKS_INVALID`); keys past the limit are read as JSON but not checked.
    pub fn parse_str_bounded(text: &str, options: ParseOptions, max_keys: usize) -> Result<KeySet> {
        read::parse_text(text, options, max_keys).map_err(|err| if looks_like_url(text) { JoseError::jwks_invalid(URL_NOT_KEYS) } else { err })
    }

    /// Parses a JWKS `{"keys":[...]}` or a single JWK from JSON text.
    pub fn parse_str(text: &str, options: ParseOptions) -> Result<KeySet> {
        Self::parse_str_bounded(text, options, usize::MAX)
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
        Ok(KeySet { keys, diagnostics, issuer: None })
    }

    /// The kids of the set's keys, each once, in set order.
    pub fn kids(&self) -> Vec<&str> {
        let mut seen = crate::json_view::Names::new();
        let mut kids = Vec::new();
        for kid in self.keys.iter().filter_map(|k| k.kid.as_deref()) {
            if !seen.contains(kid) {
                seen.push(std::borrow::Cow::Borrowed(kid));
                kids.push(kid);
            }
        }
        kids
    }

    /// The key-selection rule of API.md.
    pub fn select(&self, alg: Alg, kid: Option<&str>, max_candidates: usize) -> Selection {
        let facts = alg.facts();
        let mut candidates = Vec::with_capacity(max_candidates.min(self.keys.len()));
        let trace = self
            .keys
            .iter()
            .map(|key| {
                let mut filtered_by = failing_rule(key, facts, kid);
                if filtered_by.is_none() {
                    if candidates.len() < max_candidates {
                        candidates.push(key.index);
                    } else {
                        filtered_by = Some("max_candidates");
                    }
                }
                KeyVerdict { index: key.index, filtered_by }
            })
            .collect();
        Selection { candidates, trace }
    }

    /// [`KeySet::select`] with each verdict in words, for the debugging page.
    pub fn explain(&self, alg: Alg, kid: Option<&str>, max_candidates: usize) -> Explanation<'_> {
        let selection = self.select(alg, kid, max_candidates);
        let trace = selection
            .trace
            .iter()
            .map(|verdict| {
                let key = &self.keys[verdict.index];
                KeyVerdictDetail {
                    index: verdict.index,
                    kid: key.kid.as_deref(),
                    filtered_by: verdict.filtered_by,
                    detail: verdict.filtered_by.map(|rule| rule_detail(rule, key, alg, kid, max_candidates)),
                }
            })
            .collect();
        Explanation { candidates: selection.candidates, trace }
    }

    /// The error for a selection that found no candidate: the kids the set has and, for the
    /// keys that could have matched, why they did not.
    /// "the set has kids [...]" (at most 20 named) or how many keys it has without one.
    pub fn describe_kids(&self) -> String {
        let kids = self.kids();
        if kids.is_empty() {
            format!("the set has {} key(s), none with a kid", self.keys.len())
        } else {
            format!("the set has kids {}", quoted_list(&kids))
        }
    }

    pub fn no_match_error(&self, alg: Alg, kid: Option<&str>, selection: &Selection) -> JoseError {
        let has = self.describe_kids();
        let wanted = match kid {
            Some(kid) => format!("kid {} and alg {}", quoted(kid), alg.name()),
            None => format!("alg {} (token has no kid)", alg.name()),
        };
        // With a kid in the token, only keys carrying that kid are worth explaining; the
        // others are accounted for by the list of kids.
        let explained: Vec<String> = selection
            .trace
            .iter()
            .filter_map(|verdict| {
                let key = &self.keys[verdict.index];
                let rule = verdict.filtered_by?;
                if kid.is_some() && key.kid.as_deref() != kid {
                    return None;
                }
                Some(format!("key {}: {}", verdict.index, rule_detail(rule, key, alg, kid, 0)))
            })
            .collect();
        let mut message = format!("no key in the JWKS matches {wanted}; {has}");
        if !explained.is_empty() {
            message.push_str(&format!(" ({})", limited_list(explained.into_iter(), "; ")));
        }
        JoseError::new(ErrorCode::NoMatchingKey, message).with_kids(&self.kids())
    }
}

/// The first rule of API.md's "Key selection" that `key` fails, if any.
fn failing_rule(key: &Jwk, facts: &AlgFacts, kid: Option<&str>) -> Option<&'static str> {
    if key.kty() != Some(facts.kty) {
        return Some("kty");
    }
    if facts.crv.is_some() && key.crv.as_deref() != facts.crv {
        return Some("crv");
    }
    if key.alg.as_deref().is_some_and(|key_alg| key_alg != facts.name) {
        return Some("alg");
    }
    if key.use_.as_deref().is_some_and(|u| u != "sig") {
        return Some("use");
    }
    if key.key_ops.as_ref().is_some_and(|ops| !ops.iter().any(|op| op == "verify")) {
        return Some("key_ops");
    }
    if kid.is_some() && key.kid.as_deref() != kid {
        return Some("kid");
    }
    if !key.usable() {
        return Some("unusable");
    }
    if facts.family == Family::Hmac && key.bits.is_some_and(|bits| bits < facts.hash.output_len() * 8) {
        return Some("key_size");
    }
    None
}

/// What `rule` means for `key`, in words.
fn rule_detail(rule: &str, key: &Jwk, alg: Alg, kid: Option<&str>, max_candidates: usize) -> String {
    let facts = alg.facts();
    let name = alg.name();
    match rule {
        "kty" => format!("kty {} does not fit {name} (needs {})", known_or_quoted(&key.kty, key.kty().is_some()), facts.kty.as_str()),
        "crv" => format!("crv {} does not fit {name} (needs {})", key.crv.as_deref().map_or("(none)".to_owned(), |c| known_or_quoted(c, crate::alg::ALGORITHMS.iter().any(|f| f.crv == Some(c)))), facts.crv.unwrap_or("")),
        "alg" => format!("key alg {} differs from token alg {name}", key.alg.as_deref().map_or(String::new(), |a| known_or_quoted(a, Alg::parse(a).is_some()))),
        "use" => format!("use is {}, not \"sig\"", quoted(key.use_.as_deref().unwrap_or(""))),
        "key_ops" => "key_ops lacks \"verify\"".to_owned(),
        "kid" => {
            let has = key.kid.as_deref().map(|k| format!("kid {}", quoted(k))).unwrap_or_else(|| "no kid".to_owned());
            format!("{has}, token wants {}", quoted(kid.unwrap_or("")))
        }
        "unusable" => format!("unusable ({}; see diagnostics)", key.unusable_because.as_deref().unwrap_or("invalid_key")),
        "key_size" => format!("a {}-bit secret is too short for {name}, which needs at least {} bits (RFC 7518 §3.2)", key.bits.unwrap_or(0), facts.hash.output_len() * 8),
        "max_candidates" => format!("fits, but maxCandidates ({max_candidates}) keys before it are tried first"),
        other => other.to_owned(),
    }
}

fn lint_set(keys: &[Jwk], in_a_set: bool, diagnostics: &mut Vec<Diagnostic>) {
    // A BTreeMap, not a HashMap: the same O(n log n) for a large set, and the module keeps one
    // map implementation (serde_json's) instead of two (hashbrown and SipHash: ~2 KB gzipped).
    let mut first_with_kid: BTreeMap<&str, &Jwk> = BTreeMap::new();
    for key in keys {
        let Some(kid) = key.kid.as_deref() else {
            // An unusable key is never selected anyway; its own diagnostics come first.
            if in_a_set && key.usable() {
                diagnostics.push(missing_kid(key));
            }
            continue;
        };
        match first_with_kid.entry(kid) {
            Entry::Vacant(slot) => {
                slot.insert(key);
            }
            Entry::Occupied(first) => diagnostics.push(duplicate_kid(first.get(), key, kid)),
        }
    }
}

fn missing_kid(key: &Jwk) -> Diagnostic {
    let thumbprint = key.thumbprint();
    let fix = if thumbprint.is_empty() { String::new() } else { format!("; add kid = \"{thumbprint}\" (its RFC 7638 thumbprint)") };
    Diagnostic {
        severity: Severity::Warning,
        code: "missing_kid".to_owned(),
        index: Some(key.index),
        kid: None,
        message: format!("key {} has no kid; tokens carrying a kid will never select it, and tokens without one try it with every other kid-less key{fix}", key.index),
    }
}

/// A second key with the same kid. RFC 7517 §4.5 allows this for keys of different types
/// (one token's alg can only ever fit one of them), so that case is only `info`.
fn duplicate_kid(first: &Jwk, key: &Jwk, kid: &str) -> Diagnostic {
    let same_shape = first.kty == key.kty && first.crv == key.crv;
    let (severity, message) = if !same_shape {
        (Severity::Info, format!("key {} shares kid {} with key {}, a key of another type ({} vs {}); RFC 7517 allows this, but a distinct kid per key is clearer", key.index, quoted(kid), first.index, quoted(&key.kty), quoted(&first.kty)))
    } else if !key.thumbprint().is_empty() && key.thumbprint() == first.thumbprint() {
        (Severity::Warning, format!("key {} repeats key {} (same kid {}, same key material); remove the copy", key.index, first.index, quoted(kid)))
    } else {
        (Severity::Warning, format!("key {} repeats kid {} of key {}; a token with this kid must try both keys (up to maxCandidates); give each key its own kid, e.g. its thumbprint \"{}\"", key.index, quoted(kid), first.index, key.thumbprint()))
    };
    Diagnostic { severity, code: "duplicate_kid".to_owned(), index: Some(key.index), kid: Some(kid.to_owned()), message }
}
