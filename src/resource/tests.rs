use super::*;
use serde_json::json;

fn options(extra: Value) -> ResourceOptions {
    let mut base = json!({ "keys": {}, "issuer": "https://as.example", "audience": "api" });
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    ResourceOptions::from_json(&base).unwrap()
}

fn text(s: &str) -> HeaderValue {
    HeaderValue::Text(s.to_owned())
}

fn request(authorization: &[&str], dpop: &[&str]) -> RequestParts {
    RequestParts {
        method: Some(text("GET")),
        url: Some(text("/resource?x=1")),
        authorization: authorization.iter().map(|a| text(a)).collect(),
        dpop: dpop.iter().map(|a| text(a)).collect(),
        host: Some(text("api.example:8443")),
        encrypted: true,
    }
}

/// A small RFC 9110 §11.6.1 parser: challenges of `scheme [token68 | #auth-param]`, with
/// quoted-string unescaping. Panics on anything malformed.
pub fn parse_challenges(header: &str) -> Vec<(String, Vec<(String, String)>)> {
    let bytes: Vec<char> = header.chars().collect();
    let mut i = 0;
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && (bytes[*i] == ' ' || bytes[*i] == '\t') {
            *i += 1;
        }
    };
    let token = |i: &mut usize| {
        let start = *i;
        while *i < bytes.len() && tchar(bytes[*i]) {
            *i += 1;
        }
        assert!(*i > start, "expected a token at {start} in {header}");
        bytes[start..*i].iter().collect::<String>()
    };
    while i < bytes.len() {
        skip_ws(&mut i);
        let scheme = token(&mut i);
        let mut params = Vec::new();
        skip_ws(&mut i);
        loop {
            if i >= bytes.len() {
                break;
            }
            if bytes[i] == ',' {
                // Either the next param or the next challenge: look ahead for `token =`.
                let mut j = i + 1;
                skip_ws(&mut j);
                let mut k = j;
                while k < bytes.len() && tchar(bytes[k]) {
                    k += 1;
                }
                let mut m = k;
                skip_ws(&mut m);
                if m < bytes.len() && bytes[m] == '=' {
                    i = j;
                } else {
                    i += 1;
                    break;
                }
            }
            let name = token(&mut i);
            skip_ws(&mut i);
            assert_eq!(bytes[i], '=', "expected = in {header}");
            i += 1;
            skip_ws(&mut i);
            let value = if bytes[i] == '"' {
                i += 1;
                let mut v = String::new();
                loop {
                    let c = bytes[i];
                    i += 1;
                    match c {
                        '"' => break,
                        '\\' => {
                            v.push(bytes[i]);
                            i += 1;
                        }
                        c => {
                            assert!(c == '\t' || (' '..='~').contains(&c), "bad qdtext {c:?} in {header}");
                            v.push(c);
                        }
                    }
                }
                v
            } else {
                token(&mut i)
            };
            params.push((name.to_ascii_lowercase(), value));
            skip_ws(&mut i);
        }
        out.push((scheme, params));
    }
    out
}

fn param<'a>(challenge: &'a (String, Vec<(String, String)>), name: &str) -> Option<&'a str> {
    challenge.1.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

#[test]
fn authorization_values_parse_per_rfc_7235() {
    let o = options(json!({}));
    let ok = o.credentials(&request(&["Bearer abc.def-_~+/=="], &[])).unwrap();
    assert_eq!((ok.scheme, ok.token.as_str()), (Scheme::Bearer, "abc.def-_~+/=="));
    let ok = o.credentials(&request(&["bEaReR   abc"], &[])).unwrap();
    assert_eq!(ok.token, "abc");
    for malformed in ["Bearer", "Bearer ", "Bearer a b", "Bearer a,b", "Bearer a=b", "Bearer \"a\"", "Bea\"rer a", "Bearer =abc", "Bearer a, Bearer b"] {
        let failure = o.credentials(&request(&[malformed], &[])).unwrap_err();
        assert_eq!(failure.error, Some(AuthError::InvalidRequest), "{malformed:?}");
        assert_eq!(failure.status(), 400);
    }
    for unknown in ["Basic dXNlcjpwYXNz", "Token abc", "Negotiate", "", " ", "\t \t"] {
        let failure = o.credentials(&request(&[unknown], &[])).unwrap_err();
        assert_eq!((failure.error, failure.description, failure.status()), (None, None, 401), "{unknown:?}");
    }
    assert_eq!(o.credentials(&request(&[], &[])).unwrap_err(), Failure::no_credentials());
    let dup = o.credentials(&request(&["Bearer a", "Bearer b"], &[])).unwrap_err();
    assert_eq!(dup.description, Some(Phrase::DuplicateAuthorization));
}

