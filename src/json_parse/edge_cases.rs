//! Edge cases of the parser held to serde_json through `fuzzing::json` (the strict visitor:
//! values with float bits, or the same error text), from the review of `json_parse`/`decimal`.

use crate::fuzzing::json as same;

#[test]
fn numbers_at_the_edges() {
    for text in [
        "-0", "-0.0", "-0e0", "0e-0", "-0e-0", "1E+2", "1e+", "1e-", "+1", "--1", "-01", "-00", "0x1", ".5", "1.", "1.e1", "-.5",
        "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809", "9223372036854775807",
        "9223372036854775808", "99999999999999999999", "-18446744073709551616", "-18446744073709551615", "-18446744073709551614",
        "1844674407370955161500", "18446744073709551615.0", "18446744073709551615e0", "-9223372036854775808.0",
        "1e2147483647", "1e2147483648", "0e2147483648", "1e-2147483648", "1e-2147483647", "-1e2147483648", "-1e-2147483648",
        "0.0e99999999999999999999", "1.0e-99999999999999999999", "0.000001e2147483647", "100000e-2147483647",
        "1e00000000000000000000001", "1e-00000000000000000000400", "1e+2147483647", "0.0000000000000000000001e2147483647",
        "123456789012345678901234567890e2147483647", "123456789012345678901234567890e-2147483648",
        "0.00000000000000000000000000000000000000000000000000e2147483648", "1.5e308", "1.8e308", "-1.8e308", "4.9e-324",
        "2.4e-324", "2.5e-324", "1e-323", "2.2250738585072011e-308", "1e22", "1e23", "9007199254740993", "9007199254740993.0",
        "1700000000", "1700000000.0", "1.7e9", "17e8", "1700000000e0", "0.1", "0.3", "1.7976931348623157e308",
        "1.7976931348623158e308", "1.7976931348623159e308", "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999",
    ] {
        same(text.as_bytes());
        same(format!("[{text}]").as_bytes());
        same(format!("{{\"exp\": {text} }}").as_bytes());
    }
    // Long digit strings, around the 800-digit cut and halfway points.
    for (int, frac, exp) in [(1, 400, -400), (0, 900, 0), (800, 0, -800), (801, 0, -801), (799, 2, -500), (5000, 0, -5300), (5000, 0, -4700)] {
        for lead in ["1", "9", "4"] {
            let text = format!("{lead}{}{}{}e{exp}", "0".repeat(int), if frac > 0 { "." } else { "" }, "7".repeat(frac));
            same(text.as_bytes());
            same(format!("-{text}").as_bytes());
        }
    }
    let half = format!("9007199254740993{}", "0".repeat(1000));
    same(half.as_bytes());
    same(format!("{half}1").as_bytes());
    same(format!("0.{}9007199254740993e1000", "0".repeat(1000)).as_bytes());
}

#[test]
fn random_numbers() {
    let mut next = crate::test_rng::below(0x5eed_1234_abcd_0001);
    for round in 0..300_000u64 {
        let mut t = String::new();
        if next(4) == 0 { t.push('-'); }
        let int_len = if round % 1000 == 0 { 1 + next(1200) } else { 1 + next(25) };
        for i in 0..int_len { t.push(char::from(b'0' + if i == 0 && next(3) != 0 { 1 + next(9) as u8 } else { next(10) as u8 })); }
        if next(2) == 0 {
            t.push('.');
            for _ in 0..next(25) { t.push(char::from(b'0' + next(10) as u8)); }
        }
        if next(2) == 0 {
            t.push(['e', 'E'][next(2) as usize]);
            match next(3) { 0 => t.push('-'), 1 => t.push('+'), _ => {} }
            let exp = match next(5) { 0 => next(10), 1 => next(400), 2 => next(30), 3 => 2_147_483_600 + next(100), _ => next(10_000_000_000) };
            if next(4) == 0 { t.push('0'); }
            t.push_str(&exp.to_string());
        }
        same(t.as_bytes());
    }
}

