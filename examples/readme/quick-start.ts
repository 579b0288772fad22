import { verifyJwt, RemoteJwks, isJoseError, type JWTPayload } from 'jwks-verify';

interface Claims extends JWTPayload {
  scope?: string;
}

const jwks = new RemoteJwks('https://issuer.example/.well-known/jwks.json');

export async function authenticate(token: string): Promise<Claims | undefined> {
  try {
    const { payload } = await verifyJwt<Claims>(token, jwks, { issuer: 'https://issuer.example', audience: 'my-api' });
    return payload;
  } catch (err) {
    if (isJoseError(err)) {
      console.error(err.code, err.claim ?? '', err.reason ?? ''); // e.g. ERR_JWT_EXPIRED exp check_failed
      return undefined;
    }
    throw err; // a TypeError: the options are wrong
  }
}

console.log((await authenticate(process.argv[2] ?? ''))?.sub);
