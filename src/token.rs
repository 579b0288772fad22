//! Untrusted compact JWS: split, strict base64url, header JSON, size limit. Nothing here
//! trusts the token; it only says whether it is well formed.

use crate::encoding::{b64url_decode, parse_json_strict};
use crate::error::{JoseError, Result};
use crate::json_view::{JsonObject, Member, ObjectView};
use serde_json::{Map, Value};

pub const DEFAULT_MAX_TOKEN_LENGTH: usize = 16384;

/// The three base64url parts of a compact JWS, split after the length check.
pub struct Parts<'t> {
    pub header_b64: &'t str,
    pub payload_b64: &'t str,
    pub signature_b64: &'t str,
}

impl<'t> Parts<'t> {
    pub fn split(token: &'t str, max_length: usize) -> Result<Self> {
        if let Some(length) = over_max_length(token, max_length) {
            return Err(too_long(length, max_length));
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JoseError::jws_invalid("Invalid Compact JWS: expected three dot-separated parts"));
        };
        Ok(Parts { header_b64, payload_b64, signature_b64 })
    }

    /// Length of `BASE64URL(header) || '.' || BASE64URL(payload)`.
    pub fn signed_len(&self) -> usize {
        self.header_b64.len() + 1 + self.payload_b64.len()
    }

    pub fn header_bytes(&self) -> Result<Vec<u8>> {
        b64url_decode(self.header_b64).ok_or_else(|| JoseError::jws_invalid("JWS Protected Header is not valid base64url"))
    }

    /// The decoded payload and signature, after the header's checks ([`check_header_json`]).
    pub fn payload_and_signature(&self) -> Result<(Vec<u8>, Vec<u8>)> {
        let payload = b64url_decode(self.payload_b64)
            .ok_or_else(|| JoseError::jws_invalid("JWS Payload is not valid base64url"))?;
        let signature = b64url_decode(self.signature_b64)
            .ok_or_else(|| JoseError::jws_invalid("JWS Signature is not valid base64url"))?;
        Ok((payload, signature))
    }
}

/// `Some(length)` when `token` is longer than `max_length` characters, counted as JavaScript
/// counts a string's length (UTF-16 code units), the unit of `maxTokenLength`: a 10,000-character
/// text of `é` is 20,000 UTF-8 bytes but not over 16384. A UTF-8 text has at least as many bytes
/// as code units, so the characters are counted only when the bytes are over the limit.
pub fn over_max_length(token: &str, max_length: usize) -> Option<usize> {
    if token.len() <= max_length {
        return None;
    }
    let length = token.encode_utf16().count();
    (length > max_length).then_some(length)
}

/// The error for a token of `length` characters over `max_length`, on every path.
pub fn too_long(length: usize, max_length: usize) -> JoseError {
    JoseError::jws_invalid(format!("token is {length} characters long, more than maxTokenLength ({max_length})"))
}

/// Every header member the rules read.
pub const HEADER_MEMBERS: &[&str] = &["alg", "kid", "typ", "crit", "b64"];

/// The protected header read through a view of [`HEADER_MEMBERS`], with the checks that come
/// before the payload is decoded.
pub fn header_view(header_bytes: &[u8]) -> Result<ObjectView<'_>> {
    let header = header_object(ObjectView::parse(header_bytes, HEADER_MEMBERS))?;
    check_header_json(&header, header_bytes)?;
    Ok(header)
}

/// The `kid` of a token's header, for a key set's lookup (`None`: no string kid, or a token
/// verification will refuse anyway).
pub fn kid(token: &str, max_length: usize) -> Option<String> {
    let parts = Parts::split(token, max_length).ok()?;
    let header_bytes = parts.header_bytes().ok()?;
    let header = header_view(&header_bytes).ok()?;
    header.str_member("kid").map(str::to_owned)
}

/// The header as parsed (`Ok(None)`: JSON but not an object) -> the object, or the error.
pub fn header_object<T>(parsed: std::result::Result<Option<T>, String>) -> Result<T> {
    match parsed {
        Ok(Some(header)) => Ok(header),
        Ok(None) => Err(JoseError::jws_invalid("JWS Protected Header must be a JSON object")),
        Err(why) => Err(JoseError::jws_invalid(format!("JWS Protected Header is invalid: {why}"))),
    }
}

