//! A usable key's checked public parameters as one octet string, for the signature module:
//! the protocol module (which parsed and checked the key) writes it, the signature module
//! reads it back. `tag || body`: 1 RSA (`len(n)` as 2 octets big-endian `|| n || e`), 2/3/4
//! P-256/P-384/P-521 (`x || y`), 5 Ed25519 (`x`), 6 oct (`k`).

use crate::jwk::{EcPoint, KeyMaterial, RsaParts};

pub fn encode(material: &KeyMaterial) -> Vec<u8> {
    let mut out = Vec::new();
    match material {
        KeyMaterial::Rsa(k) => {
            out.push(1);
            out.extend_from_slice(&(k.n.len() as u16).to_be_bytes());
            out.extend_from_slice(&k.n);
            out.extend_from_slice(&k.e);
        }
        KeyMaterial::P256(p) | KeyMaterial::P384(p) | KeyMaterial::P521(p) => {
            out.push(match material {
                KeyMaterial::P256(_) => 2,
                KeyMaterial::P384(_) => 3,
                _ => 4,
            });
            out.extend_from_slice(&p.x);
            out.extend_from_slice(&p.y);
        }
        KeyMaterial::Ed25519(x) => {
            out.push(5);
            out.extend_from_slice(x);
        }
        KeyMaterial::Oct(k) => {
            out.push(6);
            out.extend_from_slice(k);
        }
    }
    out
}

/// `None` for octets [`encode`] cannot have written.
pub fn decode(params: &[u8]) -> Option<KeyMaterial> {
    let (&tag, body) = params.split_first()?;
    let point = |size: usize| (body.len() == 2 * size).then(|| EcPoint { x: body[..size].to_vec(), y: body[size..].to_vec() });
    Some(match tag {
        1 => {
            let (len, rest) = body.split_at_checked(2)?;
            let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
            let (n, e) = rest.split_at_checked(len)?;
            KeyMaterial::Rsa(RsaParts { n: n.to_vec(), e: e.to_vec() })
        }
        2 => KeyMaterial::P256(point(32)?),
        3 => KeyMaterial::P384(point(48)?),
        4 => KeyMaterial::P521(point(66)?),
        5 => KeyMaterial::Ed25519(body.try_into().ok()?),
        6 => KeyMaterial::Oct(body.to_vec()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let materials = [
            KeyMaterial::Rsa(RsaParts { n: vec![0xc1; 256], e: vec![1, 0, 1] }),
            KeyMaterial::P256(EcPoint { x: vec![1; 32], y: vec![2; 32] }),
            KeyMaterial::P521(EcPoint { x: vec![1; 66], y: vec![2; 66] }),
            KeyMaterial::Ed25519([7; 32]),
            KeyMaterial::Oct(vec![9; 40]),
        ];
        for material in materials {
            assert!(decode(&encode(&material)) == Some(material.clone()));
        }
        assert!(decode(&[]).is_none());
        assert!(decode(&[1, 9]).is_none());
        assert!(decode(&[2, 0, 0]).is_none());
        assert!(decode(&[9]).is_none());
    }
}
