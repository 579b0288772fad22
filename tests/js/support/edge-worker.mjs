// The worker of tests/js/edge.test.mjs (bundled by esbuild, run by workerd). POST
// {op, url, state?, ttlMs?, options?}: one CacheApiJwksStore call; the answer is JSON
// {ok, value} or {ok: false, name, message}.
import { CacheApiJwksStore } from '../../../pkg/edge.mjs';

async function handle({ op, url, state, ttlMs, options }) {
  if (op === 'runtime') return { hasDefault: typeof caches.default?.match === 'function' };
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
      return Response.json({ ok: false, name: err?.name, message: String(err?.message ?? err) });
    }
  },
};
