// A JWKS server on 127.0.0.1 where each path is its own set: `sets.get(path)` is
// `{ keys, headers?, mode? }` (404 for a path with none). `mode` makes that path fail:
// 'error500', 'stall' (never answers; close() ends it), 'reset' (drops the connection),
// 'garbage' (200 with a body that is no JSON). `hits` counts requests per path.

import http from 'node:http';

export async function startPathJwksServer() {
  const sets = new Map();
  const hits = new Map();
  const stalled = new Set();
  const server = http.createServer((req, res) => {
    hits.set(req.url, (hits.get(req.url) ?? 0) + 1);
    const set = sets.get(req.url);
    switch (set?.mode) {
      case 'error500': return res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream exploded');
      case 'stall': stalled.add(res); return undefined;
      case 'reset': return req.socket.destroy();
      case 'garbage': return res.writeHead(200, { 'content-type': 'application/json' }).end('<html>maintenance</html>');
      default:
        res.writeHead(set ? 200 : 404, { 'content-type': 'application/json', ...(set?.headers ?? {}) });
        return res.end(JSON.stringify({ keys: set?.keys ?? [] }));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    sets,
    hits,
    close: () => new Promise((resolve) => {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}
