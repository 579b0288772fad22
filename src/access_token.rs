//! RFC 9068 JWT access tokens, a profile on top of [`crate::verify`]: header `typ` `at+jwt`;
//! `iss`, `exp`, `aud`, `sub`, `client_id`, `iat`, `jti` required; `scope` holding every
//! `requiredScopes` entry.
//!
//! As for the other profiles, the derived [`VerifyOptions`] carry what they can express (the
//! `typ`, the issuer, the audience, the required claims); [`AccessTokenOptions`] checks the
//! claim types those rules do not (before them, so that an `iss` of the wrong type reads
//! `invalid`, not `check_failed`) and the scopes (after them).

use crate::claims::normalize_typ;
use crate::crypto::SignatureVerifier;
use crate::error::{ClaimReason, JoseError, Result};
use crate::json_view::{JsonObject, Member};
use crate::jwks::KeySet;
use crate::options::{read, ClaimOptions, OptionError, OptionValue, Part, Reader, TokenOptions, VerifyOptions};
use crate::verify::{self, Checked, Profile};

/// The header `typ` RFC 9068 §2.1 fixes (compared as [`normalize_typ`] does).
pub const TYP: &str = "at+jwt";
/// The claims RFC 9068 §2.2 requires, in the order their presence is checked.
pub const REQUIRED_CLAIMS: [&str; 7] = ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"];

/// The members of the access-token options that plain `VerifyOptions` lack.
#[derive(Debug, Clone, Default)]
pub struct ScopeSettings {
    /// Scopes the token's `scope` claim (space-separated) must all contain. Default: none.
    pub required_scopes: Option<Vec<String>>,
}

impl Part for ScopeSettings {
    fn read_part(reader: &Reader) -> Result<Self, OptionError> {
        let mut required_scopes = None;
        reader.members(&["requiredScopes"], &mut |_, v| {
            required_scopes = Some(read::strings(v)?);
            Ok(())
        })?;
        Ok(ScopeSettings { required_scopes })
    }
}

/// The options of `verifyAccessToken` (and of `authenticateRequest`'s token check), resolved.
#[derive(Debug, Clone)]
pub struct AccessTokenOptions {
    pub verify: VerifyOptions,
    pub required_scopes: Vec<String>,
    /// `true`: the RFC 9068 profile (typ, required claims, their types). `false`: a plain JWT
    /// with only the scope rule added (`authenticateRequest`'s `profile: "jwt"`).
    pub rfc9068: bool,
}

impl AccessTokenOptions {
    /// `VerifyOptions & { requiredScopes? }`, with `audience` and `issuer` required.
    pub fn read(value: &OptionValue) -> std::result::Result<AccessTokenOptions, OptionError> {
        let reader = Reader::new(value)?;
        let token: TokenOptions = reader.part()?;
        let claims: ClaimOptions = reader.part()?;
        let scopes: ScopeSettings = reader.part()?;
        reader.finish()?;
        AccessTokenOptions::resolve(token, claims, scopes, true)
    }

    /// For native callers and tests: the options as JSON.
    pub fn from_json(json: &serde_json::Value) -> std::result::Result<AccessTokenOptions, OptionError> {
        AccessTokenOptions::read(&OptionValue::from_json(json))
    }

    /// The parts read, validated and resolved; `rfc9068` as in [`AccessTokenOptions::rfc9068`].
    pub fn resolve(token: TokenOptions, claims: ClaimOptions, scopes: ScopeSettings, rfc9068: bool) -> std::result::Result<AccessTokenOptions, OptionError> {
        token.validate()?;
        let required_scopes = scopes.required_scopes.unwrap_or_default();
        for (index, scope) in required_scopes.iter().enumerate() {
            if !is_scope_token(scope) {
                return Err(OptionError::new(format!("requiredScopes[{index}]"), "must be one scope: a non-empty string of printable ASCII without spaces, '\"' or '\\' (RFC 6749 §3.3)"));
            }
        }
        let mut verify = VerifyOptions::resolve(token, claims, 0.0);
        if rfc9068 {
            for (name, value) in [("audience", &verify.audience), ("issuer", &verify.issuer)] {
                match value {
                    None => return Err(OptionError::new(name, "is required for an RFC 9068 access token")),
                    Some(value) => value.check_names(name)?,
                }
            }
            if let Some(typ) = &verify.typ {
                if normalize_typ(typ) != normalize_typ(TYP) {
                    return Err(OptionError::new("typ", format!("must be \"at+jwt\" (or be left out) for an RFC 9068 access token, got {}", crate::quote::quoted(typ))));
                }
            }
            verify.typ = Some(TYP.to_owned());
            for claim in REQUIRED_CLAIMS {
                if !verify.required_claims.iter().any(|c| c == claim) {
                    verify.required_claims.push(claim.to_owned());
                }
            }
        }
        Ok(AccessTokenOptions { verify, required_scopes, rfc9068 })
    }

    /// The claim types the registered-claim rules leave open (RFC 9068 §2.2): `iss`, `sub`,
    /// `client_id`, `jti` strings, `aud` a string or an array of strings, `scope` a string.
    fn check_types(&self, claims: &(impl JsonObject + ?Sized)) -> Result<()> {
        if !self.rfc9068 {
            return Ok(());
        }
        for claim in ["iss", "sub", "client_id", "jti", "scope"] {
            match claims.member(claim) {
                None => {}
                Some(Member::Str(text)) if !text.is_empty() || claim == "scope" => {}
                Some(_) => return Err(JoseError::claim_failed(claim, ClaimReason::Invalid, format!("\"{claim}\" claim must be a non-empty string"))),
            }
        }
        match claims.member("aud") {
            None | Some(Member::Str(_)) => Ok(()),
            Some(Member::Array(items)) if items.strings().all(|i| i.is_some()) => Ok(()),
            Some(_) => Err(JoseError::claim_failed("aud", ClaimReason::Invalid, "\"aud\" claim must be a string or an array of strings")),
        }
    }

