//! The minimal DER walk that replaced `x509-cert` in the x5c check reads every certificate
//! `x509-cert` reads, to the same SubjectPublicKeyInfo: the fixtures and thousands of
//! mutations of them (flipped octets, truncations). It is allowed to read more (it does not
//! check attribute and extension values); how many, is printed (106 of 6,118 when written).

use jwks_verify::der;
use serde_json::Value;
use x509_cert::der::{Decode, Encode};

const FIXTURES: &[&str] = &[
    include_str!("fixtures/x5c/rsa2048.jwk.json"),
    include_str!("fixtures/x5c/p256.jwk.json"),
    include_str!("fixtures/x5c/p384-compressed.jwk.json"),
    include_str!("fixtures/x5c/ed25519.jwk.json"),
];

fn certificate_der(jwk: &str) -> Vec<u8> {
    use base64::Engine;
    let jwk: Value = serde_json::from_str(jwk).unwrap();
    base64::engine::general_purpose::STANDARD.decode(jwk["x5c"][0].as_str().unwrap()).unwrap()
}

fn same_spki(der_bytes: &[u8]) -> Result<bool, String> {
    let ours = der::certificate_spki(der_bytes);
    let Ok(reference) = x509_cert::Certificate::from_der(der_bytes) else { return Ok(ours.is_ok()) };
    let ours = ours.map_err(|e| format!("x509-cert reads it, the walk does not: {e}"))?;
    let spki = &reference.tbs_certificate.subject_public_key_info;
    if ours.algorithm != spki.algorithm.oid.as_bytes() {
        return Err("algorithm differs".into());
    }
    let params = spki.algorithm.parameters.as_ref().map(|p| p.to_der().unwrap());
    let our_params = ours.parameters.map(|t| {
        let mut out = der_reencode(t.tag, t.body);
        out.shrink_to_fit();
        out
    });
    if params != our_params {
        return Err("parameters differ".into());
    }
    // With unused bits the x5c check stops ("has unused bits"); x509-cert gives no octets then.
    let our_key = (ours.public_key.first() == Some(&0)).then(|| &ours.public_key[1..]);
    if our_key != spki.subject_public_key.as_bytes() {
        return Err("public key differs".into());
    }
    Ok(false)
}

fn der_reencode(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(body);
    out
}

#[test]
fn the_walk_reads_what_x509_cert_reads() {
    let mut lenient = 0;
    let mut cases = 0;
    for fixture in FIXTURES {
        let original = certificate_der(fixture);
        assert!(der::certificate_spki(&original).is_ok());
        let mut variants = vec![original.clone()];
        for i in 0..original.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut v = original.clone();
                v[i] ^= flip;
                variants.push(v);
            }
            if i % 7 == 0 {
                variants.push(original[..i].to_vec());
            }
        }
        for v in &variants {
            cases += 1;
            match same_spki(v) {
                Ok(true) => lenient += 1,
                Ok(false) => {}
                Err(why) => panic!("{why}: {v:02x?}"),
            }
        }
    }
    println!("{cases} certificates, {lenient} read by the walk only (x509-cert refused them)");
    assert!(cases > 3000);
}
