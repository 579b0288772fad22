//! The DER that the x5c check reads (X.509 §4.1 of RFC 5280): a certificate's structure down to
//! its SubjectPublicKeyInfo, an RSAPublicKey, an OBJECT IDENTIFIER. Strict DER framing (definite
//! minimal lengths, low tag numbers, nothing after the certificate); the fields the check does
//! not use are checked for their structure (names, DER times, the version, extensions) but not
//! their contents (attribute values, extension values). Replaces `x509-cert`, which cost the
//! protocol wasm module more than all of this module's callers together.

pub const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
pub const OID: u8 = 0x06;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// One element: its tag and its contents.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub body: &'a [u8],
}

/// Reads a sequence of elements.
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a [u8]) -> Reader<'a> {
        Reader { rest: input }
    }

    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    pub fn read(&mut self) -> Result<Tlv<'a>, String> {
        let (&tag, after) = self.rest.split_first().ok_or("unexpected end of data")?;
        if tag & 0x1f == 0x1f {
            return Err(format!("tag {tag:#04x} uses the high tag number form"));
        }
        let (&first, mut after) = after.split_first().ok_or("unexpected end of data")?;
        let len = match first {
            0..=0x7f => usize::from(first),
            0x80 => return Err("indefinite length (BER, not DER)".to_owned()),
            0x81..=0x84 => {
                let count = usize::from(first & 0x7f);
                let (bytes, rest) = after.split_at_checked(count).ok_or("unexpected end of data")?;
                after = rest;
                let len = bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
                if bytes[0] == 0 || (count == 1 && len < 0x80) {
                    return Err("a length in non-minimal form (not DER)".to_owned());
                }
                len
            }
            _ => return Err("a length too large".to_owned()),
        };
        let (body, rest) = after.split_at_checked(len).ok_or("unexpected end of data")?;
        self.rest = rest;
        Ok(Tlv { tag, body })
    }

    /// The next element, which must have `tag`.
    pub fn expect(&mut self, tag: u8, what: &str) -> Result<Tlv<'a>, String> {
        let tlv = self.read().map_err(|e| format!("{what}: {e}"))?;
        if tlv.tag != tag {
            return Err(format!("{what}: expected tag {tag:#04x}, found {:#04x}", tlv.tag));
        }
        Ok(tlv)
    }

    pub fn finish(&self, what: &str) -> Result<(), String> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(format!("{what}: trailing data"))
        }
    }
}

/// The contents of the single element `input` holds, which must have `tag`.
pub fn single<'a>(input: &'a [u8], tag: u8, what: &str) -> Result<&'a [u8], String> {
    let mut reader = Reader::new(input);
    let tlv = reader.expect(tag, what)?;
    reader.finish(what)?;
    Ok(tlv.body)
}

/// A non-negative INTEGER's magnitude (big-endian, no leading zero), refusing non-minimal
/// and negative encodings.
pub fn unsigned(body: &[u8], what: &str) -> Result<Vec<u8>, String> {
    match body {
        [] => Err(format!("{what}: an empty INTEGER")),
        [0, next, ..] if *next < 0x80 => Err(format!("{what}: an INTEGER in non-minimal form")),
        [first, ..] if *first >= 0x80 => Err(format!("{what}: a negative INTEGER")),
        _ => Ok(body.iter().skip_while(|&&b| b == 0).copied().collect()),
    }
}