#[test]
fn dpop_scheme_needs_one_proof_and_the_request_url() {
    let o = options(json!({}));
    let ok = o.credentials(&request(&["DPoP tok"], &["a.b.c"])).unwrap();
    assert_eq!(ok.scheme, Scheme::Dpop);
    assert_eq!(ok.proof.unwrap(), Proof { proof: "a.b.c".into(), method: "GET".into(), url: "https://api.example:8443/resource?x=1".into() });
    let missing = o.credentials(&request(&["DPoP tok"], &[])).unwrap_err();
    assert_eq!((missing.error, missing.description, missing.scheme), (Some(AuthError::InvalidDpopProof), Some(Phrase::ProofMissing), Scheme::Dpop));
    let two = o.credentials(&request(&["DPoP tok"], &["a.b.c", "d.e.f"])).unwrap_err();
    assert_eq!(two.error, Some(AuthError::InvalidRequest));
    let joined = o.credentials(&request(&["DPoP tok"], &["a.b.c, d.e.f"])).unwrap_err();
    assert_eq!(joined.description, Some(Phrase::DuplicateDpop));
    let off = options(json!({ "dpop": "off" }));
    assert_eq!(off.credentials(&request(&["DPoP tok"], &["a.b.c"])).unwrap_err(), Failure::no_credentials());
    let required = options(json!({ "dpop": "required" }));
    let bearer = required.credentials(&request(&["Bearer tok"], &[])).unwrap_err();
    assert_eq!((bearer.error, bearer.description), (Some(AuthError::InvalidToken), Some(Phrase::DpopRequired)));
    assert_eq!(required.challenge(&bearer), "DPoP algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA\", error=\"invalid_token\", error_description=\"A DPoP-bound access token is required\"".replace("RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA", &required.dpop_algorithms.iter().map(|a| a.name()).collect::<Vec<_>>().join(" ")));
}

#[test]
fn relative_urls_resolve_against_host() {
    let abs = |url: &str, host: Option<&str>, tls| absolute_url(&text(url), host.map(text).as_ref(), tls, None);
    assert_eq!(abs("/a?b", Some("h:1"), false).as_deref(), Some("http://h:1/a?b"));
    assert_eq!(abs("/a", Some("h"), true).as_deref(), Some("https://h/a"));
    assert_eq!(abs("https://x.example/p", None, false).as_deref(), Some("https://x.example/p"));
    assert_eq!(abs("/a", None, false), None);
    assert_eq!(abs("//evil/a", Some("h"), false), None);
    assert_eq!(abs("/a", Some("h/evil"), false), None);
    assert_eq!(abs("/a", Some("u@h"), false), None);
    assert_eq!(abs("https://u:p@h/a", None, false), None);
    assert_eq!(abs("ftp://h/a", None, false), None);
    assert_eq!(abs("/a b", Some("h"), false), None);
}

#[test]
fn a_header_value_that_is_not_text_is_malformed_not_skipped() {
    let o = options(json!({}));
    let mut req = request(&[], &["a.b.c"]);
    req.authorization = vec![HeaderValue::NotText];
    let failure = o.credentials(&req).unwrap_err();
    assert_eq!((failure.status(), failure.description), (400, Some(Phrase::MalformedAuthorization)));
    let mut req = request(&["DPoP tok"], &[]);
    req.dpop = vec![HeaderValue::NotText];
    let failure = o.credentials(&req).unwrap_err();
    assert_eq!((failure.status(), failure.error, failure.description), (400, Some(AuthError::InvalidRequest), Some(Phrase::MalformedDpop)));
}