    /// Every `requiredScopes` entry must be one of the space-separated values of `scope`.
    fn check_scopes(&self, claims: &(impl JsonObject + ?Sized)) -> Result<()> {
        if self.required_scopes.is_empty() {
            return Ok(());
        }
        let granted = match claims.member("scope") {
            Some(Member::Str(text)) => text,
            Some(_) => return Err(JoseError::claim_failed("scope", ClaimReason::Invalid, "\"scope\" claim must be a string")),
            None => "",
        };
        if has_scopes(granted, &self.required_scopes) {
            Ok(())
        } else {
            Err(JoseError::claim_failed("scope", ClaimReason::InsufficientScope, "the \"scope\" claim lacks a required scope"))
        }
    }
}

/// Whether every `required` scope is a member of the space-separated list `granted`.
pub fn has_scopes(granted: &str, required: &[String]) -> bool {
    required.iter().all(|scope| granted.split(' ').any(|g| g == scope))
}

/// RFC 6749 §3.3 `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
pub fn is_scope_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

impl Profile for AccessTokenOptions {
    type Outcome = ();

    fn verify_options(&self) -> &VerifyOptions {
        &self.verify
    }

    fn precheck<H: JsonObject + ?Sized, C: JsonObject + ?Sized>(&self, _: &H, claims: &C) -> Result<()> {
        self.check_types(claims)
    }

    fn check<H: JsonObject + ?Sized, C: JsonObject + ?Sized>(&self, _: &H, claims: &C, _: f64) -> Result<()> {
        self.check_scopes(claims)
    }
}

/// The whole check with one synchronous backend (the Rust API).
pub fn verify_access_token(token: &str, keys: &KeySet, options: &AccessTokenOptions, now: f64, backend: &dyn SignatureVerifier) -> Result<verify::Verified> {
    let checked: Checked<()> = verify::run(token, keys, options, now, |c| backend.verify(c.alg, c.key, c.signing_input, c.signature))?;
    Ok(verify::Verified::from(checked))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn required(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn scope_membership_is_by_whole_space_separated_values() {
        assert!(has_scopes("read write", &required(&["read"])));
        assert!(has_scopes("read write", &required(&["write", "read"])));
        assert!(!has_scopes("ab", &required(&["a"])));
        assert!(!has_scopes("a", &required(&["ab"])));
        assert!(!has_scopes("read  write", &required(&["read write"])));
        assert!(has_scopes("", &[]));
        assert!(!has_scopes("", &required(&["read"])));
    }

    #[test]
    fn options_need_audience_and_issuer_and_fix_typ() {
        let err = AccessTokenOptions::from_json(&serde_json::json!({ "issuer": "https://as" })).unwrap_err();
        assert_eq!(err.path, "audience");
        let err = AccessTokenOptions::from_json(&serde_json::json!({ "audience": "api" })).unwrap_err();
        assert_eq!(err.path, "issuer");
        let err = AccessTokenOptions::from_json(&serde_json::json!({ "audience": "api", "issuer": "i", "typ": "JWT" })).unwrap_err();
        assert_eq!(err.path, "typ");
        let ok = AccessTokenOptions::from_json(&serde_json::json!({ "audience": "api", "issuer": "i", "typ": "application/AT+JWT" })).unwrap();
        assert_eq!(ok.verify.typ.as_deref(), Some(TYP));
        let err = AccessTokenOptions::from_json(&serde_json::json!({ "audience": "api", "issuer": "i", "requiredScopes": ["a b"] })).unwrap_err();
        assert_eq!(err.path, "requiredScopes[0]");
        let err = AccessTokenOptions::from_json(&serde_json::json!({ "audience": "api", "issuer": "i", "requiredScope": ["a"] })).unwrap_err();
        assert!(err.message("verifyAccessToken").contains("requiredScopes"), "{}", err.message("x"));
    }

    #[test]
    fn an_audience_or_issuer_that_names_nothing_is_refused_as_an_option() {
        for empty in [serde_json::json!([]), serde_json::json!(""), serde_json::json!([""]), serde_json::json!(["", ""])] {
            for (name, other) in [("audience", "issuer"), ("issuer", "audience")] {
                let err = AccessTokenOptions::from_json(&serde_json::json!({ name: empty.clone(), other: "x" })).unwrap_err();
                assert_eq!(err.path, name, "{empty}");
            }
        }
        for empty in [serde_json::json!(["", "api"]), serde_json::json!(["api", ""])] {
            assert_eq!(AccessTokenOptions::from_json(&serde_json::json!({ "audience": empty.clone(), "issuer": "i" })).unwrap_err().path, "audience");
            assert_eq!(AccessTokenOptions::from_json(&serde_json::json!({ "audience": "api", "issuer": empty })).unwrap_err().path, "issuer");
        }
        for named in [serde_json::json!("api"), serde_json::json!(["api", "other"]), serde_json::json!(["api"])] {
            assert!(AccessTokenOptions::from_json(&serde_json::json!({ "audience": named.clone(), "issuer": named })).is_ok());
        }
    }
}