#[test]
fn strings_and_structure() {
    let cases: &[&[u8]] = &[
        b"\"\\ud800\\udc00\"", b"\"\\udbff\\udfff\"", b"\"\\ud800\\ud800\"", b"\"\\ud800\"", b"\"\\ud800\\\"", b"\"\\ud800\\u\"",
        b"\"\\ud800\\u12\"", b"\"\\ud800\\", b"\"\\ud800", b"\"\\u", b"\"\\u00", b"\"\\u0000\"", b"\"\\uD83D\\uDE00\"", b"\"\\uDE00\\uD83D\"",
        b"\"\\U0041\"", b"\"\\u+041\"", b"\"\\u-041\"", b"\"\\u 041\"", b"\"\\'\"", b"\"\\a\"", b"\"\\\n\"", b"\"\x7f\"", b"\"\x1f\"", b"\"\t\"",
        b"\"\xc0\x80\"", b"\"\xed\xa0\x80\"", b"\"\xf4\x90\x80\x80\"", b"\"\xe2\x82\"", b"\"\xe2\x82", b"\"\\n\xe2\x82\"", b"\"\xe2\x82\\n\"",
        b"\"\xc3\\u00a9\"", b"{\"\xff\":1}", b"{\"a\\n\xff\":1}", b"{\"alg\":\"\xff\"}", b"\n\n  \"\xff\xff\"", b"\"\xef\xbb\xbf\"", b"\xef\xbb\xbf{}",
        b"\x0c1", b"\x0b1", b"1\x00", b"\xc2\xa01", b"1 \r\n\t", b"\r\n\r\n1 x", b"{}x", b"{} ", b"1 2", b"[1,]", b"{\"a\":1,}", b"[,1]", b"{,}",
        b"{\"a\":1,\"a\":2}", b"{\"a\":1,\"\\u0061\":2}", b"{\"a\\u0000\":1,\"a\":2}", b"{\"keys\":[],\"keys\":[]}", b"{\"a\":{\"b\":1,\"b\":2}}",
        b"[{\"a\":1,\n\"a\" : 2}]", b"{\"a\" :1, \"a\"   :2}", b"{\"a\"\n:1}", b"{\"a\":}", b"{:1}", b"{\"a\"1}", b"[1 ,2 ]", b"[1 2]", b"{\"a\":1 \"b\":2}",
        b"nul", b"nulll", b"truex", b"[true false]", b"NaN", b"Infinity", b"-Infinity", b"[01]", b"[1.]", b"[-]", b"{\"a\":-}", b"", b" ", b"\n",
    ];
    for text in cases {
        same(text);
    }
    for depth in [126, 127, 128, 129, 200] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}"), (" [ ", " ] ")] {
            same(format!("{}1{}", open.repeat(depth), close.repeat(depth)).as_bytes());
            same(format!("{}{}", open.repeat(depth), close.repeat(depth)).as_bytes());
        }
    }
}

/// Work per input byte: numbers that miss the one-operation path take the big-integer
/// division; how long does a 1 MB text of them take, against serde_json?
#[test]
#[ignore]
fn slow_numbers() {
    for number in ["1e-300", "1e300", "0.1234567890123456789", "1.7000000000000001e9", "1e-323", "123456789012345678e-340"] {
        let mut text = String::from("[");
        while text.len() < 1 << 20 {
            text.push_str(number);
            text.push(',');
        }
        text.push_str("0]");
        let t = std::time::Instant::now();
        crate::encoding::parse_json_strict(text.as_bytes()).unwrap();
        let ours = t.elapsed();
        let t = std::time::Instant::now();
        serde_json::from_slice::<serde_json::Value>(text.as_bytes()).unwrap();
        eprintln!("{number}: ours {ours:?}, serde_json {:?}", t.elapsed());
    }
}
