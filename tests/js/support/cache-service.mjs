// The cache service behind workerd's Cache API (its `cacheApiOutbound`), in memory: what the
// Cloudflare edge cache is to a deployed worker. workerd sends `cache.put` as PUT <key URL>
// whose body is the serialized HTTP response, `cache.match` as GET <key URL> (answered with
// `cf-cache-status: HIT` and the stored response, or `MISS`), `cache.delete` as PURGE. A
// cache opened by name adds a `cf-cache-namespace` header. Counts each operation; `failing`
// makes every request answer 500 (an edge cache having a bad day).

import { createServer } from 'node:http';

function decodeChunked(bytes) {
  const out = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) throw new Error('truncated chunked body');
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) throw new Error('bad chunk size');
    if (size === 0) return Buffer.concat(out);
    out.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

// "HTTP/1.1 200 OK\r\nName: value\r\n...\r\n\r\nbody" -> { status, headers, body }
function parseResponse(bytes) {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd < 0) throw new Error('no header end in the stored response');
  const [statusLine, ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = bytes.subarray(headEnd + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    body = decodeChunked(body);
    delete headers['transfer-encoding'];
  }
  headers['content-length'] = String(body.length);
  return { status, headers, body };
}

export async function startCacheService() {
  const entries = new Map();
  const counts = { put: 0, hit: 0, miss: 0, purge: 0 };
  const service = { entries, counts, failing: false };
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    if (service.failing) {
      res.writeHead(500).end();
      return;
    }
    const key = `${req.headers['cf-cache-namespace'] ?? ''} ${req.url}`;
    try {
      if (req.method === 'PUT') {
        counts.put++;
        entries.set(key, parseResponse(Buffer.concat(chunks)));
        res.writeHead(204).end();
      } else if (req.method === 'GET') {
        const entry = entries.get(key);
        if (!entry) {
          counts.miss++;
          res.writeHead(504, { 'cf-cache-status': 'MISS' }).end();
          return;
        }
        counts.hit++;
        res.writeHead(entry.status, { ...entry.headers, 'cf-cache-status': 'HIT' }).end(entry.body);
      } else if (req.method === 'PURGE') {
        counts.purge++;
        res.writeHead(entries.delete(key) ? 200 : 404).end();
      } else {
        res.writeHead(405).end();
      }
    } catch (err) {
      res.writeHead(400).end(String(err));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.port = server.address().port;
  service.close = () => new Promise((resolve) => server.close(resolve));
  return service;
}
