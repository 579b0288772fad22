use super::*;
use crate::assertion::AssertionOptions;
use crate::webhook::WebhookOptions;
use serde_json::json;

fn object(members: Vec<(&str, OptionValue)>) -> OptionValue {
    OptionValue::Object(members.into_iter().map(|(n, v)| (n.to_owned(), v)).collect())
}

/// Values no option takes.
fn never_valid() -> Vec<OptionValue> {
    vec![
        OptionValue::Null,
        OptionValue::Function,
        OptionValue::Other("a Symbol".into()),
        OptionValue::Other("a BigInt".into()),
        OptionValue::Date(f64::NAN),
    ]
}

const VERIFY_OPTIONS: [&str; 13] = [
    "algorithms", "issuer", "audience", "allowMultipleAudiences", "subject", "typ", "requiredClaims",
    "clockTolerance", "maxTokenAge", "currentDate", "crit", "maxTokenLength", "maxCandidates",
];

#[test]
fn every_verify_option_refuses_values_of_no_type_and_names_itself() {
    for name in VERIFY_OPTIONS {
        for bad in never_valid() {
            if name == "currentDate" && matches!(bad, OptionValue::Date(_)) {
                // an invalid Date: refused too, checked below with its own message
            }
            let err = VerifyOptions::read(&object(vec![(name, bad.clone())])).expect_err(&format!("{name} = {bad:?}"));
            assert!(err.path.starts_with(name), "{name} = {bad:?}: path {:?}", err.path);
            assert!(err.message("verifyJwt").contains(name), "{}", err.message("verifyJwt"));
        }
    }
}

#[test]
fn undefined_is_not_set() {
    let members = VERIFY_OPTIONS.iter().map(|n| (*n, OptionValue::Undefined)).collect();
    let options = VerifyOptions::read(&object(members)).unwrap();
    assert!(options.issuer.is_none() && options.audience.is_none() && options.algorithms.is_none());
    assert!(options.allow_multiple_audiences);
    assert_eq!(options.max_token_length, DEFAULT_MAX_TOKEN_LENGTH);
    assert!(VerifyOptions::read(&OptionValue::Undefined).is_ok());
}

#[test]
fn numbers_must_be_finite_and_in_range() {
    for (name, bad) in [
        ("clockTolerance", f64::NAN), ("clockTolerance", f64::INFINITY), ("clockTolerance", -1.0),
        ("maxTokenAge", f64::NAN), ("maxTokenAge", f64::NEG_INFINITY),
        ("currentDate", f64::NAN), ("currentDate", f64::INFINITY),
        ("maxTokenLength", 0.0), ("maxTokenLength", 1.5), ("maxTokenLength", -3.0), ("maxTokenLength", f64::NAN),
        ("maxCandidates", 0.0), ("maxCandidates", f64::INFINITY),
    ] {
        let err = VerifyOptions::read(&object(vec![(name, OptionValue::Number(bad))])).expect_err(&format!("{name} = {bad}"));
        assert_eq!(err.path, name);
    }
    let overflow = OptionValue::String(format!("{}s", "9".repeat(400)));
    assert_eq!(VerifyOptions::read(&object(vec![("clockTolerance", overflow)])).unwrap_err().path, "clockTolerance");
}

