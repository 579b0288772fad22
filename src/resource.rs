//! `authenticateRequest`'s decisions for a resource server: the `Authorization` and `DPoP`
//! headers read (RFC 7235, RFC 6750 §2.1, RFC 9449 §7), each failure mapped to its RFC 6750 /
//! RFC 9449 result (status, `error`, a fixed `error_description`), the `cnf.jkt` binding
//! (RFC 9449 §7.1), and the `WWW-Authenticate` challenges (RFC 9110 §11.6.1 quoting).
//!
//! The host only reads the request, calls the verifiers in between, and builds the response:
//! [`ResourceOptions::credentials`] → verify the token (a [`crate::access_token`] profile) →
//! verify the proof (DPoP scheme) → [`ResourceOptions::bind`]. A failure of any step is a
//! [`Failure`]; its `error_description` is one of [`Phrase`]'s, never text from the request.

use crate::access_token::{AccessTokenOptions, ScopeSettings};
use crate::alg::{Alg, ALGORITHMS};
use crate::error::JoseError;
use crate::http_uri;
use crate::options::{read, ClaimOptions, HostValue, OptionError, OptionValue, Part, Reader, TokenOptions};
use crate::token::over_max_length;
use serde_json::{json, Value};

/// `dpop` option: whether the DPoP scheme is accepted, and whether Bearer still is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DpopMode {
    #[default]
    Allowed,
    Required,
    /// The DPoP scheme counts as unknown (no credentials); no `DPoP` challenge.
    Off,
}

/// `profile` option: which rules the access token is verified with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenProfile {
    /// RFC 9068 (`verifyAccessToken`).
    #[default]
    AtJwt,
    /// `verifyJwt`'s rules, plus `requiredScopes`.
    Jwt,
}

/// Where a DPoP proof's `jti` is marked used. Proofs are always single-use (RFC 9449 §11.1): a
/// store is required, and without `dpopReplay` it is the runtime's in-process `ReplayCache`,
/// one for every call (its keys are scoped by the proof's `jkt`, so resource servers sharing
/// it cannot block each other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofReplay {
    /// The caller's `dpopReplay` store.
    Given,
    /// The runtime's in-process cache: proofs are single-use within this process.
    InProcess,
}

impl ProofReplay {
    /// The store the host passes: the `dpopReplay` option, or its own process-wide cache.
    pub fn name(self) -> &'static str {
        match self {
            ProofReplay::Given => "dpopReplay",
            ProofReplay::InProcess => "process",
        }
    }
}

/// The members of `AuthenticateOptions` that `VerifyOptions` lack.
#[derive(Debug, Clone)]
struct ResourceSettings {
    /// The token issuer's keys (a `KeysInput`; the host resolves it).
    keys: HostValue,
    /// Default `"at+jwt"`.
    profile: Option<TokenProfile>,
    /// Default `"allowed"`.
    dpop: Option<DpopMode>,
    /// A `ReplayStore` for the proofs' `jti` (scoped by `jkt`).
    dpop_replay: Option<HostValue>,
    /// Algorithms a DPoP proof may use (asymmetric only). Default: the asymmetric ones of
    /// `algorithms`, or every asymmetric algorithm when `algorithms` is not set.
    dpop_algorithms: Option<Vec<String>>,
    /// The `realm` of the challenges.
    realm: Option<String>,
    /// RFC 9728 `resource_metadata`: the absolute URL of this resource's metadata.
    resource_metadata: Option<String>,
    /// This resource's public origin: a DPoP proof's `htu` is compared with it + the
    /// request's path and query, never with the client's Host header.
    origin: Option<String>,
}

impl Part for ResourceSettings {
    fn read_part(reader: &Reader) -> Result<Self, OptionError> {
        let (mut keys, mut profile, mut dpop, mut dpop_replay, mut dpop_algorithms) = (None, None, None, None, None);
        let (mut realm, mut resource_metadata, mut origin) = (None, None, None);
        reader.members(&["keys", "profile", "dpop", "dpopReplay", "dpopAlgorithms", "realm", "resourceMetadata", "origin"], &mut |name, v| {
            match name {
                "keys" => keys = Some(read::host(v)?),
                "profile" => profile = Some([TokenProfile::AtJwt, TokenProfile::Jwt][read::one_of(v, &["at+jwt", "jwt"])?]),
                "dpop" => dpop = Some([DpopMode::Allowed, DpopMode::Required, DpopMode::Off][read::one_of(v, &["allowed", "required", "off"])?]),
                "dpopReplay" => dpop_replay = Some(read::host(v)?),
                "dpopAlgorithms" => dpop_algorithms = Some(read::strings(v)?),
                "realm" => realm = Some(read::string(v)?),
                "resourceMetadata" => resource_metadata = Some(read::string(v)?),
                "origin" => origin = Some(read::string(v)?),
                _ => {}
            }
            Ok(())
        })?;
        let keys = read::required(keys, "keys")?;
        Ok(ResourceSettings { keys, profile, dpop, dpop_replay, dpop_algorithms, realm, resource_metadata, origin })
    }
}

