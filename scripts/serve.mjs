// A tiny static server for the debugging page: serves the repository root on 127.0.0.1 so that
// both www/ and pkg/ are reachable; "/" redirects to /www/. `make serve` runs it (PORT, default 8080).

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const HOST = '127.0.0.1';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

function contentType(path) {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

// The file a URL path names, or null when it would leave ROOT or name a dot file (.git, .env).
function fileFor(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.split(/[\\/]/).some((segment) => segment.startsWith('.'))) return null;
  const path = resolve(join(ROOT, decoded));
  return path === ROOT || path.startsWith(ROOT + sep) ? path : null;
}

async function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
  }
  const { pathname } = new URL(req.url, `http://${HOST}`);
  if (pathname === '/') return send(res, 302, 'see /www/\n', { location: '/www/' });

  let path = fileFor(pathname);
  if (!path) return send(res, 403, 'forbidden\n');
  let info = await stat(path).catch(() => null);
  if (info?.isDirectory()) {
    if (!pathname.endsWith('/')) return send(res, 301, `see ${pathname}/\n`, { location: `${pathname}/` });
    path = join(path, 'index.html');
    info = await stat(path).catch(() => null);
  }
  if (!info?.isFile()) return send(res, 404, 'not found\n');

  const body = await readFile(path);
  res.writeHead(200, {
    'content-type': contentType(path),
    'content-length': body.length,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

// Starts the server on 127.0.0.1:`port` (0 = any free port); resolves to the http.Server.
export function startServer(port = Number(process.env.PORT ?? 8080)) {
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, `internal error: ${err.message}\n`);
      else res.destroy();
    });
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolvePromise(server);
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const server = await startServer();
  const { port } = server.address();
  console.log(`jwks-verify debugging page: http://${HOST}:${port}/www/ (serving ${ROOT}; Ctrl-C to stop)`);
}
