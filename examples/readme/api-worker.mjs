import { authenticateRequest, challengeResponse, RemoteJwks } from 'jwks-verify';

let keys; // module scope: shared by the requests of one isolate

export default {
  async fetch(request, env) {
    keys ??= new RemoteJwks(env.JWKS_URL);
    const auth = await authenticateRequest(request, { keys, issuer: 'https://issuer.example', audience: 'my-api', requiredScopes: ['orders:read'] });
    if (!auth.ok) return challengeResponse(auth);
    return Response.json({ user: auth.payload.sub, scheme: auth.scheme });
  },
};