/// `AuthenticateOptions`, resolved.
#[derive(Debug, Clone)]
pub struct ResourceOptions {
    pub token: AccessTokenOptions,
    pub profile: TokenProfile,
    pub dpop: DpopMode,
    /// Named in `DPoP algs="…"` and the only algorithms a proof may use, in table order.
    pub dpop_algorithms: Vec<Alg>,
    pub proof_replay: ProofReplay,
    pub realm: Option<String>,
    pub resource_metadata: Option<String>,
    /// The `origin` option, normalised without a trailing `/`.
    pub origin: Option<String>,
}

/// The characters an `Authorization` value may hold besides its token (the scheme, its
/// spaces): a longer value is refused unread (here, and by `verifyWebhook`'s bearer reader).
const SCHEME_ALLOWANCE: usize = 64;

/// The largest `Authorization` value read for a token of at most `max_token_length`: the
/// scheme, its spaces, the token.
pub fn max_authorization_length(max_token_length: usize) -> usize {
    max_token_length.saturating_add(SCHEME_ALLOWANCE)
}

/// The error for an `Authorization` value of `length` characters over what `max_token_length`
/// allows (the token's limit plus [`SCHEME_ALLOWANCE`]), on every path.
pub fn authorization_too_long(length: usize, max_token_length: usize) -> JoseError {
    JoseError::jws_invalid(format!(
        "the Authorization header is {length} characters long, more than maxTokenLength ({max_token_length}) plus {SCHEME_ALLOWANCE} for the scheme and spaces"
    ))
}

/// Longest request URL and method read (the URL only matters for a DPoP proof's `htu`, and
/// `verifyDpopProof` takes no longer one).
pub const MAX_URL_LENGTH: usize = http_uri::MAX_URI_LENGTH;
pub const MAX_METHOD_LENGTH: usize = 64;
const MAX_PARAM_LENGTH: usize = 2048;

impl ResourceOptions {
    pub fn read(value: &OptionValue) -> Result<ResourceOptions, OptionError> {
        let reader = Reader::new(value)?;
        let token: TokenOptions = reader.part()?;
        let claims: ClaimOptions = reader.part()?;
        let scopes: ScopeSettings = reader.part()?;
        let settings: ResourceSettings = reader.part()?;
        reader.finish()?;
        settings.keys.expect("keys", crate::assertion::KEYS_KINDS, crate::assertion::KEYS_WHAT)?;
        let proof_replay = match settings.dpop_replay {
            Some(replay) => replay.expect_replay_store("dpopReplay").map(|()| ProofReplay::Given)?,
            None => ProofReplay::InProcess,
        };
        let profile = settings.profile.unwrap_or_default();
        let dpop = settings.dpop.unwrap_or_default();
        let token = AccessTokenOptions::resolve(token, claims, scopes, profile == TokenProfile::AtJwt)?;
        let dpop_algorithms = dpop_algorithms(settings.dpop_algorithms.as_deref(), token.verify.algorithms.as_deref())?;
        if dpop != DpopMode::Off && dpop_algorithms.is_empty() {
            if settings.dpop_algorithms.is_some() {
                return Err(OptionError::new("dpopAlgorithms", "lists no algorithm, so no DPoP proof could verify: list one, or set dpop: \"off\""));
            }
            return Err(OptionError::new("algorithms", "lists no asymmetric algorithm, so no DPoP proof could verify: set dpopAlgorithms, or dpop: \"off\""));
        }
        for (name, value) in [("realm", &settings.realm), ("resourceMetadata", &settings.resource_metadata)] {
            if let Some(text) = value {
                check_param(name, text)?;
            }
        }
        if let Some(url) = &settings.resource_metadata {
            http_uri::normalize(url).map_err(|why| OptionError::new("resourceMetadata", format!("must be the absolute http(s) URL of this resource's metadata, but it {why}")))?;
        }
        let origin = settings.origin.as_deref().map(check_origin).transpose()?;
        Ok(ResourceOptions { token, profile, dpop, dpop_algorithms, proof_replay, realm: settings.realm, resource_metadata: settings.resource_metadata, origin })
    }

