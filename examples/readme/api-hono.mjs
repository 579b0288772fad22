import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { RemoteJwks } from 'jwks-verify';
import { bearerAuth } from 'jwks-verify/hono';

const keys = new RemoteJwks('https://issuer.example/.well-known/jwks.json');
const auth = bearerAuth({ keys, issuer: 'https://issuer.example', audience: 'my-api', requiredScopes: ['orders:read'] });
const app = new Hono().get('/orders', auth, (c) => c.json({ user: c.get('auth').payload.sub }));
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' });
