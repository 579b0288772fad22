// Repro: Express/Fastify absolute-form target with NO Host header (HTTP/1.0) is taken as the
// request URL as is: a DPoP proof for another server verifies here; and an https:// target on
// this plain-HTTP server verifies a proof made for https://.
//   node tests/attack/absolute-form-no-host.mjs
import net from 'node:net';
import * as jose from 'jose';
import { createHash, randomUUID } from 'node:crypto';
const root = process.argv[2] ?? '/work/wt-page';
const { default: express } = await import('express');
const { default: Fastify } = await import('fastify');
const { bearerAuth: expressAuth } = await import(`${root}/pkg/express.mjs`);
const { bearerAuth: fastifyAuth } = await import(`${root}/pkg/fastify.mjs`);
const { ReplayCache } = await import(`${root}/pkg/node.bundle.mjs`);
const now = () => Math.floor(Date.now() / 1000);
const as = await jose.generateKeyPair('ES256', { extractable: true });
const asJwk = { ...(await jose.exportJWK(as.publicKey)), kid: 'as', alg: 'ES256' };
const holder = await jose.generateKeyPair('ES256', { extractable: true });
const jwk = await jose.exportJWK(holder.publicKey);
const jkt = await jose.calculateJwkThumbprint(jwk);
const token = await new jose.SignJWT({ iss: 'https://as.example', aud: 'https://api.example', sub: 'u', client_id: 'c', iat: now(), exp: now() + 300, jti: randomUUID(), cnf: { jkt } })
  .setProtectedHeader({ alg: 'ES256', kid: 'as', typ: 'at+jwt' }).sign(as.privateKey);
const proof = (url) => new jose.SignJWT({ htm: 'GET', htu: url, iat: now(), jti: randomUUID(), ath: createHash('sha256').update(token).digest('base64url') })
  .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk }).sign(holder.privateKey);
const options = { keys: { keys: [asJwk] }, issuer: 'https://as.example', audience: 'https://api.example', dpopReplay: new ReplayCache() };

const raw = (port, lines) => new Promise((resolve, reject) => {
  const s = net.connect(port, '127.0.0.1', () => s.end(lines.join('\r\n') + '\r\n\r\n'));
  let out = ''; s.on('data', (d) => { out += d; }); s.on('end', () => resolve(out.split('\r\n')[0] + ' ' + out.slice(out.indexOf('\r\n\r\n') + 4, out.indexOf('\r\n\r\n') + 120))); s.on('error', reject);
});
const e = express();
e.get('/r', expressAuth(options), (req, res) => res.json({ scheme: req.auth.scheme }));
const es = e.listen(0, '127.0.0.1');
const f = Fastify();
f.decorateRequest('auth', null);
f.get('/r', { onRequest: fastifyAuth(options) }, async (request) => ({ scheme: request.auth.scheme }));
await f.listen({ port: 0, host: '127.0.0.1' });
await new Promise((r) => (es.listening ? r() : es.once('listening', r)));
let bad = 0;
for (const [name, port] of [['express', es.address().port], ['fastify', f.server.address().port]]) {
  for (const [label, target, host, version] of [
    ['other host, HTTP/1.0, no Host', 'http://victim.example/r', null, '1.0'],
    // By design without `origin`: the Host names the server (README); origin-form is the same.
    ['by design: Host victim.example', 'http://victim.example/r', 'victim.example', '1.1'],
    ['other host, HTTP/1.1, Host ours', 'http://victim.example/r', `127.0.0.1:${port}`, '1.1'],
    ['https on plain http, Host ours', `https://127.0.0.1:${port}/r`, `127.0.0.1:${port}`, '1.1'],
  ]) {
    const lines = [`GET ${target} HTTP/${version}`, `Authorization: DPoP ${token}`, `DPoP: ${await proof(target)}`];
    if (host) lines.push(`Host: ${host}`);
    const res = await raw(port, lines);
    if (/ 200 /.test(res) && !label.startsWith('by design')) bad++;
    console.log(`${name.padEnd(8)} ${label.padEnd(45)} -> ${res.replace(/\s+/g, ' ').slice(0, 110)}`);
  }
}
es.close(); await f.close();
console.log(bad ? `VULNERABLE: ${bad} proof(s) for another URL than this request's accepted` : 'ok');
process.exit(0);