    /// For native callers and tests: the options as JSON (`keys` as any object).
    pub fn from_json(json: &Value) -> Result<ResourceOptions, OptionError> {
        ResourceOptions::read(&OptionValue::from_json(json))
    }
}

/// The proof algorithms: `dpopAlgorithms` (each asymmetric and known), else the asymmetric
/// ones of `algorithms`, else every asymmetric one; in the algorithm table's order.
fn dpop_algorithms(listed: Option<&[String]>, algorithms: Option<&[String]>) -> Result<Vec<Alg>, OptionError> {
    if let Some(listed) = listed {
        for (index, name) in listed.iter().enumerate() {
            match Alg::parse(name) {
                Some(alg) if !alg.is_symmetric() => {}
                _ => return Err(OptionError::new(format!("dpopAlgorithms[{index}]"), format!("must be an asymmetric algorithm this library supports, got {}", crate::quote::quoted(name)))),
            }
        }
    }
    let allowed = listed.or(algorithms);
    Ok(ALGORITHMS.iter().map(|f| f.alg).filter(|alg| !alg.is_symmetric() && allowed.map_or(true, |list| list.iter().any(|a| a == alg.name()))).collect())
}

/// A challenge parameter from the options: printable ASCII (a header value cannot carry
/// control characters, and Fetch refuses non-Latin-1), bounded.
fn check_param(name: &str, text: &str) -> Result<(), OptionError> {
    if text.len() > MAX_PARAM_LENGTH {
        return Err(OptionError::new(name, format!("must be at most {MAX_PARAM_LENGTH} characters")));
    }
    if !text.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return Err(OptionError::new(name, "must be printable ASCII (no control characters): it is sent in the WWW-Authenticate header"));
    }
    Ok(())
}

/// The authentication scheme of the request's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bearer,
    Dpop,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Bearer => "Bearer",
            Scheme::Dpop => "DPoP",
        }
    }

    pub fn parse(name: &str) -> Option<Scheme> {
        match name {
            "Bearer" => Some(Scheme::Bearer),
            "DPoP" => Some(Scheme::Dpop),
            _ => None,
        }
    }
}

/// The `error` of a failed result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    InvalidRequest,
    InvalidToken,
    InsufficientScope,
    InvalidDpopProof,
}

impl AuthError {
    pub fn code(self) -> &'static str {
        match self {
            AuthError::InvalidRequest => "invalid_request",
            AuthError::InvalidToken => "invalid_token",
            AuthError::InsufficientScope => "insufficient_scope",
            AuthError::InvalidDpopProof => "invalid_dpop_proof",
        }
    }

    pub fn status(self) -> u16 {
        match self {
            AuthError::InvalidRequest => 400,
            AuthError::InsufficientScope => 403,
            AuthError::InvalidToken | AuthError::InvalidDpopProof => 401,
        }
    }
}

/// Every `error_description` there is: one fixed phrase per failure category, safe to show
/// and to quote (no key id, URL, claim value or token text ever enters one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phrase {
    MalformedAuthorization,
    DuplicateAuthorization,
    DuplicateDpop,
    MalformedDpop,
    BadRequestUrl,
    TokenMalformed,
    TokenExpired,
    TokenNotYetValid,
    TokenSignature,
    TokenAlgorithm,
    TokenUnknownKey,
    TokenAudience,
    TokenIssuer,
    TokenType,
    TokenMissingClaim,
    TokenInvalidClaim,
    TokenClaimCheck,
    TokenUnsupported,
    TokenInvalid,
    InsufficientScope,
    DpopRequired,
    TokenBoundToDpop,
    TokenNotBound,
    TokenUnknownBinding,
    ProofMissing,
    ProofMalformed,
    ProofInvalid,
    ProofReplayed,
    ProofWrongRequest,
    ProofWrongToken,
    ProofTime,
    ProofNonce,
    ProofKeyMismatch,
}

