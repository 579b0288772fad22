import { TrustedIssuers, verifyJwt } from 'jwks-verify';

// One verifier for many tenants: the token's iss picks that issuer's keys (discovered on first
// use, then cached). An iss not in the list is refused before any request is made.
const trusted = new TrustedIssuers(['https://issuer.example', 'https://login.partner.example'], { maxIssuers: 50 });

try {
  const { payload } = await verifyJwt(process.argv[2], trusted, { audience: 'my-api' });
  console.log(payload.iss, payload.sub);
} catch (err) {
  console.log(err.code, err.claim, err.reason); // e.g. ERR_JWT_CLAIM_VALIDATION_FAILED iss check_failed
}
