// Types of jwks-verify/fastify.
import type { FastifyPluginCallback, onRequestHookHandler } from 'fastify';
import type { AuthenticateOptions, AuthSuccess } from 'jwks-verify';

/** What `authenticateRequest` returned for an accepted request (`ok: true`). */
export type { AuthSuccess };

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Set by the `bearerAuth` hook of jwks-verify/fastify on an accepted request; `null`
     * (the decorator's value) where the hook does not run.
     */
    auth: AuthSuccess | null;
  }
}

/**
 * `bearerAuth(options)` is an `onRequest` hook over `authenticateRequest` with the request URL
 * `${request.protocol}://${request.host}${request.url}` (Fastify's `trustProxy` applies):
 * `app.addHook('onRequest', bearerAuth(options))`. `bearerAuth` is also a plugin,
 * `app.register(bearerAuth, options)`, which decorates `request.auth` and adds the hook to
 * the registering scope (as fastify-plugin does). On success `request.auth = result`; a
 * refused request is answered with `challengeResponse(result)`'s status, headers and JSON
 * body; anything `authenticateRequest` throws goes to Fastify's error handler.
 */
export interface BearerAuth extends FastifyPluginCallback<AuthenticateOptions> {
  (options: AuthenticateOptions): onRequestHookHandler;
}

export declare const bearerAuth: BearerAuth;
