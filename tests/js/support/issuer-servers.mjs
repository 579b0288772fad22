// Authorization servers for the TrustedIssuers suites: each issuer is its own node:http server
// on 127.0.0.1 (a random port) serving OpenID discovery and a JWKS, counting every request.
// An issuer may sit under a path (`/tenant`), answer discovery with a failure, or hold the
// discovery response back until released (to test concurrent first uses).

import http from 'node:http';
import { generateKey, mint } from '../helpers.mjs';

export async function startIssuer({ path = '', kid = 'k1' } = {}) {
  const key = await generateKey('ES256', { kid });
  const state = { requests: 0, metadataRequests: 0, jwksRequests: 0, failDiscovery: false, hold: null };
  const server = http.createServer(async (req, res) => {
    state.requests += 1;
    const url = new URL(req.url, 'http://127.0.0.1');
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === `${path}/.well-known/openid-configuration` || url.pathname === `/.well-known/oauth-authorization-server${path}`) {
      state.metadataRequests += 1;
      if (state.hold) await state.hold;
      if (state.failDiscovery) return send(500, { error: 'down' });
      return send(200, { issuer: issuer.issuer, jwks_uri: `${issuer.issuer}/jwks` });
    }
    if (url.pathname === `${path}/jwks`) {
      state.jwksRequests += 1;
      return send(200, { keys: [key.jwk] });
    }
    return send(404, { error: 'not found' });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = {
    issuer: `http://127.0.0.1:${server.address().port}${path}`,
    key,
    state,
    /** A token with `iss` = this issuer (unless `claims` say otherwise), signed with `signer`. */
    sign: (claims = {}, signer = key) => mint(signer, { iss: issuer.issuer, sub: 'user', ...claims }),
    close: () => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    }),
  };
  return issuer;
}

/** Total requests across `issuers`. */
export const requestsTo = (issuers) => issuers.reduce((sum, i) => sum + i.state.requests, 0);