#[test]
fn duration_texts_that_overflow_are_refused_not_taken_as_forever() {
    let read = |name: &str, text: &str| VerifyOptions::read(&object(vec![(name, OptionValue::String(text.into()))]));
    for name in ["clockTolerance", "maxTokenAge"] {
        for text in ["99999999999999999999999 years", "9007199254740992s", "99999999999999999999 days", "1000000000000 weeks"] {
            let err = read(name, text).expect_err(&format!("{name} = {text:?}"));
            assert_eq!(err.path, name);
            assert!(err.problem.contains("overflows"), "{name} = {text:?}: {}", err.problem);
        }
        // the largest exact span and ordinary long spans still read
        assert!(read(name, "9007199254740991s").is_ok());
        assert!(read(name, "100 years").is_ok());
    }
    for text in ["99999999999999999999 years", "9007199254740992s"] {
        let options = object(vec![("clientId", OptionValue::String("c".into())), ("audience", OptionValue::String("a".into())), ("keys", OptionValue::Host(HostKind::Object)), ("maxLifetime", OptionValue::String(text.into()))]);
        assert!(AssertionOptions::read(&options).is_err_and(|e| e.path == "maxLifetime"), "maxLifetime = {text:?}");
        let webhook = object(vec![("maxAge", OptionValue::String(text.into()))]);
        assert!(WebhookOptions::read(&webhook).is_err_and(|e| e.path == "maxAge"), "maxAge = {text:?}");
    }
}

#[test]
fn dates() {
    let at = |v| VerifyOptions::read(&object(vec![("currentDate", v)]));
    assert_eq!(at(OptionValue::Date(1_700_000_000_500.0)).unwrap().current_date, Some(1_700_000_000.5));
    assert_eq!(at(OptionValue::Number(1_700_000_000.0)).unwrap().current_date, Some(1_700_000_000.0));
    let err = at(OptionValue::Date(f64::NAN)).unwrap_err();
    assert!(err.problem.contains("invalid Date"), "{}", err.problem);
    assert!(at(OptionValue::String("2025-01-01".into())).is_err());
}

#[test]
fn unknown_names_are_refused_with_the_nearest() {
    let err = VerifyOptions::from_json(&json!({ "audiance": "api" })).unwrap_err();
    assert!(err.message("verifyJwt").contains("did you mean audience?"), "{}", err.message("verifyJwt"));
    let err = VerifyOptions::from_json(&json!({ "Issuer": "x" })).unwrap_err();
    assert!(err.problem.contains("did you mean issuer?"));
    // Undefined values of unknown names are "not set" too.
    assert!(VerifyOptions::read(&object(vec![("audiance", OptionValue::Undefined)])).is_ok());
    // Options of one entry point are unknown to another.
    assert!(VerifyOptions::from_json(&json!({ "maxAge": 5 })).is_err());
    assert!(WebhookOptions::from_json(&json!({ "maxAge": 5 })).is_ok());
}

#[test]
fn nested_errors_name_their_path() {
    let base = json!({ "clientId": "c", "audience": "https://as", "keys": {"keys": []} });
    let with = |extra: serde_json::Value| {
        let mut v = base.clone();
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        AssertionOptions::from_json(&v)
    };
    assert!(with(json!({})).is_ok());
    assert_eq!(with(json!({ "federated": [{ "issuer": null, "keys": {} }] })).unwrap_err().path, "federated[0].issuer");
    assert_eq!(with(json!({ "federated": [{ "issuer": "i", "keys": {}, "subjcet": "s" }] })).unwrap_err().path, "federated[0].subjcet");
    assert_eq!(with(json!({ "federated": [{ "issuer": "i" }] })).unwrap_err().path, "federated[0].keys");
    assert_eq!(with(json!({ "algorithms": ["ES256", 1] })).unwrap_err().path, "algorithms[1]");
    assert_eq!(with(json!({ "keys": null })).unwrap_err().path, "keys");
    assert_eq!(with(json!({ "issuer": "x" })).unwrap_err().path, "issuer", "assertions fix iss themselves");
    assert_eq!(with(json!({ "replayTimeoutMs": 2_147_483_648u64 })).unwrap_err().path, "replayTimeoutMs");
    let missing = AssertionOptions::from_json(&json!({ "audience": "a", "keys": {} })).unwrap_err();
    assert_eq!(missing.path, "clientId");
}

