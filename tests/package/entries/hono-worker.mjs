// workerd consumer of jwks-verify/hono: a Hono app bundled by esbuild with the `workerd`
// condition (the adapter's own import of 'jwks-verify' resolves to workerd.mjs). The JWKS URL
// and the issuer come as text bindings.
import { Hono } from 'hono';
import { RemoteJwks, ReplayCache } from 'jwks-verify';
import { bearerAuth } from 'jwks-verify/hono';

let auth; // one RemoteJwks and replay cache per isolate

const app = new Hono();
app.use('/orders', (c, next) => {
  auth ??= bearerAuth({
    keys: new RemoteJwks(c.env.JWKS_URL), issuer: c.env.ISSUER, audience: 'my-api', requiredScopes: ['orders:read'],
    dpopReplay: new ReplayCache(),
  });
  return auth(c, next);
});
app.get('/orders', (c) => {
  const { payload, scheme, jkt } = c.get('auth');
  return c.json({ sub: payload.sub, scheme, jkt: jkt ?? null });
});
app.onError((err, c) => c.json({ error: 'server_error', message: String(err?.message ?? err) }, 500));

export default app;
