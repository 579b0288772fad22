import { createServer } from 'node:http';
import { authenticateRequest, challengeResponse, RemoteJwks } from 'jwks-verify';

const options = {
  keys: new RemoteJwks('https://issuer.example/.well-known/jwks.json'),
  issuer: 'https://issuer.example',
  audience: 'my-api',
  requiredScopes: ['read'],
  realm: 'my-api',
};

createServer(async (req, res) => {
  const auth = await authenticateRequest(req, options); // Node's req as it is
  if (!auth.ok) {
    const response = challengeResponse(auth); // 400/401/403, WWW-Authenticate, JSON body
    res.writeHead(response.status, Object.fromEntries(response.headers)).end(await response.text());
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello ${auth.payload.sub} (${auth.scheme})\n`);
}).listen(Number(process.env.PORT ?? 8080), '127.0.0.1');
