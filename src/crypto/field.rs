//! Just enough modular arithmetic for the key checks `parseJwks` makes without the signature
//! code: an EC point lies on its curve (P-256/P-384/P-521), a compressed point's y, an
//! Ed25519 point decodes and is not of small order. Montgomery multiplication over 32-bit
//! limbs (wasm32 multiplies 64-bit integers natively). Variable time: it only sees public keys.

use std::sync::OnceLock;

const LIMBS: usize = 17; // 544 bits, enough for P-521

type Limbs = [u32; LIMBS];

/// Little-endian limbs from big-endian bytes; `None` when they do not fit.
fn from_be(bytes: &[u8]) -> Option<Limbs> {
    if bytes.len() > 4 * LIMBS {
        return None;
    }
    let mut out = [0u32; LIMBS];
    for (i, byte) in bytes.iter().rev().enumerate() {
        out[i / 4] |= u32::from(*byte) << (8 * (i % 4));
    }
    Some(out)
}

fn to_be(limbs: &Limbs, len: usize) -> Vec<u8> {
    (0..len).rev().map(|i| (limbs[i / 4] >> (8 * (i % 4))) as u8).collect()
}

fn less(a: &Limbs, b: &Limbs) -> bool {
    for i in (0..LIMBS).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// `a - b` (wrapping), and whether it borrowed.
fn sub(a: &Limbs, b: &Limbs) -> (Limbs, bool) {
    let mut out = [0u32; LIMBS];
    let mut borrow = 0u64;
    for i in 0..LIMBS {
        let d = u64::from(a[i]).wrapping_sub(u64::from(b[i])).wrapping_sub(borrow);
        out[i] = d as u32;
        borrow = (d >> 63) & 1;
    }
    (out, borrow == 1)
}

fn add(a: &Limbs, b: &Limbs) -> (Limbs, bool) {
    let mut out = [0u32; LIMBS];
    let mut carry = 0u64;
    for i in 0..LIMBS {
        let s = u64::from(a[i]) + u64::from(b[i]) + carry;
        out[i] = s as u32;
        carry = s >> 32;
    }
    (out, carry == 1)
}

fn bit(a: &Limbs, i: usize) -> bool {
    (a[i / 32] >> (i % 32)) & 1 == 1
}

fn small(v: u32) -> Limbs {
    let mut out = [0u32; LIMBS];
    out[0] = v;
    out
}

/// The integers modulo an odd prime `p`; elements are kept in Montgomery form (`a·R mod p`).
struct Field {
    p: Limbs,
    /// Limbs of `p` (R = 2^(32·n)).
    n: usize,
    /// -p⁻¹ mod 2³².
    n0: u32,
    /// R² mod p.
    r2: Limbs,
}

impl Field {
    fn new(p: Limbs) -> Field {
        let n = (0..LIMBS).rev().find(|&i| p[i] != 0).map_or(1, |i| i + 1);
        let mut inv: u32 = 1;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(p[0].wrapping_mul(inv)));
        }
        let mut field = Field { p, n, n0: inv.wrapping_neg(), r2: small(1) };
        let mut r2 = small(1);
        for _ in 0..64 * n {
            r2 = field.add(&r2, &r2);
        }
        field.r2 = r2;
        field
    }

    fn add(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let (s, carry) = add(a, b);
        if carry || !less(&s, &self.p) {
            sub(&s, &self.p).0
        } else {
            s
        }
    }

    fn sub(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let (d, borrow) = sub(a, b);
        if borrow {
            add(&d, &self.p).0
        } else {
            d
        }
    }

    /// a·b·R⁻¹ mod p (CIOS), for a, b < p.
    fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        // A constant limb count lets the compiler drop the index checks of the inner loops.
        match self.n {
            8 => self.mul_n::<8>(a, b),
            12 => self.mul_n::<12>(a, b),
            _ => self.mul_n::<LIMBS>(a, b),
        }
    }

    fn mul_n<const N: usize>(&self, a: &Limbs, b: &Limbs) -> Limbs {
        debug_assert_eq!(self.n, N);
        let n = N;
        let mut t = [0u32; LIMBS + 2];
        for &bi in &b[..n] {
            let mut c = 0u64;
            for j in 0..n {
                let s = u64::from(t[j]) + u64::from(a[j]) * u64::from(bi) + c;
                t[j] = s as u32;
                c = s >> 32;
            }
            let s = u64::from(t[n]) + c;
            t[n] = s as u32;
            t[n + 1] = (s >> 32) as u32;
            let m = t[0].wrapping_mul(self.n0);
            let mut c = (u64::from(t[0]) + u64::from(m) * u64::from(self.p[0])) >> 32;
            for j in 1..n {
                let s = u64::from(t[j]) + u64::from(m) * u64::from(self.p[j]) + c;
                t[j - 1] = s as u32;
                c = s >> 32;
            }
            let s = u64::from(t[n]) + c;
            t[n - 1] = s as u32;
            t[n] = t[n + 1] + (s >> 32) as u32;
        }
        // t < 2p; its top limb t[n] is zero whenever n = LIMBS (P-521: 2p < 2^544).
        let mut out = [0u32; LIMBS];
        let len = (n + 1).min(LIMBS);
        out[..len].copy_from_slice(&t[..len]);
        if !less(&out, &self.p) {
            out = sub(&out, &self.p).0;
        }
        out
    }

    fn to_mont(&self, a: &Limbs) -> Limbs {
        self.mul(a, &self.r2)
    }

    fn leave_mont(&self, a: &Limbs) -> Limbs {
        self.mul(a, &small(1))
    }

    /// Montgomery `a` to the plain exponent `e`.
    fn pow(&self, a: &Limbs, e: &Limbs) -> Limbs {
        let mut acc = self.to_mont(&small(1));
        for i in (0..32 * LIMBS).rev() {
            acc = self.mul(&acc, &acc);
            if bit(e, i) {
                acc = self.mul(&acc, a);
            }
        }
        acc
    }

    /// p - k for a small k (an exponent such as p - 2).
    fn p_minus(&self, k: u32) -> Limbs {
        sub(&self.p, &small(k)).0
    }
}

