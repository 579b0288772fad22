//! A decimal number's digits and exponent to the nearest `f64` (ties to even), for
//! [`crate::json_parse`]. Small rather than fast, but never slow: the verify path's numbers
//! (`exp`, `nbf`, `iat`) take the exact one-operation path; other numbers a 128-bit
//! approximation with an error bound, which decides unless the number lies within that bound
//! of a rounding boundary; only those reach the exact big-integer division (any number in an
//! attacker's token is parsed, wanted or not). `tests::same_as_str_parse` holds it to
//! `str::parse::<f64>`.

/// The value of `int.frac × 10^exp10` (ASCII digits), correctly rounded; `INFINITY` when it
/// rounds past `f64::MAX`.
pub fn to_f64(int: &[u8], frac: &[u8], exp10: i64) -> f64 {
    let mut digits: Vec<u8> = int.iter().chain(frac).map(|d| d - b'0').skip_while(|&d| d == 0).collect();
    // value = digits × 10^exp
    let mut exp = exp10.saturating_sub(frac.len() as i64);
    while digits.last() == Some(&0) {
        digits.pop();
        exp = exp.saturating_add(1);
    }
    let count = digits.len() as i64;
    if count == 0 || count.saturating_add(exp) <= -324 {
        // Below 10^-324: under half the smallest subnormal (2^-1074).
        return 0.0;
    }
    if count.saturating_add(exp) > 309 {
        // At least 10^309.
        return f64::INFINITY;
    }
    if count <= 15 && (-22..=22).contains(&exp) {
        // Both operands exact (below 2^53; 10^22 = 2^22·5^22 with 5^22 < 2^53): one rounding.
        let m = digits.iter().fold(0u64, |m, &d| m * 10 + u64::from(d)) as f64;
        let scale = (0..exp.unsigned_abs()).fold(1.0, |p, _| p * 10.0);
        return if exp >= 0 { m * scale } else { m / scale };
    }
    if let Some(value) = approximate(&digits, exp) {
        return value;
    }
    // Past 800 significant digits, one nonzero digit stands for the rest: no halfway point
    // between two doubles has more than 767.
    if digits.len() > 800 {
        exp += digits.len() as i64 - 801;
        digits.truncate(800);
        digits.push(1);
    }
    let mut num = Big::from_digits(&digits);
    let mut den = Big(vec![1]);
    // 10^|exp|, nine decimal places (10^9 < 2^32) per pass.
    let mut left = exp.unsigned_abs();
    while left > 0 {
        let step = left.min(9);
        let factor = 10u32.pow(step as u32);
        if exp >= 0 { num.mul_add(factor, 0) } else { den.mul_add(factor, 0) }
        left -= step;
    }
    // Scaled so that the quotient has 65 or 66 bits: value = quotient × 2^-shift.
    let shift = 65 + den.bits() as i64 - num.bits() as i64;
    if shift >= 0 {
        num.shl(shift as usize);
    } else {
        den.shl(shift.unsigned_abs() as usize);
    }
    let (quotient, inexact) = num.divide(den);
    round(quotient, inexact, -shift)
}

/// The value from the first 19 digits and a 128-bit power of ten, when every value its error
/// bound allows rounds to the same `f64` (`None`: too close to a rounding boundary to tell).
fn approximate(digits: &[u8], exp: i64) -> Option<f64> {
    let taken = digits.len().min(19);
    let w = digits[..taken].iter().fold(0u64, |w, &d| w * 10 + u64::from(d));
    let (power, e2) = pow10(exp + (digits.len() - taken) as i64);
    let (x, e2) = normalized(u128::from(w), power, e2);
    // The power's relative error is below 2^-110, so x's below 2^18 units; the digits not
    // taken add less than x / w.
    const SLACK: u128 = 1 << 20;
    let lo = x.checked_sub(SLACK)?;
    let spread = if taken < digits.len() { x / u128::from(w) + 1 } else { 0 };
    let hi = x.checked_add(spread + SLACK)?;
    let low_bits = (1u128 << 62) - 1;
    let a = round(lo >> 62, lo & low_bits != 0, e2 + 62);
    let b = round(hi >> 62, hi & low_bits != 0, e2 + 62);
    (a.to_bits() == b.to_bits()).then_some(a)
}

/// `a × b × 2^e2` as `(x, e)` with `x` in `[2^127, 2^128)` (the product's top bits, truncated).
fn normalized(a: u128, b: u128, e2: i64) -> (u128, i64) {
    let (a1, a0) = (a >> 64, a & u128::from(u64::MAX));
    let (b1, b0) = (b >> 64, b & u128::from(u64::MAX));
    let low = a0 * b0;
    let mid = (a1 * b0) + (low >> 64);
    let mid2 = (a0 * b1) + (mid & u128::from(u64::MAX));
    let high = a1 * b1 + (mid >> 64) + (mid2 >> 64);
    let low = (mid2 << 64) | (low & u128::from(u64::MAX));
    // The 256-bit product is high·2^128 + low; keep its top 128 bits.
    let zeros = if high == 0 { 128 + low.leading_zeros() } else { high.leading_zeros() };
    let shift = 128 - zeros as i64;
    let x = match shift {
        s if s <= 0 => low << (-s) as u32,
        128 => high,
        s => (high << (128 - s) as u32) | (low >> s as u32),
    };
    (x, e2 + shift)
}

