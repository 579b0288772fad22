// The size and cold-start benches' fixture: one ES256 and one RS256 key in a JWKS, and a token
// signed by each (jose, fresh keys per run).
import * as jose from 'jose';

export async function twoAlgorithmFixtures() {
  const keys = [];
  const tokens = [];
  for (const alg of ['ES256', 'RS256']) {
    const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
    const kid = `${alg.toLowerCase()}-1`;
    keys.push({ ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' });
    tokens.push(await new jose.SignJWT({ sub: 'alice' }).setProtectedHeader({ alg, kid }).setIssuedAt().setExpirationTime('2h').sign(privateKey));
  }
  return { jwks: { keys }, tokens };
}