#[test]
fn an_absolute_form_target_must_name_the_host_header() {
    let abs = |url: &str, host: Option<&str>| absolute_url(&text(url), host.map(text).as_ref(), false, None);
    assert_eq!(abs("http://rs-a.example/orders", Some("rs-b.example")), None);
    assert_eq!(abs("http://rs-a.example/orders", Some("rs-a.example:8080")), None);
    assert_eq!(abs("http://rs-a.example/orders", Some("RS-A.example:80")).as_deref(), Some("http://rs-a.example/orders"));
    assert_eq!(absolute_url(&text("https://rs-a.example:443/o"), Some(&text("rs-a.example")), true, None).as_deref(), Some("https://rs-a.example:443/o"));
    assert_eq!(abs("http://rs-a.example/o", Some("rs-a.example/x")), None);
    // A Fetch Request: the host passes no Host header, the URL is the runtime's.
    assert_eq!(abs("https://rs-a.example/o", None).as_deref(), Some("https://rs-a.example/o"));
    let o = options(json!({}));
    let mut req = request(&["DPoP tok"], &["a.b.c"]);
    req.url = Some(text("http://rs-a.example/orders"));
    req.host = Some(text("rs-b.example"));
    let failure = o.credentials(&req).unwrap_err();
    assert_eq!((failure.error, failure.description), (Some(AuthError::InvalidRequest), Some(Phrase::BadRequestUrl)));
}

/// An absolute-form target that came with a Host header (a Node request; the adapters pass the
/// raw target too) is accepted only in the connection's scheme and with a non-empty Host that
/// names its authority (invariant over schemes, spellings, connections and hosts).
#[test]
fn an_absolute_form_target_must_be_in_the_connections_scheme_with_a_host() {
    for scheme in ["http", "https", "HTTP", "Https"] {
        for tls in [false, true] {
            for (host, names_it) in [("rs.example", true), ("RS.example", true), ("other.example", false), ("", false), (" ", false)] {
                let url = format!("{scheme}://rs.example/r?q");
                let same_scheme = scheme.eq_ignore_ascii_case(if tls { "https" } else { "http" });
                let got = absolute_url(&text(&url), Some(&text(host)), tls, None);
                assert_eq!(got.is_some(), same_scheme && names_it, "{url} Host {host:?} tls {tls}");
                // The request as authenticateRequest and both adapters hand it over.
                let o = options(json!({}));
                let mut req = request(&["DPoP tok"], &["a.b.c"]);
                req.url = Some(text(&url));
                req.host = Some(text(host));
                req.encrypted = tls;
                match o.credentials(&req) {
                    Ok(c) => assert!(same_scheme && names_it, "{url} accepted: {:?}", c.proof),
                    Err(failure) => {
                        assert!(!(same_scheme && names_it), "{url} refused");
                        assert_eq!((failure.status(), failure.description), (400, Some(Phrase::BadRequestUrl)));
                    }
                }
            }
        }
    }
    // A Fetch Request (no Host header passed): its URL is the runtime's, any scheme.
    assert!(absolute_url(&text("https://rs.example/r"), None, false, None).is_some());
}

#[test]
fn the_origin_option_decides_the_url_a_proof_is_for() {
    let o = options(json!({ "origin": "https://API.example:443/" }));
    assert_eq!(o.origin.as_deref(), Some("https://api.example"));
    for (url, host, expected) in [
        ("/r?x=1", Some("evil.example"), "https://api.example/r?x=1"),
        ("/r", None, "https://api.example/r"),
        ("http://evil.example/r?q", Some("evil.example"), "https://api.example/r?q"),
        ("http://evil.example?q", Some("other.example"), "https://api.example/?q"),
        ("https://evil.example", None, "https://api.example/"),
    ] {
        let mut req = request(&["DPoP tok"], &["a.b.c"]);
        req.url = Some(text(url));
        req.host = host.map(text);
        req.encrypted = false;
        assert_eq!(o.credentials(&req).unwrap().proof.unwrap().url, expected, "{url}");
    }
    let read = |origin: &str| ResourceOptions::from_json(&json!({ "keys": {}, "issuer": "i", "audience": "a", "origin": origin })).map(|o| o.origin.unwrap()).map_err(|e| e.path);
    assert_eq!(read("http://h:8080").as_deref(), Ok("http://h:8080"));
    for bad in ["https://h/p", "https://h?q", "https://h#f", "https://u@h", "ftp://h", "/p", "h", "https://", "https://h /", "https://h:99999", ""] {
        assert_eq!(read(bad), Err("origin".into()), "{bad}");
    }
    assert_eq!(ResourceOptions::from_json(&json!({ "keys": {}, "issuer": "i", "audience": "a", "origin": 1 })).unwrap_err().path, "origin");
}

