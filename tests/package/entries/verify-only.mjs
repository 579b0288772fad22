// The checks of `jwks-verify/verify-only` every runtime runs (Node ESM and CommonJS through
// dynamic import, Chromium, workerd, Deno); runtime-neutral. `input`: `{ es, rs, hs }`, each
// `{ token, keys }` (a token of `sub` "alice" and its JWKS). Records outcomes; run.mjs asserts.

const codeOf = async (fn) => {
  try {
    return (await fn()).payload.sub;
  } catch (err) {
    return err.code ?? `${err.name}: ${err.message}`;
  }
};

export async function runVerifyOnly(jv, { es, rs, hs }, { loadSignature = false } = {}) {
  const report = { names: Object.keys(jv).filter((n) => n !== 'default').sort() };
  report.syncBeforeReady = await codeOf(() => jv.verifyJwtSync(hs.token, hs.keys, { algorithms: ['HS256'] }));
  await jv.ready({ sync: false });
  const keys = jv.parseJwks(es.keys);
  report.parsed = keys.keys.map((k) => `${k.kty}:${k.usable}`);
  report.es = await codeOf(() => jv.verifyJwt(es.token, keys));
  report.rs = await codeOf(() => jv.verifyJwt(rs.token, rs.keys));
  report.verifier = await codeOf(() => jv.createVerifier(rs.keys, { algorithms: ['RS256'] }).verify(rs.token));
  report.hsSync = await codeOf(() => jv.verifyJwtSync(hs.token, hs.keys, { algorithms: ['HS256'] }));
  report.decoded = jv.decodeJwt(es.token).payload.sub;
  report.tampered = await codeOf(() => jv.verifyJwt(`${es.token.slice(0, -4)}AAAA`, keys));
  report.wrongOption = await codeOf(() => jv.verifyJwt(es.token, keys, { audiance: 'x' }));
  report.isJoseError = await jv.verifyJwt('x', keys).catch((err) => err instanceof jv.JoseError && jv.isJoseError(err));
  if (loadSignature) {
    try {
      await jv.ready({ sync: true });
      report.ready = 'loaded';
    } catch (err) {
      report.ready = err.code;
    }
  }
  report.esSync = await codeOf(() => jv.verifyJwtSync(es.token, es.keys));
  report.rsSync = await codeOf(() => jv.verifyJwtSync(rs.token, rs.keys));
  return report;
}
