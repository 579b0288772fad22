// The worker of tests/js/edge.test.mjs (bundled by esbuild, run by workerd). POST
// {op, url, state?, ttlMs?, options?, token?}: one CacheApiJwksStore call, or a verifyJwt
// against a RemoteJwks (one per URL in this isolate) whose store is a CacheApiJwksStore. The
// answer is JSON {ok, value} or {ok: false, name, code, message}.
import { CacheApiJwksStore } from '../../../pkg/edge.mjs';
import { RemoteJwks, verifyJwt } from '../../../pkg/workerd.mjs';

const remotes = new Map();

async function handle({ op, url, state, ttlMs, options, token }) {
  if (op === 'runtime') return { hasDefault: typeof caches.default?.match === 'function' };
  if (op === 'verify') {
    if (!remotes.has(url)) remotes.set(url, new RemoteJwks(url, { store: new CacheApiJwksStore(options) }));
    const remote = remotes.get(url);
    const { key } = await verifyJwt(token, remote);
    return { kid: key.kid, fetches: remote.stats().fetches };
  }
  const store = new CacheApiJwksStore(options);
  if (op === 'set') return store.set(url, state, ttlMs);
  if (op === 'get') return store.get(url);
  throw new Error(`unknown op ${op}`);
}

export default {
  async fetch(request) {
    try {
      const value = await handle(await request.json());
      return Response.json({ ok: true, value: value ?? null });
    } catch (err) {
      return Response.json({ ok: false, name: err?.name, code: err?.code, message: String(err?.message ?? err) });
    }
  },
};
