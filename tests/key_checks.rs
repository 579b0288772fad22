//! The key checks `parseJwks` makes without the signature arithmetic (`crypto::field`) agree
//! with the RustCrypto crates they replaced, over many inputs: EC points on or off their
//! curves (coordinates at or above p too), compressed points, Ed25519 encodings (small order,
//! non-canonical, random). The protocol wasm module is built without those crates, so this is
//! what keeps its diagnostics identical.

use jwks_verify::crypto::field::{ec_point_on_curve, ec_uncompressed, ed25519_point, Ed25519Point};

struct Rng(u64);

impl Rng {
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                (self.0 >> 24) as u8
            })
            .collect()
    }
}

fn reference_on_curve(crv: &str, sec1: &[u8]) -> Option<Vec<u8>> {
    match crv {
        "P-256" => p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1).ok().map(|k| k.to_encoded_point(false).as_bytes().to_vec()),
        "P-384" => p384::ecdsa::VerifyingKey::from_sec1_bytes(sec1).ok().map(|k| k.to_encoded_point(false).as_bytes().to_vec()),
        _ => p521::ecdsa::VerifyingKey::from_sec1_bytes(sec1).ok().map(|k| k.to_encoded_point(false).as_bytes().to_vec()),
    }
}

/// Real public points: d·G for small scalars and random ones.
fn real_points(crv: &str, size: usize, rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut scalars: Vec<Vec<u8>> = (1u8..=8).map(|d| { let mut s = vec![0u8; size]; s[size - 1] = d; s }).collect();
    for _ in 0..24 {
        let mut s = rng.bytes(size);
        s[0] = if crv == "P-521" { 0 } else { s[0] & 0x7f };
        scalars.push(s);
    }
    scalars
        .iter()
        .filter_map(|d| match crv {
            "P-256" => p256::ecdsa::SigningKey::from_slice(d).ok().map(|k| k.verifying_key().to_encoded_point(false).as_bytes().to_vec()),
            "P-384" => p384::ecdsa::SigningKey::from_slice(d).ok().map(|k| k.verifying_key().to_encoded_point(false).as_bytes().to_vec()),
            _ => p521::ecdsa::SigningKey::from_slice(d).ok().map(|k| p521::ecdsa::VerifyingKey::from(&k).to_encoded_point(false).as_bytes().to_vec()),
        })
        .collect()
}

#[test]
fn ec_points_agree_with_the_curve_crates() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (crv, size) in [("P-256", 32), ("P-384", 48), ("P-521", 66)] {
        let points = real_points(crv, size, &mut rng);
        assert!(points.len() >= 30, "{crv}: scalars made points");
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for point in &points {
            cases.push(point.clone());
            let mut bent = point.clone();
            bent[1 + 2 * size - 1] ^= 1; // y off by one bit
            cases.push(bent);
            let mut moved = point.clone();
            moved[size] ^= 0x10; // x changed
            cases.push(moved);
        }
        for _ in 0..100 {
            let mut random = vec![0x04];
            random.extend(rng.bytes(2 * size));
            if crv == "P-521" {
                random[1] &= 1;
                random[1 + size] &= 1;
            }
            cases.push(random);
        }
        // Coordinates at and above p, and all-ones.
        let mut ones = vec![0x04];
        ones.extend(vec![0xff; 2 * size]);
        cases.push(ones);
        for case in &cases {
            let ours = ec_point_on_curve(crv, &case[1..1 + size], &case[1 + size..]);
            assert_eq!(ours, reference_on_curve(crv, case).is_some(), "{crv} point {case:02x?}");
        }
        let on_curve = cases.iter().filter(|c| reference_on_curve(crv, c).is_some()).count();
        assert!(on_curve >= 30, "{crv}: the cases include real points ({on_curve})");
        // Compressed forms of real points and of random x.
        for point in &points {
            let odd = point[2 * size] & 1 == 1;
            let mut compressed = vec![if odd { 0x03 } else { 0x02 }];
            compressed.extend_from_slice(&point[1..1 + size]);
            assert_eq!(ec_uncompressed(crv, &compressed).as_deref(), Some(point.as_slice()), "{crv} compressed {compressed:02x?}");
            compressed[0] ^= 1;
            assert_eq!(ec_uncompressed(crv, &compressed), reference_on_curve(crv, &compressed), "{crv} other root");
        }
        for _ in 0..50 {
            let mut compressed = vec![0x02 | (rng.bytes(1)[0] & 1)];
            compressed.extend(rng.bytes(size));
            if crv == "P-521" {
                compressed[1] &= 1;
            }
            assert_eq!(ec_uncompressed(crv, &compressed), reference_on_curve(crv, &compressed), "{crv} random compressed {compressed:02x?}");
        }
    }
}

fn reference_ed25519(bytes: &[u8; 32]) -> Ed25519Point {
    match ed25519_dalek::VerifyingKey::from_bytes(bytes) {
        Err(_) => Ed25519Point::NotAPoint,
        Ok(key) if key.is_weak() => Ed25519Point::SmallOrder,
        Ok(_) => Ed25519Point::Valid,
    }
}

#[test]
fn ed25519_encodings_agree_with_dalek() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut cases: Vec<[u8; 32]> = Vec::new();
    // y = 0..=40 and p - 20..=p + 18 (non-canonical), each with and without the sign bit.
    let p_minus = |k: u8| {
        let mut b = [0xffu8; 32];
        b[31] = 0x7f;
        b[0] = 0xed - k;
        b
    };
    for k in 0..=40u8 {
        let mut low = [0u8; 32];
        low[0] = k;
        cases.push(low);
        cases.push(p_minus(k.min(0xed)));
    }
    for k in 0..19u8 {
        let mut above = [0xffu8; 32];
        above[31] = 0x7f;
        above[0] = 0xed + k; // p + k, k < 19
        cases.push(above);
    }
    let small_order = ["c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"];
    for text in small_order {
        let bytes: Vec<u8> = (0..64).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect();
        cases.push(bytes.try_into().unwrap());
    }
    for _ in 0..1000 {
        cases.push(rng.bytes(32).try_into().unwrap());
    }
    let signed: Vec<[u8; 32]> = cases.iter().map(|c| { let mut s = *c; s[31] |= 0x80; s }).collect();
    cases.extend(signed);
    let mut seen = [0usize; 3];
    for case in &cases {
        let expected = reference_ed25519(case);
        seen[expected as usize] += 1;
        assert_eq!(ed25519_point(case), expected, "Ed25519 x {case:02x?}");
    }
    assert!(seen.iter().all(|&n| n >= 10), "every outcome is exercised: {seen:?}");
}
