import { SignJWT, importJWK } from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const privateKey = await importJWK(JSON.parse(readFileSync('agent-private-key.json', 'utf8')), 'ES256');
const url = process.argv[2] ?? 'http://127.0.0.1:8080/';

const body = JSON.stringify({ event: 'task.completed', id: 42 });
const token = await new SignJWT({ request_body_sha256: createHash('sha256').update(body).digest('hex') })
  .setProtectedHeader({ alg: 'ES256', kid: 'agent-2025' })
  .setIssuer('https://agent.example').setIssuedAt().setJti(randomUUID())
  .sign(privateKey);
const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
console.log(response.status); // 204
