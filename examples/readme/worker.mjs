import { verifyJwt, RemoteJwks, isJoseError } from 'jwks-verify';

let jwks; // module scope: shared by the requests of one isolate

export default {
  async fetch(request, env) {
    jwks ??= new RemoteJwks(env.JWKS_URL);
    const token = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
    try {
      return Response.json((await verifyJwt(token, jwks, { audience: 'my-api' })).payload);
    } catch (err) {
      return Response.json({ error: isJoseError(err) ? err.code : 'error' }, { status: 401 });
    }
  },
};
