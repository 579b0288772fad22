//! `VerifyOptions` of API.md, as the core sees them. Each field's default is in its doc.

use crate::alg::Alg;
use crate::jwks::DEFAULT_MAX_CANDIDATES;
use crate::token::DEFAULT_MAX_TOKEN_LENGTH;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A string or an array of strings (`issuer`, `audience`).
#[derive(Debug, Clone)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde_json::Value;
        let expected = || serde::de::Error::custom("issuer and audience must be a string or an array of strings");
        match Value::deserialize(deserializer)? {
            Value::String(one) => Ok(OneOrMany::One(one)),
            Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    _ => Err(expected()),
                })
                .collect::<Result<_, _>>()
                .map(OneOrMany::Many),
            _ => Err(expected()),
        }
    }
}

impl OneOrMany {
    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyOptions {
    /// Allow-list of `alg` values. Default (`None`): every asymmetric algorithm that fits the
    /// selected key; `HS*` only when listed here. `none` is never accepted.
    #[serde(default)]
    pub algorithms: Option<Vec<String>>,
    /// Makes `iss` required; it must equal one of these.
    #[serde(default)]
    pub issuer: Option<OneOrMany>,
    /// Makes `aud` required; passes when any expected value is in the token's `aud`.
    #[serde(default)]
    pub audience: Option<OneOrMany>,
    /// Default `true`; `false` rejects an `aud` array of more than one value.
    #[serde(default = "yes")]
    pub allow_multiple_audiences: bool,
    /// Makes `sub` required; it must equal this.
    #[serde(default)]
    pub subject: Option<String>,
    /// Expected `typ` header, compared case-insensitively with `application/` optional.
    #[serde(default)]
    pub typ: Option<String>,
    /// Claims that must be present.
    #[serde(default)]
    pub required_claims: Vec<String>,
    /// Seconds of leeway for `exp`, `nbf` and `iat`. Default 0.
    #[serde(default, deserialize_with = "crate::duration::seconds")]
    pub clock_tolerance: f64,
    /// Seconds; makes `iat` required and bounds the token's age.
    #[serde(default, deserialize_with = "crate::duration::optional_seconds")]
    pub max_token_age: Option<f64>,
    /// "Now" in seconds; the caller (binding) fills it in from the host clock when absent.
    #[serde(default)]
    pub current_date: Option<f64>,
    /// Extensions the caller understands; any other name in a `crit` header is refused.
    #[serde(default)]
    pub crit: BTreeMap<String, bool>,
    /// Default 16384 characters.
    #[serde(default = "default_max_token_length")]
    pub max_token_length: usize,
    /// How many keys are tried when several match. Default 4.
    #[serde(default = "default_max_candidates")]
    pub max_candidates: usize,
}

pub(crate) fn yes() -> bool {
    true
}
pub(crate) fn default_max_token_length() -> usize {
    DEFAULT_MAX_TOKEN_LENGTH
}
pub(crate) fn default_max_candidates() -> usize {
    DEFAULT_MAX_CANDIDATES
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            algorithms: None,
            issuer: None,
            audience: None,
            allow_multiple_audiences: true,
            subject: None,
            typ: None,
            required_claims: Vec::new(),
            clock_tolerance: 0.0,
            max_token_age: None,
            current_date: None,
            crit: BTreeMap::new(),
            max_token_length: DEFAULT_MAX_TOKEN_LENGTH,
            max_candidates: DEFAULT_MAX_CANDIDATES,
        }
    }
}

impl VerifyOptions {
    /// Whether `alg` is allowed before any key is looked at.
    pub fn explicitly_lists(&self, name: &str) -> bool {
        self.algorithms.as_ref().is_some_and(|list| list.iter().any(|a| a == name))
    }

    pub fn allows(&self, alg: Alg) -> bool {
        match &self.algorithms {
            Some(list) => list.iter().any(|a| a == alg.name()),
            None => !alg.is_symmetric(),
        }
    }
}