#[test]
fn every_request_url_accepted_is_one_verify_dpop_proof_takes() {
    // Generated URLs, Host headers and origins: a URL the credentials step returns always
    // passes verifyDpopProof's url rule (so a DPoP request is never a thrown TypeError), and a
    // refused one is a 400 with the fixed phrase.
    let mut seed: u64 = 0x0006_0d0b;
    let mut next = move |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let pieces = ["/", "a", "%", "%zz", "%41", "?", "#", ":", "@", "[", "]", "..", ".", " ", "\t", "é", "//", "x=1", "\u{0}", "~"];
    let hosts = ["rs.example", "RS.example:443", "[zz]", "a:b:c", "rs.example:99999", "rs.example:", "[::1]", "", "u@h", "h%41", "rs.example:8a", "h/x", " h "];
    let modes = [options(json!({})), options(json!({ "origin": "https://rs.example" })), options(json!({ "origin": "http://[::1]:8080" }))];
    for round in 0..6000 {
        let mut url: String = ["/", "https://", "http://", "HTTP://", "", "ftp://"][next(6)].to_owned();
        if url.ends_with("//") {
            url.push_str(hosts[next(hosts.len())]);
        }
        for _ in 0..next(6) {
            url.push_str(pieces[next(pieces.len())]);
        }
        if round % 50 == 0 {
            url.push_str(&"a".repeat(MAX_URL_LENGTH - 10 + next(20)));
        }
        let o = &modes[next(modes.len())];
        let mut req = request(&["DPoP tok"], &["a.b.c"]);
        req.url = Some(text(&url));
        req.host = [None, Some(text(hosts[next(hosts.len())]))][next(2)].clone();
        req.encrypted = next(2) == 0;
        match o.credentials(&req) {
            Ok(credentials) => {
                let proof = credentials.proof.unwrap();
                let options = json!({ "method": "GET", "url": proof.url });
                assert!(crate::dpop::DpopOptions::from_json(&options).is_ok(), "{url:?} {:?} -> {:?}", req.host, proof.url);
            }
            Err(failure) => assert_eq!((failure.error, failure.description), (Some(AuthError::InvalidRequest), Some(Phrase::BadRequestUrl)), "{url:?}"),
        }
    }
}

#[test]
fn challenges_quote_and_order_params() {
    let o = options(json!({ "realm": "my \"api\" \\ v1", "resourceMetadata": "https://api.example/.well-known/oauth-protected-resource", "requiredScopes": ["read", "write"], "dpop": "off" }));
    let none = o.challenge(&Failure::no_credentials());
    assert_eq!(none, "Bearer realm=\"my \\\"api\\\" \\\\ v1\", resource_metadata=\"https://api.example/.well-known/oauth-protected-resource\"");
    let parsed = parse_challenges(&none);
    assert_eq!(param(&parsed[0], "realm"), Some("my \"api\" \\ v1"));
    let scope = o.token_failure(Scheme::Bearer, "ERR_JWT_CLAIM_VALIDATION_FAILED", Some("scope"), Some("insufficient_scope")).unwrap();
    assert_eq!(scope.status(), 403);
    let parsed = parse_challenges(&o.challenge(&scope));
    assert_eq!(parsed.len(), 1);
    assert_eq!(param(&parsed[0], "error"), Some("insufficient_scope"));
    assert_eq!(param(&parsed[0], "scope"), Some("read write"));
    let both = options(json!({ "algorithms": ["ES256", "HS256", "RS256"] }));
    let failure = both.token_failure(Scheme::Dpop, "ERR_JWT_EXPIRED", Some("exp"), Some("check_failed")).unwrap();
    let header = both.challenge(&failure);
    let parsed = parse_challenges(&header);
    assert_eq!(parsed.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), ["Bearer", "DPoP"]);
    assert_eq!(param(&parsed[0], "error"), None);
    assert_eq!(param(&parsed[1], "algs"), Some("RS256 ES256"));
    assert_eq!(param(&parsed[1], "error"), Some("invalid_token"));
    assert_eq!(param(&parsed[1], "error_description"), Some("The access token has expired"));
}