impl Phrase {
    pub const ALL: [Phrase; 33] = [
        Phrase::MalformedAuthorization,
        Phrase::DuplicateAuthorization,
        Phrase::DuplicateDpop,
        Phrase::MalformedDpop,
        Phrase::BadRequestUrl,
        Phrase::TokenMalformed,
        Phrase::TokenExpired,
        Phrase::TokenNotYetValid,
        Phrase::TokenSignature,
        Phrase::TokenAlgorithm,
        Phrase::TokenUnknownKey,
        Phrase::TokenAudience,
        Phrase::TokenIssuer,
        Phrase::TokenType,
        Phrase::TokenMissingClaim,
        Phrase::TokenInvalidClaim,
        Phrase::TokenClaimCheck,
        Phrase::TokenUnsupported,
        Phrase::TokenInvalid,
        Phrase::InsufficientScope,
        Phrase::DpopRequired,
        Phrase::TokenBoundToDpop,
        Phrase::TokenNotBound,
        Phrase::TokenUnknownBinding,
        Phrase::ProofMissing,
        Phrase::ProofMalformed,
        Phrase::ProofInvalid,
        Phrase::ProofReplayed,
        Phrase::ProofWrongRequest,
        Phrase::ProofWrongToken,
        Phrase::ProofTime,
        Phrase::ProofNonce,
        Phrase::ProofKeyMismatch,
    ];

    pub fn text(self) -> &'static str {
        match self {
            Phrase::MalformedAuthorization => "The Authorization header is malformed",
            Phrase::DuplicateAuthorization => "The request has more than one Authorization header",
            Phrase::DuplicateDpop => "The request has more than one DPoP header",
            Phrase::MalformedDpop => "The DPoP header is malformed",
            Phrase::BadRequestUrl => "The request URL cannot be determined",
            Phrase::TokenMalformed => "The access token is malformed",
            Phrase::TokenExpired => "The access token has expired",
            Phrase::TokenNotYetValid => "The access token is not yet valid",
            Phrase::TokenSignature => "The access token signature is invalid",
            Phrase::TokenAlgorithm => "The access token algorithm is not accepted",
            Phrase::TokenUnknownKey => "The access token is signed with an unknown key",
            Phrase::TokenAudience => "The access token is not intended for this resource",
            Phrase::TokenIssuer => "The access token issuer is not trusted",
            Phrase::TokenType => "The token is not an access token",
            Phrase::TokenMissingClaim => "The access token lacks a required claim",
            Phrase::TokenInvalidClaim => "The access token has a malformed claim",
            Phrase::TokenClaimCheck => "The access token failed a claim check",
            Phrase::TokenUnsupported => "The access token uses an unsupported feature",
            Phrase::TokenInvalid => "The access token is invalid",
            Phrase::InsufficientScope => "The access token lacks a required scope",
            Phrase::DpopRequired => "A DPoP-bound access token is required",
            Phrase::TokenBoundToDpop => "The access token is DPoP-bound and must be sent with the DPoP scheme",
            Phrase::TokenNotBound => "The access token is not DPoP-bound",
            Phrase::TokenUnknownBinding => "The access token is bound to a key this resource cannot check",
            Phrase::ProofMissing => "The DPoP proof is missing",
            Phrase::ProofMalformed => "The DPoP proof is malformed",
            Phrase::ProofInvalid => "The DPoP proof is invalid",
            Phrase::ProofReplayed => "The DPoP proof has already been used",
            Phrase::ProofWrongRequest => "The DPoP proof is for another request",
            Phrase::ProofWrongToken => "The DPoP proof is for another access token",
            Phrase::ProofTime => "The DPoP proof is too old or not yet valid",
            Phrase::ProofNonce => "The DPoP proof nonce is wrong",
            Phrase::ProofKeyMismatch => "The DPoP proof key does not match the access token binding",
        }
    }
}

/// A refused request: `error` and `description` are absent when no credentials were given.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub error: Option<AuthError>,
    pub description: Option<Phrase>,
    /// The scheme whose challenge carries the error parameters.
    pub scheme: Scheme,
    /// The error a value refused before verification (over a size limit) would have thrown
    /// there: the result's `cause`, as every other `invalid_token` has one.
    pub cause: Option<JoseError>,
}

impl Failure {
    fn new(error: AuthError, description: Phrase, scheme: Scheme) -> Failure {
        Failure { error: Some(error), description: Some(description), scheme, cause: None }
    }

    fn with_cause(self, cause: JoseError) -> Failure {
        Failure { cause: Some(cause), ..self }
    }

    fn no_credentials() -> Failure {
        Failure { error: None, description: None, scheme: Scheme::Bearer, cause: None }
    }

    pub fn status(&self) -> u16 {
        self.error.map_or(401, AuthError::status)
    }
}

/// A request header as the host read it: its text, or only its length when that is over the
/// bound (refused before it is copied).
#[derive(Debug, Clone, PartialEq)]
pub enum HeaderValue {
    Text(String),
    TooLong(usize),
    /// Not a string (a hand-built header object): malformed, never skipped.
    NotText,
}