/// An OBJECT IDENTIFIER's dotted text; `Err` for a malformed one.
pub fn oid_text(body: &[u8]) -> Result<String, String> {
    if body.is_empty() || body.last().is_some_and(|b| b & 0x80 != 0) {
        return Err("a malformed OBJECT IDENTIFIER".to_owned());
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    let mut start = true;
    for &b in body {
        if start && b == 0x80 {
            return Err("an OBJECT IDENTIFIER arc in non-minimal form".to_owned());
        }
        if value > u64::MAX >> 7 {
            return Err("an OBJECT IDENTIFIER arc too large".to_owned());
        }
        value = (value << 7) | u64::from(b & 0x7f);
        start = b & 0x80 == 0;
        if start {
            arcs.push(value);
            value = 0;
        }
    }
    let first = arcs[0];
    let (a, b) = if first < 40 { (0, first) } else if first < 80 { (1, first - 40) } else { (2, first - 80) };
    let mut text = format!("{a}.{b}");
    for arc in &arcs[1..] {
        text.push('.');
        text.push_str(&arc.to_string());
    }
    Ok(text)
}

/// A certificate's SubjectPublicKeyInfo: the algorithm OID (contents), its parameters (any
/// element), and the subjectPublicKey BIT STRING's contents (unused-bits octet included).
pub struct Spki<'a> {
    pub algorithm: &'a [u8],
    pub parameters: Option<Tlv<'a>>,
    pub public_key: &'a [u8],
}

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }` with
/// `TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer,
/// validity, subject, subjectPublicKeyInfo, [1] [2] OPTIONAL, [3] extensions OPTIONAL }`.
pub fn certificate_spki(der: &[u8]) -> Result<Spki<'_>, String> {
    let certificate = single(der, SEQUENCE, "Certificate")?;
    let mut outer = Reader::new(certificate);
    let tbs = outer.expect(SEQUENCE, "tbsCertificate")?;
    let signature_algorithm = outer.expect(SEQUENCE, "signatureAlgorithm")?;
    algorithm_identifier(signature_algorithm.body, "signatureAlgorithm")?;
    outer.expect(BIT_STRING, "signatureValue")?;
    outer.finish("Certificate")?;

    let mut fields = Reader::new(tbs.body);
    if fields.peek_tag() == Some(0xa0) {
        let version = fields.read()?;
        let version = unsigned(single(version.body, INTEGER, "version")?, "version")?;
        // v1 is the DEFAULT and so never encoded in DER; v2 and v3 are 1 and 2.
        if !matches!(version.as_slice(), [1] | [2]) {
            return Err("version: not v2 or v3".to_owned());
        }
    }
    unsigned(fields.expect(INTEGER, "serialNumber")?.body, "serialNumber").or_else(|e| {
        // RFC 5280 §4.1.2.2: negative serial numbers exist in the wild; x509 parsers accept them.
        if e.ends_with("a negative INTEGER") { Ok(Vec::new()) } else { Err(e) }
    })?;
    algorithm_identifier(fields.expect(SEQUENCE, "signature")?.body, "signature")?;
    name(fields.expect(SEQUENCE, "issuer")?.body, "issuer")?;
    let validity = fields.expect(SEQUENCE, "validity")?;
    let mut times = Reader::new(validity.body);
    for what in ["notBefore", "notAfter"] {
        let time = times.read().map_err(|e| format!("{what}: {e}"))?;
        // DER forms (X.690 11.7/11.8, RFC 5280 4.1.2.5): YYMMDDHHMMSSZ and YYYYMMDDHHMMSSZ.
        let digits = match time.tag {
            UTC_TIME => 12,
            GENERALIZED_TIME => 14,
            _ => return Err(format!("{what}: not a UTCTime or GeneralizedTime")),
        };
        let valid = time.body.len() == digits + 1 && time.body[digits] == b'Z' && time.body[..digits].iter().all(u8::is_ascii_digit);
        if !valid {
            return Err(format!("{what}: not a DER time (YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ)"));
        }
    }
    times.finish("validity")?;
    name(fields.expect(SEQUENCE, "subject")?.body, "subject")?;
    let spki = fields.expect(SEQUENCE, "subjectPublicKeyInfo")?;
    for tag in [0x81, 0x82] {
        if fields.peek_tag() == Some(tag) {
            fields.read()?;
        }
    }
    if fields.peek_tag() == Some(0xa3) {
        extensions(single(fields.read()?.body, SEQUENCE, "extensions")?)?;
    }
    fields.finish("tbsCertificate")?;

    let mut spki = Reader::new(spki.body);
    let algorithm = spki.expect(SEQUENCE, "algorithm")?;
    let (algorithm, parameters) = algorithm_identifier(algorithm.body, "algorithm")?;
    let public_key = spki.expect(BIT_STRING, "subjectPublicKey")?.body;
    spki.finish("subjectPublicKeyInfo")?;
    Ok(Spki { algorithm, parameters, public_key })
}