#[test]
fn options_are_checked() {
    let read = |extra: Value| {
        let mut base = json!({ "keys": {}, "issuer": "i", "audience": "a" });
        for (k, v) in extra.as_object().unwrap() {
            base[k] = v.clone();
        }
        ResourceOptions::from_json(&base).map(|_| ()).map_err(|e| e.path)
    };
    assert_eq!(read(json!({ "realm": "a\nb" })), Err("realm".into()));
    assert_eq!(read(json!({ "realm": "caf\u{e9}" })), Err("realm".into()));
    for bad in ["/relative", "https://rs.example/a b", "https://rs.example/a\tb", "https://u@rs.example/m", "https://rs.example/%zz", "ftp://rs.example/m", "https://"] {
        assert_eq!(read(json!({ "resourceMetadata": bad })), Err("resourceMetadata".into()), "{bad}");
    }
    assert_eq!(read(json!({ "resourceMetadata": "https://rs.example/.well-known/oauth-protected-resource/api?x" })), Ok(()));
    assert_eq!(read(json!({ "dpop": "sometimes" })), Err("dpop".into()));
    assert_eq!(read(json!({ "profile": "oauth" })), Err("profile".into()));
    assert_eq!(read(json!({ "algorithms": ["HS256"] })), Err("algorithms".into()));
    assert_eq!(read(json!({ "algorithms": ["HS256"], "dpop": "off" })), Ok(()));
    assert_eq!(read(json!({ "dpopAlgorithms": ["HS256"] })), Err("dpopAlgorithms[0]".into()));
    assert_eq!(read(json!({ "dpopAlgorithms": [] })), Err("dpopAlgorithms".into()));
    assert_eq!(read(json!({ "dpopAlgorithms": [], "dpop": "off" })), Ok(()));
    assert_eq!(read(json!({ "algorithms": ["HS256"], "dpopAlgorithms": ["ES256"] })), Ok(()));
    assert_eq!(read(json!({ "audience": [] })), Err("audience".into()));
    assert_eq!(read(json!({ "audience": [], "profile": "jwt" })), Ok(()));
    assert_eq!(read(json!({ "dpopReplay": "x" })), Err("dpopReplay".into()));
    let no_aud = ResourceOptions::from_json(&json!({ "keys": {}, "issuer": "i" })).unwrap_err();
    assert_eq!(no_aud.path, "audience");
    assert!(ResourceOptions::from_json(&json!({ "keys": {}, "profile": "jwt" })).is_ok());
    assert_eq!(ResourceOptions::from_json(&json!({ "issuer": "i", "audience": "a" })).unwrap_err().path, "keys");
}

#[test]
fn binding_rules_of_rfc_9449_section_7() {
    let o = options(json!({}));
    let bound = json!({ "jkt": "K1" });
    let bound = Some(&bound);
    assert_eq!(o.bind(Scheme::Bearer, None, None), Ok(None));
    assert_eq!(o.bind(Scheme::Bearer, bound, None).unwrap_err().description, Some(Phrase::TokenBoundToDpop));
    assert_eq!(o.bind(Scheme::Dpop, bound, Some("K1")), Ok(Some("K1".into())));
    let other = o.bind(Scheme::Dpop, bound, Some("K2")).unwrap_err();
    assert_eq!((other.error, other.description), (Some(AuthError::InvalidDpopProof), Some(Phrase::ProofKeyMismatch)));
    assert_eq!(o.bind(Scheme::Dpop, None, Some("K1")).unwrap_err().description, Some(Phrase::TokenNotBound));
    assert_eq!(o.bind(Scheme::Bearer, Some(&json!({ "x5t#S256": "abc" })), None).unwrap_err().description, Some(Phrase::TokenUnknownBinding));
    assert_eq!(o.bind(Scheme::Bearer, Some(&json!("K1")), None).unwrap_err().error, Some(AuthError::InvalidToken));
    assert_eq!(o.bind(Scheme::Bearer, Some(&Value::Null), None).unwrap_err().error, Some(AuthError::InvalidToken));
}

#[test]
fn server_side_failures_are_not_the_clients() {
    let o = options(json!({}));
    for code in ["ERR_JWKS_FETCH_FAILED", "ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID", "ERR_REPLAY_STORE_UNAVAILABLE", "ERR_REPLAY_STORE_FULL"] {
        assert_eq!(o.token_failure(Scheme::Bearer, code, None, None), None, "{code}");
        assert_eq!(o.proof_failure(code, None, None), None, "{code}");
    }
}