fn shr(a: &Limbs, bits: u32) -> Limbs {
    let mut out = [0u32; LIMBS];
    for i in 0..LIMBS {
        let high = if i + 1 < LIMBS { a[i + 1] << (32 - bits) } else { 0 };
        out[i] = (a[i] >> bits) | high;
    }
    out
}

/// A NIST prime curve y² = x³ - 3x + b.
struct Curve {
    field: Field,
    /// b in Montgomery form.
    b: Limbs,
    /// b·R⁻¹ mod p, for the on-curve check of plain coordinates.
    b_over_r: Limbs,
    size: usize,
}

/// Limbs from a big-endian hex constant, at compile time (a bad digit fails the build).
const fn hex(text: &str) -> Limbs {
    let digits = text.as_bytes();
    let mut out = [0u32; LIMBS];
    let mut i = 0;
    while i < digits.len() {
        let nibble = match digits[digits.len() - 1 - i] {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lower-case hex digit"),
        };
        out[i / 8] |= (nibble as u32) << (4 * (i % 8));
        i += 1;
    }
    out
}

/// The curve's constants, computed once per process (R² alone takes 64·n modular doublings:
/// computed per key, it made a 5,000-key parseJwks eight times slower).
fn curve(crv: &str) -> Option<&'static Curve> {
    static CURVES: [OnceLock<Curve>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let (slot, p, b, size) = match crv {
        "P-256" => (
            0,
            const { hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff") },
            const { hex("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b") },
            32,
        ),
        "P-384" => (
            1,
            const { hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff") },
            const { hex("b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef") },
            48,
        ),
        "P-521" => (
            2,
            const { hex("01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff") },
            const { hex("0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00") },
            66,
        ),
        _ => return None,
    };
    Some(CURVES[slot].get_or_init(|| {
        let field = Field::new(p);
        let b_over_r = field.leave_mont(&b);
        let b = field.to_mont(&b);
        Curve { field, b, b_over_r, size }
    }))
}

impl Curve {
    /// x³ - 3x + b (Montgomery form) for a Montgomery x.
    fn rhs(&self, x: &Limbs) -> Limbs {
        let f = &self.field;
        let x3 = f.mul(&f.mul(x, x), x);
        let three_x = f.add(&f.add(x, x), x);
        f.add(&f.sub(&x3, &three_x), &self.b)
    }

    /// A coordinate of exactly the curve's size, below p.
    fn plain(&self, bytes: &[u8]) -> Option<Limbs> {
        from_be(bytes).filter(|v| bytes.len() == self.size && less(v, &self.field.p))
    }

    fn element(&self, bytes: &[u8]) -> Option<Limbs> {
        Some(self.field.to_mont(&self.plain(bytes)?))
    }
}

/// Whether (x, y) — big-endian, exactly the curve's coordinate size — is a point on `crv`
/// (P-256, P-384 or P-521) with both coordinates below p: what SEC1 decoding accepts.
pub fn ec_point_on_curve(crv: &str, x: &[u8], y: &[u8]) -> bool {
    let Some(curve) = curve(crv) else { return false };
    let (Some(x), Some(y)) = (curve.plain(x), curve.plain(y)) else { return false };
    let f = &curve.field;
    // With mul(a, b) = a·b·R⁻¹, plain coordinates compare y²·R⁻¹ with (x³ - 3x)·R⁻¹ + b·R⁻¹:
    // four multiplications (one of them x·R), where Montgomery form throughout takes six.
    let x2 = f.mul(&x, &f.to_mont(&x));
    let rhs = f.add(&f.mul(&x, &f.sub(&x2, &small(3))), &curve.b_over_r);
    f.mul(&y, &y) == rhs
}

/// A SEC1 point (compressed `02`/`03 || x` or uncompressed `04 || x || y`) in uncompressed
/// form, when it is a point on `crv`.
pub fn ec_uncompressed(crv: &str, sec1: &[u8]) -> Option<Vec<u8>> {
    let curve = curve(crv)?;
    let size = curve.size;
    match sec1.first()? {
        0x04 if sec1.len() == 1 + 2 * size => ec_point_on_curve(crv, &sec1[1..1 + size], &sec1[1 + size..]).then(|| sec1.to_vec()),
        tag @ (0x02 | 0x03) if sec1.len() == 1 + size => {
            let f = &curve.field;
            let xm = curve.element(&sec1[1..])?;
            let rhs = curve.rhs(&xm);
            // p ≡ 3 (mod 4) for all three curves: a square root is rhs^((p+1)/4).
            let exponent = shr(&add(&f.p, &small(1)).0, 2);
            let root = f.pow(&rhs, &exponent);
            if f.mul(&root, &root) != rhs {
                return None;
            }
            let mut y = f.leave_mont(&root);
            if (y[0] & 1 == 1) != (*tag == 0x03) {
                y = sub(&f.p, &y).0;
            }
            let mut out = vec![0x04];
            out.extend_from_slice(&sec1[1..]);
            out.extend(to_be(&y, size));
            Some(out)
        }
        _ => None,
    }
}

/// What an Ed25519 public key encoding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ed25519Point {
    Valid,
    /// It decodes to a point of order dividing 8 (RFC 8032 §5.1.7 leaves those to the verifier).
    SmallOrder,
    /// No point has this y (y² - 1)/(d·y² + 1) is not a square.
    NotAPoint,
}

/// RFC 8032 §5.1.3 decoding as ed25519-dalek does it: y is read modulo p (non-canonical
/// encodings decode), the sign bit is never refused.
pub fn ed25519_point(bytes: &[u8; 32]) -> Ed25519Point {
    let mut be: Vec<u8> = bytes.iter().rev().copied().collect();
    be[0] &= 0x7f;
    static FIELD: OnceLock<Field> = OnceLock::new();
    let f = FIELD.get_or_init(|| Field::new(const { hex("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed") }));
    let mut y = from_be(&be).unwrap_or([0; LIMBS]);
    if !less(&y, &f.p) {
        y = sub(&y, &f.p).0;
    }
    let d = f.to_mont(&const { hex("52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3") });
    let one = f.to_mont(&small(1));
    let ym = f.to_mont(&y);
    let yy = f.mul(&ym, &ym);
    let u = f.sub(&yy, &one);
    let v = f.add(&f.mul(&yy, &d), &one);
    let ratio = f.mul(&u, &f.pow(&v, &f.p_minus(2)));
    let zero = [0u32; LIMBS];
    if ratio != zero && f.pow(&ratio, &shr(&f.p_minus(1), 1)) != one {
        return Ed25519Point::NotAPoint;
    }
    // The y of the eight points of small order: 1, -1, 0 and ±y₈.
    let y8 = const { hex("7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7") };
    let minus = |v: &Limbs| if *v == zero { zero } else { sub(&f.p, v).0 };
    if [zero, small(1), minus(&small(1)), y8, minus(&y8)].contains(&y) {
        Ed25519Point::SmallOrder
    } else {
        Ed25519Point::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_are_on_their_curves() {
        let g256x = hex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
        let g256y = hex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
        assert!(ec_point_on_curve("P-256", &to_be(&g256x, 32), &to_be(&g256y, 32)));
        let mut y = to_be(&g256y, 32);
        y[31] ^= 1;
        assert!(!ec_point_on_curve("P-256", &to_be(&g256x, 32), &y));
        let mut compressed = vec![0x03];
        compressed.extend(to_be(&g256x, 32));
        let mut full = vec![0x04];
        full.extend(to_be(&g256x, 32));
        full.extend(to_be(&g256y, 32));
        assert_eq!(ec_uncompressed("P-256", &compressed), Some(full));
    }

    #[test]
    fn ed25519_base_point_and_identity() {
        let mut base = [0x66u8; 32];
        base[0] = 0x58;
        assert_eq!(ed25519_point(&base), Ed25519Point::Valid);
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(ed25519_point(&identity), Ed25519Point::SmallOrder);
    }
}