/// The checks on a parsed header that come before the payload is decoded: an unencoded
/// payload need not be base64url at all.
pub fn check_header_json(header: &(impl JsonObject + ?Sized), header_bytes: &[u8]) -> Result<()> {
    match header.member("b64") {
        None | Some(Member::Bool(true)) => {}
        Some(Member::Bool(false)) => return Err(JoseError::jwt_invalid("JWTs MUST NOT use unencoded payload (b64: false)")),
        Some(_) => return Err(JoseError::jws_invalid("JWS Protected Header parameter \"b64\" must be a boolean")),
    }
    std::str::from_utf8(header_bytes).map_err(|_| JoseError::jws_invalid("JWS Protected Header is not UTF-8"))?;
    Ok(())
}

/// `decodeJwt`: header and payload without any verification. The payload must be a JSON object.
/// Returns the header and payload as their original JSON text (member order kept).
pub fn decode(token: &str, max_length: usize) -> Result<Decoded> {
    let parts = Parts::split(token, max_length)?;
    let header_bytes = parts.header_bytes()?;
    header_view(&header_bytes)?;
    let (payload, signature) = parts.payload_and_signature()?;
    claims_view(&payload, &[])?;
    let header_json = String::from_utf8(header_bytes).map_err(|_| JoseError::jws_invalid("JWS Protected Header is not UTF-8"))?;
    let payload_json = String::from_utf8(payload).map_err(|_| JoseError::jwt_invalid("JWT Claims Set is not UTF-8"))?;
    Ok(Decoded { header_json, payload_json, signature })
}

/// The `decodeJwt` API: [`decode`], with every malformed input reported as `ERR_JWT_INVALID`, as
/// jose's `decodeJwt` reports it, whichever part is at fault. The size limit keeps the code it
/// has on every path (`ERR_JWS_INVALID`).
pub fn decode_jwt(token: &str, max_length: usize) -> Result<Decoded> {
    let too_long = over_max_length(token, max_length).is_some();
    decode(token, max_length).map_err(|err| if too_long { err } else { JoseError::jwt_invalid(err.message) })
}

pub struct Decoded {
    pub header_json: String,
    pub payload_json: String,
    pub signature: Vec<u8>,
}

/// The JWT Claims Set read through a view that captures `wanted`; the same checks and errors
/// as [`parse_claims`].
pub fn claims_view<'a>(payload: &'a [u8], wanted: &'static [&'static str]) -> Result<ObjectView<'a>> {
    match ObjectView::parse(payload, wanted) {
        Ok(Some(view)) => Ok(view),
        Ok(None) => Err(JoseError::jwt_invalid("JWT Claims Set must be a top-level JSON object")),
        Err(why) => Err(JoseError::jwt_invalid(format!("JWT Claims Set is not valid JSON: {why}"))),
    }
}

/// The JWT Claims Set: a JSON object, nothing else.
pub fn parse_claims(payload: &[u8]) -> Result<Map<String, Value>> {
    match parse_json_strict(payload) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(JoseError::jwt_invalid("JWT Claims Set must be a top-level JSON object")),
        Err(why) => Err(JoseError::jwt_invalid(format!("JWT Claims Set is not valid JSON: {why}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::{decode_jwt, over_max_length, Parts};

    #[test]
    fn max_token_length_counts_characters_as_javascript_does() {
        for (text, length) in [("a".repeat(16), 16), ("\u{e9}".repeat(16), 16), ("\u{20ac}".repeat(16), 16), ("\u{1f600}".repeat(8), 16)] {
            assert_eq!(over_max_length(&text, length), None, "{text}");
            assert_eq!(over_max_length(&text, length - 1), Some(length), "{text}");
        }
        // Within the limit in characters though not in bytes: malformed, not too long.
        let text = format!("a.b.{}", "\u{e9}".repeat(10));
        assert!(Parts::split(&text, 14).is_ok());
        let err = decode_jwt(&"\u{e9}".repeat(10), 10).err().expect("malformed");
        assert_eq!(err.code(), "ERR_JWT_INVALID", "{}", err.message);
        let err = decode_jwt(&"\u{e9}".repeat(11), 10).err().expect("too long");
        assert_eq!((err.code(), err.message.as_str()), ("ERR_JWS_INVALID", "token is 11 characters long, more than maxTokenLength (10)"));
    }
}
