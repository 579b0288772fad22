import { checkAssertion, ReplayCache, RemoteJwks } from 'jwks-verify';

const replay = new ReplayCache();   // maxEntries 100000 by default; or your own shared ReplayStore
const clients = { 'billing-service': { keys: new RemoteJwks('https://billing.example/jwks.json') } };

// In the token endpoint, with the form body parsed into `params` (URLSearchParams):
export async function authenticateClient(params) {
  if (params.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') throw new Error('invalid_client');
  const client = Object.hasOwn(clients, params.get('client_id')) ? clients[params.get('client_id')] : undefined;
  if (!client) throw new Error('invalid_client');
  return checkAssertion(params.get('client_assertion'), {
    clientId: params.get('client_id'),
    audience: ['https://as.example', 'https://as.example/oauth/token'], // issuer and/or token endpoint
    keys: client.keys,
    replay,
  }); // -> { clientId, jti, header, payload, key, federated }; throws a JoseError otherwise
}
