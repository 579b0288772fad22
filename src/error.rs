//! The one error type of the crate. `code()` gives the `ERR_*` string of API.md.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    JwsInvalid,
    JwtInvalid,
    SignatureVerificationFailed,
    AlgNotAllowed,
    NotSupported,
    JwtExpired,
    ClaimValidationFailed,
    JwkInvalid,
    JwksInvalid,
    NoMatchingKey,
    JwksTimeout,
    JwksFetchFailed,
    JwtReplayed,
    WebhookBodyMismatch,
    /// A `ReplayCache` full of live entries refuses a new one (fail closed).
    ReplayStoreFull,
    /// A `ReplayStore` threw, rejected, answered neither true nor false, or timed out.
    ReplayStoreUnavailable,
    /// A DPoP proof (RFC 9449) that fails any check but replay.
    DpopInvalid,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::JwsInvalid => "ERR_JWS_INVALID",
            ErrorCode::JwtInvalid => "ERR_JWT_INVALID",
            ErrorCode::SignatureVerificationFailed => "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            ErrorCode::AlgNotAllowed => "ERR_JOSE_ALG_NOT_ALLOWED",
            ErrorCode::NotSupported => "ERR_JOSE_NOT_SUPPORTED",
            ErrorCode::JwtExpired => "ERR_JWT_EXPIRED",
            ErrorCode::ClaimValidationFailed => "ERR_JWT_CLAIM_VALIDATION_FAILED",
            ErrorCode::JwkInvalid => "ERR_JWK_INVALID",
            ErrorCode::JwksInvalid => "ERR_JWKS_INVALID",
            ErrorCode::NoMatchingKey => "ERR_JWKS_NO_MATCHING_KEY",
            ErrorCode::JwksTimeout => "ERR_JWKS_TIMEOUT",
            ErrorCode::JwksFetchFailed => "ERR_JWKS_FETCH_FAILED",
            ErrorCode::JwtReplayed => "ERR_JWT_REPLAYED",
            ErrorCode::WebhookBodyMismatch => "ERR_WEBHOOK_BODY_MISMATCH",
            ErrorCode::ReplayStoreFull => "ERR_REPLAY_STORE_FULL",
            ErrorCode::ReplayStoreUnavailable => "ERR_REPLAY_STORE_UNAVAILABLE",
            ErrorCode::DpopInvalid => "ERR_DPOP_INVALID",
        }
    }
}

/// Why a claim check failed (`reason` of a claim error in API.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimReason {
    Missing,
    Invalid,
    CheckFailed,
    MultipleAudiences,
    LifetimeTooLong,
    /// An access token's `scope` lacks a required scope.
    InsufficientScope,
    /// A time claim too far in the past / in the future (DPoP `iat`).
    TooOld,
    InFuture,
    /// DPoP proofs: which header check failed (`typ`, `alg`, `jwk`, `crit`, `signature`,
    /// `malformed`).
    Typ,
    Alg,
    Jwk,
    Crit,
    Signature,
    Malformed,
}

impl ClaimReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimReason::Missing => "missing",
            ClaimReason::Invalid => "invalid",
            ClaimReason::CheckFailed => "check_failed",
            ClaimReason::MultipleAudiences => "multiple_audiences",
            ClaimReason::LifetimeTooLong => "lifetime_too_long",
            ClaimReason::InsufficientScope => "insufficient_scope",
            ClaimReason::TooOld => "too_old",
            ClaimReason::InFuture => "in_future",
            ClaimReason::Typ => "typ",
            ClaimReason::Alg => "alg",
            ClaimReason::Jwk => "jwk",
            ClaimReason::Crit => "crit",
            ClaimReason::Signature => "signature",
            ClaimReason::Malformed => "malformed",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct JoseError {
    pub code: ErrorCode,
    pub message: String,
    /// For claim failures: the claim (or header parameter, for `typ`) that failed.
    pub claim: Option<String>,
    pub reason: Option<ClaimReason>,
    /// For `ERR_JWKS_NO_MATCHING_KEY`: the first kids of the set (at most 20) and how many it has.
    pub kids: Option<Kids>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Kids {
    pub first: Vec<String>,
    pub count: usize,
}

impl JoseError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        JoseError { code, message: message.into(), claim: None, reason: None, kids: None }
    }

    pub fn claim(code: ErrorCode, claim: &str, reason: ClaimReason, message: impl Into<String>) -> Self {
        JoseError { code, message: message.into(), claim: Some(claim.to_owned()), reason: Some(reason), kids: None }
    }

    /// Attaches the set's kids, capped ([`crate::quote::capped_kids`]).
    pub fn with_kids<S: AsRef<str>>(mut self, kids: &[S]) -> Self {
        let (first, count) = crate::quote::capped_kids(kids);
        self.kids = Some(Kids { first, count });
        self
    }

    pub fn code(&self) -> &'static str {
        self.code.as_str()
    }

    pub fn jws_invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::JwsInvalid, message)
    }

    pub fn jwt_invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::JwtInvalid, message)
    }

    pub fn jwks_invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::JwksInvalid, message)
    }

    pub fn not_supported(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotSupported, message)
    }

    pub fn signature_failed() -> Self {
        Self::new(ErrorCode::SignatureVerificationFailed, "signature verification failed")
    }

    /// A failed claim check that is not about expiry.
    pub fn claim_failed(claim: &str, reason: ClaimReason, message: impl Into<String>) -> Self {
        Self::claim(ErrorCode::ClaimValidationFailed, claim, reason, message)
    }
}

impl fmt::Display for JoseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message)
    }
}

impl std::error::Error for JoseError {}

pub type Result<T, E = JoseError> = std::result::Result<T, E>;
