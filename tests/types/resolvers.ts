// Type test of the key-resolver form of KeysInput and TrustedIssuers (tsc --noEmit --strict).

import { TrustedIssuers, checkAssertion, createVerifier, parseJwks, verifyJwt, verifyWebhook } from 'jwks-verify';
import type { KeyResolver, KeysInput, TrustedIssuersOptions, TrustedIssuerStats } from 'jwks-verify';

declare const jwksText: string;

const byTenant: KeyResolver = async (header, payload) => {
  const kid: string | undefined = header.kid;
  if (payload.iss === 'https://a.example') return parseJwks(jwksText);
  return kid === undefined ? { keys: [] } : jwksText;
};

const options: TrustedIssuersOptions = { maxIssuers: 10, cooldownMs: 1000 };
const trusted = new TrustedIssuers(['https://a.example', 'https://b.example'], options);
const predicate = new TrustedIssuers((iss) => iss.endsWith('.tenants.example'));

export async function resolvers(token: string): Promise<string | undefined> {
  const inputs: KeysInput[] = [byTenant, trusted, predicate, () => trusted, (header) => (header.alg === 'ES256' ? jwksText : parseJwks(jwksText))];
  for (const keys of inputs) await verifyJwt(token, keys, { audience: 'api' });
  await createVerifier(byTenant).verify(token);
  await checkAssertion(token, { clientId: 'c', audience: 'a', keys: byTenant, federated: [{ issuer: 'https://k8s.example', keys: trusted }] });
  await verifyWebhook({ authorization: `Bearer ${token}`, body: '' }, trusted);
  const held: TrustedIssuerStats[] = trusted.stats().issuers;
  // @ts-expect-error a resolver may not return another resolver
  const nested: KeyResolver = () => byTenant;
  void nested;
  return held[0]?.jwksUri ?? undefined;
}
