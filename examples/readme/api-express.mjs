import express from 'express';
import { RemoteJwks } from 'jwks-verify';
import { bearerAuth } from 'jwks-verify/express';

const keys = new RemoteJwks('https://issuer.example/.well-known/jwks.json');
const auth = bearerAuth({ keys, issuer: 'https://issuer.example', audience: 'my-api', requiredScopes: ['orders:read'] });
const app = express();
app.get('/orders', auth, (req, res) => res.json({ user: req.auth.payload.sub }));
app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
