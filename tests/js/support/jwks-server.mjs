// A JWKS server for the RemoteJwks suites (Node and Chromium): node:http on 127.0.0.1, a
// random port, CORS for browser pages. Each test makes its own tenant (`POST /tenants`) and
// drives it over HTTP (see jwks-control.mjs), so the same scenarios run from Node and from a
// page. A tenant can rotate and remove keys, sign tokens with any key it ever had, and answer
// its JWKS with a stall, a 500, garbage, an oversize body or a redirect; it counts requests.

import http from 'node:http';
import { createHash } from 'node:crypto';
import * as jose from 'jose';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': '*',
  'access-control-expose-headers': 'age, location, retry-after, etag, last-modified',
};

async function newKey(kid) {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { kid, privateKey, jwk };
}

class Tenant {
  constructor(id, origin) {
    this.id = id;
    this.base = `${origin}/t/${id}`;
    this.keys = [];
    this.everyKey = new Map();
    this.mode = 'ok';
    this.cacheControl = null;
    this.issuerOverride = null;
    this.jwksRequests = 0;
    this.metadataRequests = 0;
    this.followedRequests = 0;
    this.preflights = 0;
    this.stalled = new Set();
    this.serial = 0;
    this.validators = false;
    this.notModified = 0;
    this.retryAfter = '2';
    this.requestHeaders = [];
  }

  async rotate() {
    this.serial += 1;
    const key = await newKey(`t${this.id}-k${this.serial}`);
    this.keys.push(key);
    this.everyKey.set(key.kid, key);
    return { kid: key.kid };
  }

  remove(kid) {
    const before = this.keys.length;
    this.keys = this.keys.filter((k) => k.kid !== kid);
    return { removed: before - this.keys.length };
  }

  async sign({ kid, claims = {}, header = {} } = {}) {
    const key = kid ? this.everyKey.get(kid) : this.keys[this.keys.length - 1];
    if (!key) throw new Error(`no key ${kid}`);
    const now = Math.floor(Date.now() / 1000);
    const token = await new jose.SignJWT({ sub: 'alice', iat: now, exp: now + 3600, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, ...header })
      .sign(key.privateKey);
    return { token, kid: key.kid };
  }

  jwksBody() {
    return JSON.stringify({ keys: this.keys.map((k) => k.jwk) });
  }

  serveJwks(req, res, { followed = false } = {}) {
    if (followed) this.followedRequests += 1;
    else this.jwksRequests += 1;
    this.requestHeaders.push(req.headers);
    const json = { ...CORS, 'content-type': 'application/json' };
    if (this.cacheControl) json['cache-control'] = this.cacheControl;
    switch (followed ? 'ok' : this.mode) {
      case 'ok': {
        const body = this.jwksBody();
        if (this.validators) {
          // The ETag changes with the body; Last-Modified is fixed (the ETag wins when both come).
          json.etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
          json['last-modified'] = 'Tue, 14 Nov 2023 22:13:20 GMT';
          if (req.headers['if-none-match'] === json.etag) {
            this.notModified += 1;
            return res.writeHead(304, { ...CORS, etag: json.etag }).end();
          }
        }
        return res.writeHead(200, json).end(body);
      }
      case 'nonjwk':
        return res.writeHead(200, json).end('{"keys":[1,null,"x",{}]}');
      case 'empty':
        return res.writeHead(200, json).end('{"keys":[]}');
      case 'ratelimit':
        return res.writeHead(429, { ...CORS, 'retry-after': this.retryAfter, 'content-type': 'text/plain' }).end('slow down');
      case 'stall':
        this.stalled.add(res);
        return undefined;
      case 'stall-body':
        res.writeHead(200, json);
        res.write('{"keys":[');
        this.stalled.add(res);
        return undefined;
      case 'error500':
        return res.writeHead(500, { ...CORS, 'content-type': 'text/plain' }).end('upstream exploded');
      case 'error404':
        return res.writeHead(404, { ...CORS, 'content-type': 'text/plain' }).end('not here');
      case 'garbage':
        return res.writeHead(200, json).end('<html><body>maintenance</body></html>');
      case 'notjwks':
        return res.writeHead(200, json).end('{"jwks":[]}');
      case 'oversize': {
        const body = JSON.stringify({ keys: this.keys.map((k) => k.jwk), padding: 'x'.repeat(64 * 1024) });
        return res.writeHead(200, { ...json, 'content-length': Buffer.byteLength(body) }).end(body);
      }
      case 'oversize-chunked': {
        // No Content-Length: the size shows only while reading.
        res.writeHead(200, json);
        res.write(`{"keys":${JSON.stringify(this.keys.map((k) => k.jwk))},"padding":"`);
        for (let i = 0; i < 64; i += 1) res.write('x'.repeat(1024));
        return res.end('"}');
      }
      case 'redirect':
        return res.writeHead(302, { ...CORS, location: `${this.base}/jwks-real.json` }).end();
      default:
        return res.writeHead(500, CORS).end(`unknown mode ${this.mode}`);
    }
  }

