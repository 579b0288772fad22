// Type test of the adapters' declarations (pkg/hono.d.ts, express.d.ts, fastify.d.ts) against
// the real frameworks' types: the attached `auth` is the accepted AuthResult (no `any`), each
// adapter plugs in where its framework expects middleware, and misuse is rejected.

import { Hono } from 'hono';
import Fastify from 'fastify';
import type { AuthResult, AuthenticateOptions } from 'jwks-verify';
import { bearerAuth as honoAuth } from 'jwks-verify/hono';
import { bearerAuth as expressAuth } from 'jwks-verify/express';
import type { AuthSuccess } from 'jwks-verify/express';
import { bearerAuth as fastifyAuth } from 'jwks-verify/fastify';

type IsAny<T> = 0 extends 1 & T ? true : false;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): void {}

const options: AuthenticateOptions = { keys: { keys: [] }, issuer: 'https://as.example', audience: 'https://api.example' };
assertType<Equal<AuthSuccess, Extract<AuthResult, { ok: true }>>>();

// Hono: c.get('auth') is typed through the middleware's Variables.
new Hono().get('/orders', honoAuth(options), (c) => {
  const auth = c.get('auth');
  assertType<Equal<typeof auth, AuthSuccess>>();
  assertType<Equal<typeof auth.ok, true>>();
  return c.json({ sub: auth.payload.sub ?? null });
});

// Express: a (req, res, next) middleware; req.auth is optional on Express.Request.
const middleware = expressAuth(options);
declare const req: Express.Request;
declare const res: Express.Response;
void middleware(req, res, (err?: unknown) => void err);
const expressAuthValue = req.auth;
assertType<Equal<typeof expressAuthValue, AuthSuccess | undefined>>();
// @ts-expect-error the options are required
expressAuth();

// Fastify: the plugin form and the hook form; request.auth is decorated.
const app = Fastify();
void app.register(fastifyAuth, options);
app.addHook('onRequest', fastifyAuth(options));
app.get('/orders', { onRequest: fastifyAuth(options) }, async (request) => {
  const auth = request.auth;
  assertType<Equal<typeof auth, AuthSuccess | null>>();
  assertType<IsAny<typeof auth> extends false ? true : false>();
  return { sub: auth?.payload.sub };
});
// @ts-expect-error an unknown option name
void app.register(fastifyAuth, { ...options, audiance: 'x' });