#[test]
fn options_must_be_an_object() {
    for bad in [OptionValue::Null, OptionValue::Number(1.0), OptionValue::String("x".into()), OptionValue::Array(vec![]), OptionValue::Function] {
        let err = VerifyOptions::read(&bad).unwrap_err();
        assert!(err.path.is_empty() && err.problem.starts_with("must be an object"), "{err:?}");
    }
}

#[test]
fn messages_quote_untrusted_names() {
    let name = "x\n\u{1b}[31mred".repeat(20);
    let err = VerifyOptions::read(&object(vec![(name.as_str(), OptionValue::Bool(true))])).unwrap_err();
    let message = err.message("verifyJwt");
    assert!(!message.chars().any(char::is_control), "{message:?}");
}

#[test]
fn a_replay_store_without_a_mark_used_function_is_refused_when_read() {
    let host = |kind| OptionValue::Host(kind);
    for kind in [HostKind::Object, HostKind::Function, HostKind::String, HostKind::Null, HostKind::Other] {
        let dpop = crate::dpop::DpopOptions::read(&object(vec![("method", OptionValue::String("GET".into())), ("url", OptionValue::String("https://rs.example/".into())), ("replay", host(kind))]));
        assert_eq!(dpop.unwrap_err().path, "replay", "{kind:?}");
        let resource = crate::resource::ResourceOptions::read(&object(vec![("keys", host(HostKind::Object)), ("profile", OptionValue::String("jwt".into())), ("dpopReplay", host(kind))]));
        assert_eq!(resource.unwrap_err().path, "dpopReplay", "{kind:?}");
    }
    let err = crate::resource::ResourceOptions::from_json(&json!({ "keys": {}, "profile": "jwt", "dpopReplay": {} })).unwrap_err();
    assert!(err.problem.contains("markUsed"), "{}", err.problem);
    assert!(crate::resource::ResourceOptions::from_json(&json!({ "keys": {}, "profile": "jwt", "dpopReplay": { "markUsed": true } })).is_ok());
    assert!(crate::dpop::DpopOptions::from_json(&json!({ "method": "GET", "url": "https://rs.example/", "replay": { "markUsed": true } })).is_ok());
}

/// The one `RemoteOptions` reader, for `RemoteJwks`, `discoverJwks` and `TrustedIssuers` alike.
fn remote(members: Vec<(&str, OptionValue)>) -> Result<crate::remote::RemoteOptions, OptionError> {
    read_remote(&object(members), |_| Ok(())).map(|(policy, ())| policy)
}

#[test]
fn remote_options_read_policy_and_host_members() {
    let policy = remote(vec![
        ("timeoutMs", OptionValue::Number(250.0)),
        ("maxKeys", OptionValue::Number(7.0)),
        ("fetch", OptionValue::Host(HostKind::Function)),
        ("headers", OptionValue::Host(HostKind::Object)),
        ("store", OptionValue::Host(HostKind::Object)),
    ])
    .unwrap();
    assert_eq!(policy.timeout_ms, 250.0);
    assert_eq!(policy.max_keys, 7.0);
    assert_eq!(read_remote(&OptionValue::Undefined, |_| Ok(())).unwrap().0, crate::remote::RemoteOptions::default());
}

#[test]
fn remote_options_refuse_wrong_values_naming_them() {
    for (name, bad) in [
        ("timeoutMs", OptionValue::Number(0.0)),
        ("timeoutMs", OptionValue::Number(MAX_TIMER_MS + 1.0)),
        ("timeoutMs", OptionValue::Number(f64::INFINITY)),
        ("cooldownMs", OptionValue::Number(-1.0)),
        ("maxBytes", OptionValue::Number(0.0)),
        ("maxKeys", OptionValue::Number(1.5)),
        ("fetch", OptionValue::Host(HostKind::Object)),
        ("headers", OptionValue::Host(HostKind::String)),
        ("store", OptionValue::Host(HostKind::Function)),
        ("cacheMaxAgeMs", OptionValue::String("1h".into())),
    ] {
        let err = remote(vec![(name, bad.clone())]).expect_err(&format!("{name} = {bad:?}"));
        assert!(err.message("RemoteJwks").contains(name), "{name} = {bad:?}: {}", err.message("RemoteJwks"));
    }
    let err = remote(vec![("maxIssuers", OptionValue::Number(3.0))]).expect_err("not a RemoteJwks option");
    assert_eq!(err.path, "maxIssuers");
}

