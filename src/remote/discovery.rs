//! Metadata discovery: where an issuer's metadata lives (OpenID Connect Discovery 1.0 §4,
//! then RFC 8414 §3) and which `jwks_uri` a metadata document names, after the issuer check.

use crate::encoding::parse_json_strict;
use crate::error::{ErrorCode, JoseError, Result};
use crate::quote::quoted;
use serde_json::Value;

/// An `http(s)` URL split into `scheme://authority` and the path (no query, no fragment); else
/// why it cannot be an issuer identifier to discover.
fn split_issuer(issuer: &str) -> std::result::Result<(&str, &str), &'static str> {
    let after_scheme = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))
        .ok_or("it must start with https:// (or http://), in lower case")?;
    if issuer.contains(['?', '#']) {
        return Err("an issuer identifier has no query or fragment");
    }
    let authority_len = after_scheme.find('/').unwrap_or(after_scheme.len());
    if authority_len == 0 {
        return Err("it has no host");
    }
    let origin_len = issuer.len() - after_scheme.len() + authority_len;
    Ok((&issuer[..origin_len], &issuer[origin_len..]))
}

/// Whether `issuer` can be discovered at all (OpenID Connect Discovery §2, RFC 8414 §2: an
/// `http(s)` URL with no query or fragment); else why not. Checked before any request.
pub fn check_issuer(issuer: &str) -> std::result::Result<(), &'static str> {
    split_issuer(issuer).map(|_| ())
}

/// The metadata URLs to try, in order: OpenID Connect's (appended to the issuer), then
/// RFC 8414's (inserted between the host and the issuer's path).
pub fn metadata_urls(issuer: &str) -> Result<Vec<String>> {
    let (origin, path) = split_issuer(issuer).map_err(|why| {
        JoseError::new(ErrorCode::JwksFetchFailed, format!("issuer {} is not usable for discovery: {why}", quoted(issuer)))
    })?;
    let path = path.trim_end_matches('/');
    Ok(vec![
        format!("{origin}{path}/.well-known/openid-configuration"),
        format!("{origin}/.well-known/oauth-authorization-server{path}"),
    ])
}

/// The `jwks_uri` of the metadata document `body` fetched from `document_url`, once its
/// `issuer` equals `issuer` exactly (OpenID Connect Discovery §4.3, RFC 8414 §3.3).
pub fn jwks_uri(issuer: &str, document_url: &str, body: &str) -> Result<String> {
    let invalid = |why: String| JoseError::jwks_invalid(format!("metadata document {}: {why}", quoted(document_url)));
    let document = match parse_json_strict(body.as_bytes()) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(invalid("not a JSON object".to_owned())),
        Err(why) => return Err(invalid(format!("not valid JSON: {why}"))),
    };
    match document.get("issuer") {
        Some(Value::String(named)) if named == issuer => {}
        Some(Value::String(named)) => {
            return Err(invalid(format!("its issuer {} does not equal the expected issuer {}", quoted(named), quoted(issuer))))
        }
        _ => return Err(invalid("it has no \"issuer\" string".to_owned())),
    }
    let Some(uri) = document.get("jwks_uri").and_then(Value::as_str) else {
        return Err(invalid("it has no \"jwks_uri\" string".to_owned()));
    };
    let https = uri.starts_with("https://");
    if !https && !uri.starts_with("http://") {
        return Err(invalid(format!("jwks_uri {} is not an http(s) URL", quoted(uri))));
    }
    if issuer.starts_with("https://") && !https {
        return Err(invalid(format!("jwks_uri {} is not https although the issuer is", quoted(uri))));
    }
    super::check_url(uri).map_err(|why| invalid(format!("its jwks_uri {why}")))?;
    Ok(uri.to_owned())
}