  serveMetadata(res, wellKnown) {
    this.metadataRequests += 1;
    if (wellKnown !== 'openid-configuration') return res.writeHead(404, CORS).end();
    const body = { issuer: this.issuerOverride ?? this.base, jwks_uri: `${this.base}/jwks.json` };
    return res.writeHead(200, { ...CORS, 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  release() {
    for (const res of this.stalled) res.destroy();
    const released = this.stalled.size;
    this.stalled.clear();
    return { released };
  }

  async control(op) {
    switch (op.op) {
      case 'rotate': return this.rotate();
      case 'remove': return this.remove(op.kid);
      case 'sign': return this.sign(op);
      case 'mode': this.mode = op.mode; return {};
      case 'cacheControl': this.cacheControl = op.value ?? null; return {};
      case 'issuer': this.issuerOverride = op.issuer ?? null; return {};
      case 'release': return this.release();
      case 'validators': this.validators = Boolean(op.on); return {};
      case 'retryAfter': this.retryAfter = String(op.value); return {};
      case 'requests': return { headers: this.requestHeaders, notModified: this.notModified };
      case 'count': return { jwks: this.jwksRequests, metadata: this.metadataRequests, followed: this.followedRequests, preflights: this.preflights };
      default: throw new Error(`unknown op ${op.op}`);
    }
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { text += chunk; });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** Starts the server; resolves to `{ origin, tenants, close() }`. */
export async function startJwksServer() {
  const tenants = new Map();
  let origin;
  let nextId = 1;
  const server = http.createServer(async (req, res) => {
    try {
      const path = new URL(req.url, origin).pathname;
      if (req.method === 'OPTIONS') {
        const preflighted = tenants.get(/^\/t\/(\d+)\//.exec(path)?.[1]);
        if (preflighted) preflighted.preflights += 1;
        return res.writeHead(204, CORS).end();
      }
      if (req.method === 'POST' && path === '/tenants') {
        const tenant = new Tenant(nextId, origin);
        nextId += 1;
        tenants.set(String(tenant.id), tenant);
        const { kid } = await tenant.rotate();
        const info = { id: tenant.id, issuer: tenant.base, jwksUrl: `${tenant.base}/jwks.json`, kid };
        return res.writeHead(200, { ...CORS, 'content-type': 'application/json' }).end(JSON.stringify(info));
      }
      const match = /^\/t\/(\d+)\/(.+)$/.exec(path);
      const tenant = match && tenants.get(match[1]);
      if (!tenant) return res.writeHead(404, CORS).end('no such tenant');
      const [, , rest] = match;
      if (req.method === 'GET' && rest === 'jwks.json') return tenant.serveJwks(req, res);
      if (req.method === 'GET' && rest === 'jwks-real.json') return tenant.serveJwks(req, res, { followed: true });
      if (req.method === 'GET' && rest.startsWith('.well-known/')) return tenant.serveMetadata(res, rest.slice(12));
      if (req.method === 'POST' && rest === 'control') {
        const result = await tenant.control(JSON.parse(await readBody(req)));
        return res.writeHead(200, { ...CORS, 'content-type': 'application/json' }).end(JSON.stringify(result));
      }
      return res.writeHead(404, CORS).end();
    } catch (err) {
      return res.writeHead(500, CORS).end(String(err?.stack ?? err));
    }
  });
  // Idle keep-alive sockets stay open for the test's life (close() ends them): with Node's 5 s
  // default, a control request under heavy load could be sent on a socket the server was
  // closing at that moment ("fetch failed", ECONNRESET).
  server.keepAliveTimeout = 600_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    tenants,
    close() {
      for (const tenant of tenants.values()) tenant.release();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