/// What the host read from the request.
#[derive(Debug, Clone, Default)]
pub struct RequestParts {
    pub method: Option<HeaderValue>,
    pub url: Option<HeaderValue>,
    /// Every `Authorization` value (a `Headers` object joins duplicates with ", ").
    pub authorization: Vec<HeaderValue>,
    pub dpop: Vec<HeaderValue>,
    /// The `Host` header, for a relative `url`.
    pub host: Option<HeaderValue>,
    /// The connection is TLS (a relative `url` then resolves as `https:`).
    pub encrypted: bool,
}

/// The credentials to verify.
#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    pub scheme: Scheme,
    pub token: String,
    /// The DPoP scheme: the proof, the request's method and its absolute URL.
    pub proof: Option<Proof>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Proof {
    pub proof: String,
    pub method: String,
    pub url: String,
}

/// RFC 7235 `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
pub fn is_token68(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    !body.is_empty() && body.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// RFC 9110 `token` (an auth-scheme).
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// One `Authorization` value: `Ok(None)` for a scheme this resource does not take (no
/// credentials), else the scheme and its token68.
pub fn parse_authorization(value: &str, dpop: DpopMode) -> Result<Option<(Scheme, &str)>, Failure> {
    let malformed = |scheme| Failure::new(AuthError::InvalidRequest, Phrase::MalformedAuthorization, scheme);
    let value = value.trim_matches([' ', '\t']);
    // An empty value carries no credentials at all (RFC 6750 §3.1; Hono's bearerAuth agrees).
    if value.is_empty() {
        return Ok(None);
    }
    let (scheme, rest) = match value.find([' ', '\t']) {
        Some(at) => (&value[..at], value[at..].trim_start_matches([' ', '\t'])),
        None => (value, ""),
    };
    if !is_token(scheme) {
        return Err(malformed(Scheme::Bearer));
    }
    let scheme = if scheme.eq_ignore_ascii_case("bearer") {
        Scheme::Bearer
    } else if scheme.eq_ignore_ascii_case("dpop") && dpop != DpopMode::Off {
        Scheme::Dpop
    } else {
        return Ok(None);
    };
    if !is_token68(rest) {
        return Err(malformed(scheme));
    }
    Ok(Some((scheme, rest)))
}

impl ResourceOptions {
    /// The largest `Authorization` value read: the scheme, its spaces, a token of
    /// `maxTokenLength`.
    pub fn max_authorization_length(&self) -> usize {
        max_authorization_length(self.token.verify.max_token_length)
    }

    /// The largest `DPoP` value read.
    pub fn max_proof_length(&self) -> usize {
        self.token.verify.max_token_length
    }

    /// The credentials of a request, or why it is refused before any verification.
    pub fn credentials(&self, request: &RequestParts) -> Result<Credentials, Failure> {
        let value = match request.authorization.as_slice() {
            [] => return Err(Failure::no_credentials()),
            [value] => value,
            [..] => return Err(Failure::new(AuthError::InvalidRequest, Phrase::DuplicateAuthorization, self.error_scheme(Scheme::Bearer))),
        };
        let text = match value {
            HeaderValue::Text(text) => text,
            HeaderValue::TooLong(length) => {
                let max = self.token.verify.max_token_length;
                let cause = authorization_too_long(*length, max);
                return Err(Failure::new(AuthError::InvalidToken, Phrase::TokenMalformed, self.error_scheme(Scheme::Bearer)).with_cause(cause));
            }
            HeaderValue::NotText => return Err(Failure::new(AuthError::InvalidRequest, Phrase::MalformedAuthorization, self.error_scheme(Scheme::Bearer))),
        };
        let (scheme, token) = match parse_authorization(text, self.dpop) {
            Ok(Some(found)) => found,
            Ok(None) => return Err(Failure::no_credentials()),
            Err(failure) => return Err(Failure { scheme: self.error_scheme(failure.scheme), ..failure }),
        };
        let max = self.token.verify.max_token_length;
        if let Some(length) = over_max_length(token, max) {
            let cause = crate::token::too_long(length, max);
            return Err(Failure::new(AuthError::InvalidToken, Phrase::TokenMalformed, self.error_scheme(scheme)).with_cause(cause));
        }
        if scheme == Scheme::Bearer && self.dpop == DpopMode::Required {
            return Err(Failure::new(AuthError::InvalidToken, Phrase::DpopRequired, Scheme::Dpop));
        }
        let proof = match scheme {
            Scheme::Bearer => None,
            Scheme::Dpop => Some(self.proof(request)?),
        };
        Ok(Credentials { scheme, token: token.to_owned(), proof })
    }

    fn proof(&self, request: &RequestParts) -> Result<Proof, Failure> {
        let proof_failure = |error, phrase| Failure::new(error, phrase, Scheme::Dpop);
        let proof = match request.dpop.as_slice() {
            [] => return Err(proof_failure(AuthError::InvalidDpopProof, Phrase::ProofMissing)),
            [HeaderValue::Text(text)] if text.contains(',') => return Err(proof_failure(AuthError::InvalidRequest, Phrase::DuplicateDpop)),
            [HeaderValue::Text(text)] => text.trim_matches([' ', '\t']),
            [HeaderValue::TooLong(length)] => {
                let max = self.token.verify.max_token_length;
                let cause = crate::dpop::proof_too_long(*length, max);
                return Err(proof_failure(AuthError::InvalidDpopProof, Phrase::ProofMalformed).with_cause(cause));
            }
            [HeaderValue::NotText] => return Err(proof_failure(AuthError::InvalidRequest, Phrase::MalformedDpop)),
            [..] => return Err(proof_failure(AuthError::InvalidRequest, Phrase::DuplicateDpop)),
        };
        if proof.is_empty() {
            return Err(proof_failure(AuthError::InvalidDpopProof, Phrase::ProofMissing));
        }
        let bad_url = || proof_failure(AuthError::InvalidRequest, Phrase::BadRequestUrl);
        let method = match &request.method {
            Some(HeaderValue::Text(method)) if is_token(method) => method.clone(),
            _ => return Err(bad_url()),
        };
        let url = match &request.url {
            Some(url) => absolute_url(url, request.host.as_ref(), request.encrypted, self.origin.as_deref()).ok_or_else(bad_url)?,
            None => return Err(bad_url()),
        };
        Ok(Proof { proof: proof.to_owned(), method, url })
    }

    /// The scheme whose challenge can carry an error: `DPoP` alone when DPoP is required.
    fn error_scheme(&self, scheme: Scheme) -> Scheme {
        match self.dpop {
            DpopMode::Required => Scheme::Dpop,
            DpopMode::Off => Scheme::Bearer,
            DpopMode::Allowed => scheme,
        }
    }

    /// A token verification failed with this `JoseError` (`code`, `claim`, `reason`):
    /// the client's fault → its result; `None`: not the client's (keys that cannot be
    /// fetched, a failing replay store), to be thrown as it is.
    pub fn token_failure(&self, scheme: Scheme, code: &str, claim: Option<&str>, reason: Option<&str>) -> Option<Failure> {
        let scheme = self.error_scheme(scheme);
        if reason == Some("insufficient_scope") {
            return Some(Failure::new(AuthError::InsufficientScope, Phrase::InsufficientScope, scheme));
        }
        let phrase = match code {
            "ERR_JWS_INVALID" | "ERR_JWT_INVALID" => Phrase::TokenMalformed,
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" => Phrase::TokenSignature,
            "ERR_JOSE_ALG_NOT_ALLOWED" => Phrase::TokenAlgorithm,
            "ERR_JOSE_NOT_SUPPORTED" => Phrase::TokenUnsupported,
            "ERR_JWKS_NO_MATCHING_KEY" => Phrase::TokenUnknownKey,
            "ERR_JWT_EXPIRED" => Phrase::TokenExpired,
            "ERR_JWT_CLAIM_VALIDATION_FAILED" => match (claim, reason) {
                (_, Some("missing")) => Phrase::TokenMissingClaim,
                (_, Some("invalid")) => Phrase::TokenInvalidClaim,
                (Some("nbf"), _) => Phrase::TokenNotYetValid,
                (Some("aud"), _) => Phrase::TokenAudience,
                (Some("iss"), _) => Phrase::TokenIssuer,
                (Some("typ"), _) => Phrase::TokenType,
                _ => Phrase::TokenClaimCheck,
            },
            "ERR_JWT_REPLAYED" => Phrase::TokenInvalid,
            _ => return None,
        };
        Some(Failure::new(AuthError::InvalidToken, phrase, scheme))
    }

    /// A DPoP proof verification failed with this error; `None` as for [`Self::token_failure`].
    pub fn proof_failure(&self, code: &str, claim: Option<&str>, reason: Option<&str>) -> Option<Failure> {
        let phrase = match code {
            "ERR_JWT_REPLAYED" => Phrase::ProofReplayed,
            "ERR_DPOP_INVALID" => match (claim, reason) {
                (Some("htm" | "htu"), _) => Phrase::ProofWrongRequest,
                (Some("ath"), _) => Phrase::ProofWrongToken,
                (Some("iat"), _) => Phrase::ProofTime,
                (Some("nonce"), _) => Phrase::ProofNonce,
                (None, Some("malformed")) => Phrase::ProofMalformed,
                _ => Phrase::ProofInvalid,
            },
            "ERR_JWS_INVALID" | "ERR_JWT_INVALID" => Phrase::ProofMalformed,
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" | "ERR_JOSE_ALG_NOT_ALLOWED" | "ERR_JOSE_NOT_SUPPORTED" | "ERR_JWK_INVALID" | "ERR_JWT_EXPIRED" | "ERR_JWT_CLAIM_VALIDATION_FAILED" => Phrase::ProofInvalid,
            _ => return None,
        };
        Some(Failure::new(AuthError::InvalidDpopProof, phrase, Scheme::Dpop))
    }

    /// RFC 9449 §7.1 after the token (and, for DPoP, the proof) verified: a token with
    /// `cnf.jkt` must come with a proof of that key; a DPoP-scheme token must have one.
    /// `cnf`: the verified token's `cnf` claim, if it has one. `Ok(jkt)`: the binding holds
    /// (`jkt` of a DPoP-bound token).
    pub fn bind(&self, scheme: Scheme, cnf: Option<&Value>, proof_jkt: Option<&str>) -> Result<Option<String>, Failure> {
        let invalid = |phrase| Failure::new(AuthError::InvalidToken, phrase, self.error_scheme(scheme));
        let bound = match cnf {
            None => None,
            Some(Value::Object(cnf)) => match cnf.get("jkt") {
                Some(Value::String(jkt)) if !jkt.is_empty() => Some(jkt.as_str()),
                Some(_) => return Err(invalid(Phrase::TokenInvalidClaim)),
                // Another confirmation method (mTLS x5t#S256…): fail closed.
                None if cnf.is_empty() => None,
                None => return Err(invalid(Phrase::TokenUnknownBinding)),
            },
            Some(_) => return Err(invalid(Phrase::TokenInvalidClaim)),
        };
        match (scheme, bound) {
            (Scheme::Bearer, None) => Ok(None),
            (Scheme::Bearer, Some(_)) => Err(invalid(Phrase::TokenBoundToDpop)),
            (Scheme::Dpop, None) => Err(invalid(Phrase::TokenNotBound)),
            (Scheme::Dpop, Some(jkt)) if Some(jkt) == proof_jkt => Ok(Some(jkt.to_owned())),
            (Scheme::Dpop, Some(_)) => Err(Failure::new(AuthError::InvalidDpopProof, Phrase::ProofKeyMismatch, Scheme::Dpop)),
        }
    }

    /// The `WWW-Authenticate` value for `failure`: `Bearer …` and/or `DPoP algs="…"` (as the
    /// `dpop` option allows), comma-separated; the error parameters on `failure.scheme`'s.
    pub fn challenge(&self, failure: &Failure) -> String {
        let schemes: &[Scheme] = match self.dpop {
            DpopMode::Off => &[Scheme::Bearer],
            DpopMode::Required => &[Scheme::Dpop],
            DpopMode::Allowed => &[Scheme::Bearer, Scheme::Dpop],
        };
        let carrier = if schemes.contains(&failure.scheme) { failure.scheme } else { schemes[0] };
        let challenges: Vec<String> = schemes.iter().map(|&scheme| self.one_challenge(scheme, (scheme == carrier).then_some(failure))).collect();
        challenges.join(", ")
    }

    fn one_challenge(&self, scheme: Scheme, failure: Option<&Failure>) -> String {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(realm) = &self.realm {
            params.push(("realm", realm.clone()));
        }
        if scheme == Scheme::Dpop {
            params.push(("algs", self.dpop_algorithms.iter().map(|a| a.name()).collect::<Vec<_>>().join(" ")));
        }
        if let Some(failure) = failure {
            if let (Some(error), Some(description)) = (failure.error, failure.description) {
                params.push(("error", error.code().to_owned()));
                params.push(("error_description", description.text().to_owned()));
                if error == AuthError::InsufficientScope {
                    params.push(("scope", self.token.required_scopes.join(" ")));
                }
            }
        }
        if let Some(url) = &self.resource_metadata {
            params.push(("resource_metadata", url.clone()));
        }
        let params: Vec<String> = params.into_iter().map(|(name, value)| format!("{name}={}", quoted_string(&value))).collect();
        if params.is_empty() {
            scheme.name().to_owned()
        } else {
            format!("{} {}", scheme.name(), params.join(", "))
        }
    }

    /// The failed `AuthResult` (without `cause`), as JSON.
    pub fn failure_json(&self, failure: &Failure) -> Value {
        let mut out = json!({ "ok": false, "status": failure.status(), "wwwAuthenticate": self.challenge(failure) });
        if let (Some(error), Some(description)) = (failure.error, failure.description) {
            out["error"] = json!(error.code());
            out["errorDescription"] = json!(description.text());
        }
        if let Some(cause) = &failure.cause {
            out["cause"] = json!({ "code": cause.code(), "message": cause.message });
            if let Some(reason) = cause.reason {
                out["cause"]["reason"] = json!(reason.as_str());
            }
        }
        out
    }
}

/// RFC 9110 §5.6.4 quoted-string: `"` and `\` escaped; anything that cannot appear in one
/// (control characters but HTAB, non-ASCII) dropped. Option values are checked at read time,
/// so nothing is dropped in practice.
pub fn quoted_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\t' | ' '..='~' => out.push(c),
            _ => {}
        }
    }
    out.push('"');
    out
}

