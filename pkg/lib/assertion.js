// checkAssertion: RFC 7523 client authentication (private_key_jwt, client_secret_jwt).
// The core routes the assertion to the client's keys or a federated issuer's, derives the
// VerifyOptions for that route and checks the rest after verification; the signature goes
// through the same backend path as verifyJwt; the jti is marked used last.

import { WasmAssertion } from '../gen/jwks_verify.js';
import { nowSeconds } from './options.js';
import { parsedCache, pick } from './parsed.js';
import { checkStore, checkThenMarkUsed } from './replay.js';
import { ready } from './runtime.js';
import { resolveKeySet, tokenText, verifyWith } from './verify.js';

const FIELDS = [
  'clientId', 'audience', 'algorithms', 'profile', 'allowMultipleAudiences', 'maxLifetime',
  'clockTolerance', 'requireJti', 'crit', 'maxTokenLength', 'maxCandidates',
];
const FEDERATED_FIELDS = ['issuer', 'subject', 'audience', 'maxLifetime', 'singleUse'];

// A parsed profile and its VerifyOptions handle per route, made on first use.
const profileFor = parsedCache((text) => {
  const handle = WasmAssertion.parse(text);
  const byRoute = new Map();
  return {
    handle,
    verifyOptions(route) {
      let options = byRoute.get(route);
      if (!options) byRoute.set(route, (options = handle.verifyOptions(route)));
      return options;
    },
  };
});

function checkOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('checkAssertion needs options { clientId, audience, keys }');
  }
  if (options.keys === undefined || options.keys === null) throw new TypeError("options.keys (the client's registered keys) is required");
  const federated = options.federated ?? [];
  if (!Array.isArray(federated)) throw new TypeError('options.federated must be an array');
  federated.forEach((entry, i) => {
    if (entry === null || typeof entry !== 'object' || entry.keys === undefined || entry.keys === null) {
      throw new TypeError(`options.federated[${i}] must be { issuer, keys, subject?, audience? }`);
    }
  });
  checkStore(options.replay);
  return federated;
}

export async function checkAssertion(assertion, options) {
  await ready();
  const federated = checkOptions(options);
  const text = tokenText(assertion);
  const core = { ...pick(options, FIELDS), federated: federated.map((entry) => pick(entry, FEDERATED_FIELDS)) };
  const profile = profileFor(JSON.stringify(core));
  const now = nowSeconds(options);
  const route = profile.handle.route(text);
  const keySet = await resolveKeySet(route < 0 ? options.keys : federated[route].keys, text);
  const verified = await verifyWith(text, keySet, profile.verifyOptions(route), now);
  const outcome = await checkThenMarkUsed(verified, () => profile.handle.check(text, route, now), options.replay);
  return {
    clientId: outcome.clientId,
    jti: outcome.jti ?? undefined,
    header: verified.header,
    payload: verified.payload,
    key: verified.key,
    federated: outcome.federated,
  };
}
