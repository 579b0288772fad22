//! ES384 and ES512 as jwt-compact `Algorithm`s (jwt-compact ships ES256 only). Each curve's
//! `Signer`/`Verifier` hashes with the JWA hash of its curve (SHA-384 for P-384, SHA-512 for P-521).

use jwt_compact::{Algorithm, AlgorithmSignature};
use std::borrow::Cow;
use std::num::NonZeroUsize;

macro_rules! ecdsa_algorithm {
    ($name:ident, $sig:ident, $curve:ident, $alg:literal, $len:literal) => {
        #[derive(Debug, Default)]
        pub struct $name;

        pub struct $sig(pub $curve::ecdsa::Signature);

        impl AlgorithmSignature for $sig {
            const LENGTH: Option<NonZeroUsize> = NonZeroUsize::new($len);

            fn try_from_slice(slice: &[u8]) -> anyhow::Result<Self> {
                $curve::ecdsa::Signature::from_slice(slice).map($sig).map_err(|e| anyhow::anyhow!(e))
            }

            fn as_bytes(&self) -> Cow<'_, [u8]> {
                Cow::Owned(self.0.to_bytes().to_vec())
            }
        }

        impl Algorithm for $name {
            type SigningKey = $curve::ecdsa::SigningKey;
            type VerifyingKey = $curve::ecdsa::VerifyingKey;
            type Signature = $sig;

            fn name(&self) -> Cow<'static, str> {
                Cow::Borrowed($alg)
            }

            fn sign(&self, signing_key: &Self::SigningKey, message: &[u8]) -> Self::Signature {
                use $curve::ecdsa::signature::Signer;
                $sig(signing_key.sign(message))
            }

            fn verify_signature(&self, signature: &Self::Signature, verifying_key: &Self::VerifyingKey, message: &[u8]) -> bool {
                use $curve::ecdsa::signature::Verifier;
                verifying_key.verify(message, &signature.0).is_ok()
            }
        }
    };
}

ecdsa_algorithm!(Es384, Es384Signature, p384, "ES384", 96);
ecdsa_algorithm!(Es512, Es512Signature, p521, "ES512", 132);