/// The URL a DPoP proof's `htu` is compared with, or `None` when the request gives none
/// usable (a 400, never a thrown error): every URL returned passes [`http_uri::normalize`], the
/// rule `verifyDpopProof` applies to its `url`, within its length bound.
///
/// With `origin` (the `origin` option, normalised, no trailing `/`): `origin` + the request's
/// path and query, whatever the Host header or an absolute-form target say. Without it: an
/// absolute `http(s)` `url` as it is, but when a Host header came with it (Node's absolute-form
/// request target, RFC 9112 §3.2.2) its authority must be the Host's and its scheme the
/// connection's (`encrypted`: `https`; a proof made for `https://this-host` must not verify on
/// a plain-HTTP server); a path (Node's `req.url`) after `http(s)://<Host>`. A Host that came
/// empty (a Node request without one: HTTP/1.0) gives no URL at all: an absolute-form target
/// would otherwise name any server.
pub fn absolute_url(url: &HeaderValue, host: Option<&HeaderValue>, encrypted: bool, origin: Option<&str>) -> Option<String> {
    let HeaderValue::Text(url) = url else { return None };
    if url.len() > http_uri::MAX_URI_LENGTH || url.bytes().any(|b| !(0x21..=0x7e).contains(&b)) {
        return None;
    }
    let host = match host {
        None => None,
        Some(HeaderValue::Text(host)) => Some(host.trim_matches([' ', '\t'])),
        Some(HeaderValue::TooLong(_) | HeaderValue::NotText) => return None,
    };
    let full = match (split_absolute(url), origin) {
        (Some((_, _, target)), Some(origin)) => format!("{origin}{}", if target.starts_with('/') { "" } else { "/" }) + target,
        (Some((scheme, authority, _)), None) => {
            if let Some(host) = host {
                let same = |a: &str| http_uri::normalize(&format!("{scheme}://{a}/"));
                let connection = if encrypted { "https" } else { "http" };
                if !scheme.eq_ignore_ascii_case(connection) || !host_ok(host) || same(authority).is_err() || same(authority) != same(host) {
                    return None;
                }
            }
            url.clone()
        }
        (None, _) if !url.starts_with('/') || url.starts_with("//") => return None,
        (None, Some(origin)) => format!("{origin}{url}"),
        (None, None) => {
            let host = host.filter(|h| host_ok(h))?;
            format!("{}://{host}{url}", if encrypted { "https" } else { "http" })
        }
    };
    http_uri::normalize(&full).ok().map(|_| full)
}

/// An absolute `http(s)` URL as (scheme, authority, the rest: path, query, fragment).
fn split_absolute(url: &str) -> Option<(&str, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    if !(scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")) {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some((scheme, &rest[..end], &rest[end..]))
}

/// A Host header's characters: a reg-name, IP literal and port only (no `@`, no `/`).
fn host_ok(host: &str) -> bool {
    !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b))
}

/// The `origin` option: an absolute `http(s)` URL with nothing after the authority (a `/` at
/// most), normalised without the trailing `/`.
fn check_origin(text: &str) -> Result<String, OptionError> {
    let wrong = |why: &str| OptionError::new("origin", format!("must be the public origin of this resource (https://host[:port]), but it {why}"));
    if text.len() > MAX_PARAM_LENGTH {
        return Err(wrong("is too long"));
    }
    let normal = http_uri::normalize(text).map_err(wrong)?;
    let (_, _, rest) = split_absolute(text).ok_or_else(|| wrong("is not an http: or https: URL"))?;
    if !(rest.is_empty() || rest == "/") {
        return Err(wrong("has a path, query or fragment"));
    }
    Ok(normal.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests;