/// `10^e ≈ m × 2^b` with `m` in `[2^127, 2^128)`, relative error below 2^-110 (|e| ≤ 400: nine
/// squarings at most, each at most doubling the error, one truncation per product).
fn pow10(e: i64) -> (u128, i64) {
    // 10 exactly, or 0.1 rounded up (error below 2^-127).
    let (mut base, mut base_e2) = if e >= 0 { (10u128 << 124, -124) } else { (0xCCCC_CCCC_CCCC_CCCC_CCCC_CCCC_CCCC_CCCD, -131) };
    let (mut m, mut b) = (1u128 << 127, -127i64);
    let mut left = e.unsigned_abs();
    while left > 0 {
        if left & 1 == 1 {
            (m, b) = normalized(m, base, b + base_e2);
        }
        left >>= 1;
        if left > 0 {
            (base, base_e2) = normalized(base, base, 2 * base_e2);
        }
    }
    (m, b)
}

/// `q × 2^e2` (plus a little more when `sticky`) rounded to the nearest `f64`; `q` has 65 or 66 bits.
fn round(q: u128, sticky: bool, e2: i64) -> f64 {
    let bits = 128 - i64::from(q.leading_zeros());
    let top = bits - 1 + e2;
    if top > 1023 {
        return f64::INFINITY;
    }
    // Bits kept: 53, fewer for a subnormal; none at all below half the smallest one.
    let keep = if top >= -1022 { 53 } else { top + 1075 };
    if keep < 0 {
        return 0.0;
    }
    let drop = (bits - keep) as u32;
    let kept = q >> drop;
    let rest = q & ((1u128 << drop) - 1);
    let half = 1u128 << (drop - 1);
    let up = rest > half || (rest == half && (sticky || kept & 1 == 1));
    let mantissa = (kept + u128::from(up)) as u64;
    // A normal number's mantissa carries its leading bit into the exponent field (a carry to
    // 2^53 moves up one binade, to infinity past the top); a subnormal's has none.
    f64::from_bits(if keep == 53 { (((top + 1022) as u64) << 52) + mantissa } else { mantissa })
}

/// An unsigned integer, little-endian 32-bit words, no high zero words.
struct Big(Vec<u32>);

impl Big {
    fn from_digits(digits: &[u8]) -> Big {
        let mut n = Big(Vec::new());
        for &d in digits {
            n.mul_add(10, u32::from(d));
        }
        n
    }