/// `Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE,
/// extnValue OCTET STRING }`, at least one.
fn extensions(body: &[u8]) -> Result<(), String> {
    let mut list = Reader::new(body);
    if list.is_empty() {
        return Err("extensions: empty".to_owned());
    }
    while !list.is_empty() {
        let mut extension = Reader::new(list.expect(SEQUENCE, "extension")?.body);
        oid_text(extension.expect(OID, "extnID")?.body)?;
        if extension.peek_tag() == Some(0x01) && extension.read()?.body.len() != 1 {
            return Err("critical: not a BOOLEAN".to_owned());
        }
        extension.expect(0x04, "extnValue")?;
        extension.finish("extension")?;
    }
    Ok(())
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`.
fn algorithm_identifier<'a>(body: &'a [u8], what: &str) -> Result<(&'a [u8], Option<Tlv<'a>>), String> {
    let mut reader = Reader::new(body);
    let oid = reader.expect(OID, what)?.body;
    oid_text(oid).map_err(|e| format!("{what}: {e}"))?;
    let parameters = if reader.is_empty() { None } else { Some(reader.read()?) };
    reader.finish(what)?;
    Ok((oid, parameters))
}

/// `Name ::= SEQUENCE OF SET OF SEQUENCE { type OBJECT IDENTIFIER, value ANY }`.
fn name(body: &[u8], what: &str) -> Result<(), String> {
    let mut rdns = Reader::new(body);
    while !rdns.is_empty() {
        let rdn = rdns.expect(SET, what)?;
        let mut attributes = Reader::new(rdn.body);
        while !attributes.is_empty() {
            let attribute = attributes.expect(SEQUENCE, what)?;
            let mut parts = Reader::new(attribute.body);
            oid_text(parts.expect(OID, what)?.body).map_err(|e| format!("{what}: {e}"))?;
            parts.read()?;
            parts.finish(what)?;
        }
    }
    Ok(())
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (RFC 8017 A.1.1):
/// n and e without leading zeros.
pub fn rsa_public_key(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let mut reader = Reader::new(single(der, SEQUENCE, "RSAPublicKey")?);
    let n = unsigned(reader.expect(INTEGER, "modulus")?.body, "modulus")?;
    let e = unsigned(reader.expect(INTEGER, "publicExponent")?.body, "publicExponent")?;
    reader.finish("RSAPublicKey")?;
    Ok((n, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_and_framing() {
        assert_eq!(oid_text(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]).unwrap(), "1.2.840.10045.2.1");
        assert_eq!(oid_text(&[0x2b, 0x65, 0x70]).unwrap(), "1.3.101.112");
        assert!(oid_text(&[0x2b, 0x80, 0x01]).is_err());
        assert!(oid_text(&[0x2b, 0x81]).is_err());
        assert!(Reader::new(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0]).read().is_err(), "0x81 with a length below 128");
        assert!(Reader::new(&[0x30, 0x80, 0, 0]).read().is_err(), "indefinite length");
        assert!(Reader::new(&[0x30, 0x03, 0, 0]).read().is_err(), "short body");
        assert_eq!(unsigned(&[0x00, 0x80], "n").unwrap(), vec![0x80]);
        assert!(unsigned(&[0x00, 0x01], "n").is_err());
        assert!(unsigned(&[0x80], "n").is_err());
        assert_eq!(rsa_public_key(&[0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03]).unwrap(), (vec![5], vec![3]));
    }
}
