import { createServer } from 'node:http';
import { verifyWebhook, ReplayCache, RemoteJwks, isJoseError } from 'jwks-verify';

const senderKeys = new RemoteJwks('https://agent.example/.well-known/jwks.json');
const replay = new ReplayCache();

createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks); // the exact bytes that were signed
  try {
    await verifyWebhook({ authorization: req.headers.authorization ?? '', body }, senderKeys, {
      issuer: 'https://agent.example',
      replay,
    });
  } catch (err) {
    console.error('refused:', isJoseError(err) ? err.code : err); // log why, answer only 401
    res.writeHead(401).end();
    return;
  }
  const notification: unknown = JSON.parse(body.toString('utf8')); // only now
  console.log('accepted:', JSON.stringify(notification));
  res.writeHead(204).end();
}).listen(Number(process.env.PORT ?? 8080), '127.0.0.1');