    fn mul_add(&mut self, factor: u32, add: u32) {
        let mut carry = u64::from(add);
        for word in &mut self.0 {
            let v = u64::from(*word) * u64::from(factor) + carry;
            *word = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn bits(&self) -> usize {
        self.0.last().map_or(0, |top| self.0.len() * 32 - top.leading_zeros() as usize)
    }

    fn shl(&mut self, n: usize) {
        let (words, bits) = (n / 32, n % 32);
        if bits > 0 {
            let mut carry = 0;
            for word in &mut self.0 {
                let v = *word;
                *word = v << bits | carry;
                carry = v >> (32 - bits);
            }
            if carry > 0 {
                self.0.push(carry);
            }
        }
        let mut shifted = vec![0; words];
        shifted.append(&mut self.0);
        self.0 = shifted;
    }

    fn shr1(&mut self) {
        let mut carry = 0;
        for word in self.0.iter_mut().rev() {
            let v = *word;
            *word = v >> 1 | carry;
            carry = v << 31;
        }
        if self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn at_least(&self, other: &Big) -> bool {
        if self.0.len() != other.0.len() {
            return self.0.len() > other.0.len();
        }
        self.0.iter().rev().cmp(other.0.iter().rev()) != std::cmp::Ordering::Less
    }

    /// `self -= other`, with `self ≥ other`.
    fn subtract(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, word) in self.0.iter_mut().enumerate() {
            let v = i64::from(*word) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            *word = v as u32;
            borrow = i64::from(v < 0);
        }
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    /// `self / den` (below 2^67) by binary long division, and whether a remainder was left
    /// (only numbers near a rounding boundary get here: see `approximate`).
    fn divide(mut self, den: Big) -> (u128, bool) {
        let mut step = den;
        step.shl(66);
        let mut quotient = 0u128;
        for bit in (0..=66).rev() {
            if self.at_least(&step) {
                self.subtract(&step);
                quotient |= 1 << bit;
            }
            step.shr1();
        }
        (quotient, !self.0.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::to_f64;

    fn parse(text: &str) -> f64 {
        let (mantissa, exp) = match text.split_once(['e', 'E']) {
            Some((m, e)) => (m, e.parse::<i64>().unwrap()),
            None => (text, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        to_f64(int.as_bytes(), frac.as_bytes(), exp)
    }

    #[track_caller]
    fn same(text: &str) {
        let expected: f64 = text.parse().unwrap();
        assert_eq!(parse(text).to_bits(), expected.to_bits(), "{text}");
    }

    #[test]
    fn edges() {
        for text in [
            "0", "0.0", "000", "1", "1.5", "1700000000", "1700000000.5", "9007199254740993", "9007199254740992.5",
            "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368",
            "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "2e308", "1e309",
            "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308", "4.9406564584124654e-324",
            "2.4703282292062327e-324", "2.4703282292062328e-324", "2.47032822920623272e-324", "1e-324", "3e-324", "5e-324",
            "7.2057594037927933e16", "1e23", "8.98846567431158e307", "123456789012345678901234567890e-10",
            "0.000000000000000000000000000001", "4503599627370496.5", "4503599627370497.5", "1e22", "1e-22", "12345678901234567e22",
            "9.999999999999999e22", "6.631236846766476e-316", "3.2e-320",
        ] {
            same(text);
        }
        // A halfway point followed by 900 zeros and a 1: above it.
        let long = format!("9007199254740993{}1", "0".repeat(900));
        same(&long);
        same(&format!("{long}e-917"));
        same(&format!("0.{}1", "0".repeat(400)));
    }

    /// Where the 128-bit approximation decides, it decides as the exact division does; it
    /// abstains only near rounding boundaries (here: exact halfway points and their neighbours).
    #[test]
    fn approximation_is_exact_or_abstains() {
        let mut next = crate::test_rng::xorshift(0x005e_ed0f_a770);
        let (mut decided, mut total) = (0, 0);
        for round in 0..100_000 {
            let len = 1 + (next() % if round % 4 == 0 { 60 } else { 19 }) as usize;
            let mut digits: Vec<u8> = (0..len).map(|_| (next() % 10) as u8).collect();
            digits[0] = 1 + digits[0] % 9;
            while digits.last() == Some(&0) {
                digits.pop();
            }
            let exp = (next() % 660) as i64 - 340 - digits.len() as i64 / 2;
            let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
            let expected: f64 = format!("{text}e{exp}").parse().unwrap();
            if expected.is_infinite() || expected == 0.0 {
                continue;
            }
            total += 1;
            if let Some(value) = super::approximate(&digits, exp) {
                decided += 1;
                assert_eq!(value.to_bits(), expected.to_bits(), "{text}e{exp}");
            }
        }
        assert!(decided * 100 > total * 99, "{decided} of {total}");
        // An exact halfway point (2^53 + 1) is left to the exact path.
        assert_eq!(super::approximate(b"\x09\x00\x00\x07\x01\x09\x09\x02\x05\x04\x07\x04\x00\x09\x09\x03", 0), None);
    }

    /// `odd × 2^e2` written out exactly in decimal.
    fn midpoint(odd: u64, e2: i64) -> String {
        let mut digits: Vec<u8> = odd.to_string().bytes().rev().map(|d| d - b'0').collect();
        for _ in 0..e2.unsigned_abs() {
            let mut carry = 0;
            for d in &mut digits {
                let v = *d * if e2 >= 0 { 2 } else { 5 } + carry;
                *d = v % 10;
                carry = v / 10;
            }
            if carry > 0 {
                digits.push(carry);
            }
        }
        let text: String = digits.iter().rev().map(|d| char::from(b'0' + d)).collect();
        if e2 >= 0 { text } else { format!("{text}e{e2}") }
    }

    /// Random numbers near every scale, halfway points and long digit strings.
    #[test]
    fn same_as_str_parse() {
        let mut next = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15);
        for round in 0..200_000 {
            let r = next();
            let text = match round % 4 {
                // A random double, printed shortest, then nudged in its last digit.
                0 => {
                    let x = f64::from_bits(r & 0x7fff_ffff_ffff_ffff);
                    if !x.is_finite() { continue }
                    let s = format!("{x:e}");
                    let (m, e) = s.split_once('e').unwrap();
                    let last = m.as_bytes()[m.len() - 1];
                    let nudged = if last < b'9' && next() % 2 == 0 { format!("{}{}", &m[..m.len() - 1], (last + 1) as char) } else { m.to_owned() };
                    format!("{nudged}e{e}")
                }
                // The exact midpoint between a double and its successor, written out in full
                // (every 50th round: the long ones take a while).
                1 if round % 200 == 1 => {
                    let bits = r % 0x7fe0_0000_0000_0000;
                    let (field, fraction) = ((bits >> 52) as i64, bits & ((1 << 52) - 1));
                    let (m, e2) = if field == 0 { (fraction, -1074) } else { (fraction | 1 << 52, field - 1075) };
                    midpoint(2 * m + 1, e2 - 1)
                }
                1 => continue,
                // Random digit strings with random exponents.
                2 => {
                    let len = 1 + next() % 40;
                    let digits: String = (0..len).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
                    format!("{digits}.{}e{}", next() % 1000, (next() % 700) as i64 - 360)
                }
                _ => {
                    let len = 1 + next() % 120;
                    let digits: String = (0..len).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
                    format!("0.{digits}e{}", (next() % 40) as i64 - 20)
                }
            };
            same(&text);
        }
    }
}
