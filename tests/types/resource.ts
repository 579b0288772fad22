// Types of the resource-server API (verifyAccessToken, authenticateRequest, challengeResponse)
// under tsc --strict: what a user writes compiles, and the results narrow on `ok`.
import { verifyAccessToken, authenticateRequest, challengeResponse, ReplayCache, type AuthResult, type AuthenticateOptions } from 'jwks-verify';

const jwks = { keys: [] };

export async function accessToken(token: string): Promise<string> {
  const { payload, key } = await verifyAccessToken(token, jwks, { issuer: 'https://as.example', audience: 'api', requiredScopes: ['read'] });
  const scope: string | undefined = payload.scope;
  const jkt: string | undefined = payload.cnf?.jkt;
  return `${payload.client_id} ${payload.sub} ${scope ?? ''} ${jkt ?? ''} ${key.thumbprint}`;
}

const options: AuthenticateOptions = {
  keys: jwks,
  issuer: 'https://as.example',
  audience: 'api',
  requiredScopes: ['read'],
  dpop: 'allowed',
  dpopReplay: new ReplayCache(),
  dpopAlgorithms: ['ES256'],
  realm: 'api',
  resourceMetadata: 'https://api.example/.well-known/oauth-protected-resource',
  origin: 'https://api.example',
};

export async function handle(request: Request): Promise<Response> {
  const result: AuthResult = await authenticateRequest(request, options);
  if (!result.ok) return challengeResponse(result);
  const who: string = result.payload.sub;
  const scheme: 'Bearer' | 'DPoP' = result.scheme;
  return new Response(`${who} via ${scheme}${result.jkt ? ` (${result.jkt})` : ''}`);
}

export async function node(req: { method?: string; url?: string; headers: Record<string, string | string[] | undefined> }): Promise<number> {
  const result = await authenticateRequest({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, options);
  if (result.ok) return 200;
  const status: 400 | 401 | 403 = result.status;
  const description: string | undefined = result.errorDescription;
  return description === undefined ? status : status;
}

// The members of Node's IncomingMessage (as @types/node declares them) that it reads: req as it is.
interface IncomingMessageLike {
  method?: string | undefined;
  url?: string | undefined;
  headers: { [name: string]: string | string[] | undefined };
  headersDistinct: { [name: string]: string[] | undefined };
  socket: { remoteAddress?: string | undefined };
}
export async function nodeRequest(req: IncomingMessageLike): Promise<boolean> {
  return (await authenticateRequest(req, options)).ok;
}
