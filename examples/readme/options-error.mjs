import { verifyJwtSync } from 'jwks-verify';
try {
  verifyJwtSync('a.b.c', { keys: [] }, { audiance: 'my-api' });
} catch (err) {
  console.log(err.name, err.option, err.message);
  // TypeError audiance verifyJwt option audiance is not an option here (known: …); did you mean audience?
}