#[test]
fn remote_options_take_the_members_a_caller_adds() {
    #[derive(Debug)]
    struct Added {
        max_issuers: Option<usize>,
    }
    impl Part for Added {
        fn read_part(reader: &Reader) -> Result<Self, OptionError> {
            let mut max_issuers = None;
            reader.members(&["maxIssuers"], &mut |_, v| {
                max_issuers = Some(read::count(v)?);
                Ok(())
            })?;
            Ok(Added { max_issuers })
        }
    }
    let value = object(vec![("maxIssuers", OptionValue::Number(3.0)), ("cooldownMs", OptionValue::Number(10.0))]);
    let (policy, added) = read_remote(&value, |reader| reader.part::<Added>()).unwrap();
    assert_eq!((policy.cooldown_ms, added.max_issuers), (10.0, Some(3)));
    // The policy's checks still run for a caller that adds members.
    let value = object(vec![("maxIssuers", OptionValue::Number(3.0)), ("timeoutMs", OptionValue::Number(0.0))]);
    let err = read_remote(&value, |reader| reader.part::<Added>()).expect_err("timeoutMs 0");
    assert!(err.message("TrustedIssuers").contains("timeoutMs"), "{}", err.message("TrustedIssuers"));
}

/// The exact messages of the serde-based reader this one replaced (recorded from it), for the
/// shapes whose wording is easiest to change by accident.
#[test]
fn messages_stay_those_of_the_serde_reader() {
    use OptionValue::*;
    let verify = |name: &str, value: OptionValue| VerifyOptions::read(&object(vec![(name, value)])).expect_err(name);
    let cases = [
        (verify("issuer", Bool(false)), "issuer", "invalid type: boolean `false`, expected a string or an array of strings"),
        (verify("issuer", Number(1.0)), "issuer", "invalid type: floating point `1.0`, expected a string or an array of strings"),
        (verify("issuer", Number(2.5)), "issuer", "invalid type: floating point `2.5`, expected a string or an array of strings"),
        (verify("issuer", Number(1e21)), "issuer", "invalid type: floating point `1000000000000000000000.0`, expected a string or an array of strings"),
        (verify("audience", Object(vec![])), "audience", "invalid type: map, expected a string or an array of strings"),
        (verify("maxTokenAge", Array(vec![])), "maxTokenAge", "invalid type: sequence, expected a number of seconds or a duration text such as \"30s\" or \"5 minutes\""),
        (verify("clockTolerance", Number(f64::INFINITY)), "clockTolerance", "must be a finite number of seconds, got Infinity"),
        (verify("currentDate", Number(f64::INFINITY)), "currentDate", "must be a Date or a finite number of seconds, got inf"),
        (verify("currentDate", Date(f64::NAN)), "currentDate", "must be a valid Date or a number of seconds, got an invalid Date"),
        (verify("crit", object(vec![("a", Null)])), "crit.a", "must not be null (leave it out, or pass undefined, for the default)"),
        (verify("requiredClaims", Array(vec![String("a".into()), Undefined])), "requiredClaims[1]", "must not be undefined (arrays have no unset items)"),
        (verify("maxCandidates", Number(2.5)), "maxCandidates", "must be a non-negative integer, got the number 2.5"),
        (verify("maxTokenLength", Number(1e21)), "maxTokenLength", "must be a non-negative integer, got the number 1000000000000000000000"),
        (
            verify("audiance", Bool(true)),
            "audiance",
            "is not an option here (known: algorithms, clockTolerance, currentDate, crit, maxTokenLength, maxCandidates, issuer, audience, allowMultipleAudiences, subject, typ, requiredClaims, maxTokenAge); did you mean audience?",
        ),
    ];
    for (err, path, problem) in cases {
        assert_eq!((err.path.as_str(), err.problem.as_str()), (path, problem));
    }
    let assertion = |name: &str, value: OptionValue| {
        let base = vec![("clientId", String("c".into())), ("audience", String("https://as.example/token".into())), ("keys", Host(HostKind::Object))];
        let mut members: Vec<(&str, OptionValue)> = base.into_iter().filter(|(n, _)| *n != name).collect();
        members.push((name, value));
        AssertionOptions::read(&object(members)).expect_err(name)
    };
    let identity = |members: Vec<(&str, OptionValue)>| Array(vec![object(members)]);
    let cases = [
        (assertion("profile", Array(vec![])), "profile", "must be one of \"strict\", \"rfc7523\", got an array"),
        (assertion("federated", identity(vec![("issuer", String("x".into()))])), "federated[0].keys", "is required"),
        (
            assertion("federated", identity(vec![("isuer", String("x".into())), ("keys", Host(HostKind::Object))])),
            "federated[0].isuer",
            "is not an option here (known: issuer, subject, audience, maxLifetime, singleUse, keys); did you mean issuer?",
        ),
        (assertion("federated", identity(vec![("issuer", String("x".into())), ("keys", Host(HostKind::Null))])), "federated[0].keys", "must not be null (leave it out, or pass undefined, for the default)"),
        (assertion("federated", identity(vec![("issuer", String("x".into())), ("singleUse", Number(1.0)), ("keys", Host(HostKind::Object))])), "federated[0].singleUse", "must be a boolean, got the number 1"),
        (AssertionOptions::read(&object(vec![("audience", String("a".into()))])).expect_err("no clientId"), "clientId", "is required"),
    ];
    for (err, path, problem) in cases {
        assert_eq!((err.path.as_str(), err.problem.as_str()), (path, problem));
    }
}