#[test]
fn every_phrase_is_a_safe_quoted_string_and_distinct() {
    let mut seen = std::collections::BTreeSet::new();
    for phrase in Phrase::ALL {
        let text = phrase.text();
        assert!(text.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\'), "{text}");
        assert!(seen.insert(text), "duplicate {text}");
    }
}

#[test]
fn any_request_gets_a_parseable_challenge_and_a_fixed_phrase() {
    let mut seed: u64 = 0x9449_6750;
    let mut next = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let pieces = ["Bearer", "DPoP", "bearer", " ", "\t", "a", "=", ",", "\"", "\\", "\r\n", "\u{0}", "é", "eyJ.x.y", "Basic", "+/", "~"];
    let modes = [options(json!({ "realm": "r\"\\" })), options(json!({ "dpop": "required", "requiredScopes": ["read"] })), options(json!({ "dpop": "off", "resourceMetadata": "https://a.example/m" }))];
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..(next() % 6) {
            text.push_str(pieces[next() % pieces.len()]);
        }
        let o = &modes[next() % modes.len()];
        let parts = RequestParts { method: Some(text_value(&text)), url: Some(text_value(&text)), authorization: vec![text_value(&text)], dpop: vec![text_value(&text)], host: Some(text_value(&text)), encrypted: false };
        let Err(failure) = o.credentials(&parts) else { continue };
        if let Some(phrase) = failure.description {
            assert!(Phrase::ALL.contains(&phrase));
        }
        let challenge = o.challenge(&failure);
        assert!(challenge.bytes().all(|b| (0x20..=0x7e).contains(&b)), "{challenge:?}");
        let parsed = parse_challenges(&challenge);
        assert_eq!(parsed.iter().filter(|c| param(c, "error").is_some()).count(), usize::from(failure.error.is_some()), "{challenge}");
    }
}

fn text_value(s: &str) -> HeaderValue {
    HeaderValue::Text(s.to_owned())
}

#[test]
fn proofs_are_single_use_with_or_without_dpop_replay() {
    // No store given: the runtime's in-process cache, whatever the other options say.
    for extra in [json!({}), json!({ "dpop": "required" }), json!({ "profile": "jwt" }), json!({ "dpopAlgorithms": ["ES256"] })] {
        let o = options(extra.clone());
        assert_eq!((o.proof_replay, o.proof_replay.name()), (ProofReplay::InProcess, "process"), "{extra}");
    }
    let given = options(json!({ "dpopReplay": { "markUsed": {} } }));
    assert_eq!((given.proof_replay, given.proof_replay.name()), (ProofReplay::Given, "dpopReplay"));
    // A value that is not a ReplayStore is refused, never read as "no store".
    for bad in [json!({}), json!(null), json!("redis")] {
        let err = ResourceOptions::from_json(&json!({ "keys": {}, "issuer": "i", "audience": "a", "dpopReplay": bad })).unwrap_err();
        assert_eq!(err.path, "dpopReplay", "{bad}");
    }
}

#[test]
fn a_value_over_max_token_length_is_refused_with_the_size_limits_error_as_cause() {
    let o = options(json!({ "maxTokenLength": 8 }));
    // At the limit (UTF-16 units, as everywhere): credentials, no failure.
    for token in ["abcdefgh", "a.b.c-_~+"] {
        let verdict = o.credentials(&request(&[&format!("Bearer {token}")], &[]));
        assert_eq!(verdict.is_ok(), token.len() <= 8, "{token}");
    }
    let over = o.credentials(&request(&["Bearer abcdefghi"], &[])).unwrap_err();
    assert_eq!((over.status(), over.error, over.description), (401, Some(AuthError::InvalidToken), Some(Phrase::TokenMalformed)));
    let cause = over.cause.clone().expect("a cause");
    assert_eq!((cause.code(), cause.message.as_str()), ("ERR_JWS_INVALID", "token is 9 characters long, more than maxTokenLength (8)"));
    assert_eq!(o.failure_json(&over)["cause"], json!({ "code": "ERR_JWS_INVALID", "message": cause.message }));
    // The whole header over its bound, and a proof over the limit.
    let mut req = request(&[], &[]);
    req.authorization = vec![HeaderValue::TooLong(100)];
    assert_eq!(o.credentials(&req).unwrap_err().cause.map(|c| c.code()), Some("ERR_JWS_INVALID"));
    let mut req = request(&["DPoP abc"], &[]);
    req.dpop = vec![HeaderValue::TooLong(9)];
    let proof = o.credentials(&req).unwrap_err();
    assert_eq!(proof.error, Some(AuthError::InvalidDpopProof));
    let cause = proof.cause.expect("a cause");
    assert_eq!((cause.code(), cause.reason), ("ERR_DPOP_INVALID", Some(crate::error::ClaimReason::Malformed)));
    // Failures of any other kind carry none.
    assert_eq!(o.credentials(&request(&["Bearer a", "Bearer b"], &[])).unwrap_err().cause, None);
}
