import Fastify from 'fastify';
import { RemoteJwks } from 'jwks-verify';
import { bearerAuth } from 'jwks-verify/fastify';

const keys = new RemoteJwks('https://issuer.example/.well-known/jwks.json');
const app = Fastify();
await app.register(bearerAuth, { keys, issuer: 'https://issuer.example', audience: 'my-api', requiredScopes: ['orders:read'] });
app.get('/orders', async (request) => ({ user: request.auth.payload.sub }));
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