/// Counts (`maxCandidates`, `maxTokenLength`, `maxKeys`, `maxEntries`) take the same range on
/// every target: integers 0..=2^31-1. On wasm32 `usize` is 32 bits, so the range used to end at
/// 2^32-1 there (with serde's "expected usize") and at 2^53-1 in native builds.
#[test]
fn counts_have_one_range_on_every_target() {
    use OptionValue::Number;
    let verify = |name: &str, n: f64| VerifyOptions::read(&object(vec![(name, Number(n))]));
    let parse = |n: f64| ParseJwksOptions::read(&object(vec![("maxKeys", Number(n))]));
    let cache = |n: f64| ReplayCacheOptions::read(&object(vec![("maxEntries", Number(n))]));
    for n in [1.0, 4.0, 65_536.0, 2_147_483_647.0] {
        assert_eq!(verify("maxCandidates", n).expect("in range").max_candidates, n as usize);
        assert_eq!(verify("maxTokenLength", n).expect("in range").max_token_length, n as usize);
        assert_eq!(parse(n).expect("in range").1, n as usize);
        assert_eq!(cache(n).expect("in range"), n as usize);
    }
    for n in [2_147_483_648.0, 4_294_967_295.0, 4_294_967_296.0, 9_007_199_254_740_991.0] {
        let expected = format!("must be at most 2147483647, got the number {}", crate::quote::number_text(n));
        for (path, err) in [
            ("maxCandidates", verify("maxCandidates", n).expect_err("2^31 and more")),
            ("maxTokenLength", verify("maxTokenLength", n).expect_err("2^31 and more")),
            ("maxKeys", parse(n).expect_err("2^31 and more")),
            ("maxEntries", cache(n).expect_err("2^31 and more")),
        ] {
            assert_eq!((err.path.as_str(), err.problem.as_str()), (path, expected.as_str()), "{n}");
        }
    }
}
