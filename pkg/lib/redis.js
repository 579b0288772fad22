// Redis-backed shared state (jwks-verify/redis): a ReplayStore and a JwksStore for many
// processes. No runtime dependency: the caller passes a connected node-redis (4/5) or
// ioredis client. Each operation is one command whose meaning is spelled out in full (raw
// arguments, not a client's option object), so that no client version can silently drop NX.
//
// A failing client rejects; the caller (the replay check, RemoteJwks) bounds each call with a
// timeout and fails closed (replay) or falls back to fetching (JWKS).

import { ownMember } from './own.js';
import { readOptions, anyString, checkUrl, checkState, checkTtl, invalid } from './store-options.js';

const OPTIONS = { prefix: anyString };

// How to send a command through `client`: ioredis has `call(name, ...args)`; node-redis has
// `sendCommand([name, ...args])` (ioredis's own `sendCommand` takes a Command object, hence
// the order of the tests). The client's own methods or its class's (own.js), never one a
// polluted Object.prototype lends: its `call` answered every SET NX of a node-redis client
// with OK (every jti a first use) and every GET with a JWKS state of its own.
function commandSender(client, owner) {
  if (client !== null && typeof client === 'object') {
    if (typeof ownMember(client, 'call') === 'function') return (args) => client.call(...args);
    if (typeof ownMember(client, 'sendCommand') === 'function') {
      if (typeof ownMember(client, 'getSlotMaster') === 'function' || Array.isArray(ownMember(client, 'masters'))) {
        throw invalid(`${owner}: node-redis cluster clients are not supported; pass a client of one node`, 'client');
      }
      return (args) => client.sendCommand(args);
    }
  }
  throw invalid(`${owner}: client must be a node-redis (4 or 5) or ioredis client`, 'client');
}

function failed(owner, command, err) {
  return new Error(`${owner}: Redis ${command} failed: ${err?.message ?? String(err)}`, { cause: err });
}

function replyText(reply) {
  if (typeof reply === 'string' || reply === null) return reply;
  if (reply instanceof Uint8Array) return new TextDecoder().decode(reply);
  return undefined;
}

/**
 * A ReplayStore shared by every process that uses the same Redis: `markUsed(key,
 * expiresAt)` is one atomic `SET <prefix><key> 1 NX PXAT <expiresAt in ms>`, so exactly one
 * caller gets `true` for a key while it lives, and Redis forgets it when the token expires.
 */
export class RedisReplayStore {
  #send;
  #prefix;

  constructor(client, options) {
    const owner = 'RedisReplayStore';
    this.#send = commandSender(client, owner);
    this.#prefix = readOptions(owner, options, OPTIONS).prefix ?? 'jwks-verify:jti:';
  }

  async markUsed(key, expiresAt) {
    if (typeof key !== 'string' || key === '') throw invalid('RedisReplayStore.markUsed: key must be a non-empty string', 'key');
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt) || expiresAt <= 0) {
      throw invalid('RedisReplayStore.markUsed: expiresAt must be a positive number of seconds', 'expiresAt');
    }
    // Rounded up: Redis may forget the key at expiresAt, never before it. At most 2^53-1 ms
    // (year 287,396): Redis takes PXAT up to 2^63-1 only, and a larger expiresAt (an
    // overflowing maxAge window reaches the store as Number.MAX_VALUE) failed every SET.
    const at = Math.min(Math.ceil(expiresAt * 1000), Number.MAX_SAFE_INTEGER);
    // Redis answers OK to a SET whose PXAT is already past and keeps nothing, so every use
    // would be a first use. A check only accepts a token before its expiresAt, so a past one
    // means its notion of now is not this host's (a currentDate in the past): fail closed.
    if (at <= Date.now()) {
      throw invalid(`RedisReplayStore.markUsed: expiresAt ${expiresAt} is already past by this host's clock (a currentDate in the past?): Redis would keep nothing, so the token is refused`, 'expiresAt');
    }
    let reply;
    try {
      reply = replyText(await this.#send(['SET', this.#prefix + key, '1', 'NX', 'PXAT', String(at)]));
    } catch (err) {
      throw failed('RedisReplayStore', 'SET', err);
    }
    if (reply === 'OK') return true;
    if (reply === null) return false;
    throw new Error(`RedisReplayStore: unexpected reply to SET NX: ${JSON.stringify(String(reply))}`);
  }
}

/**
 * A JwksStore (RemoteOptions.store) shared by every process that uses the same Redis: the
 * RemoteJwks state text under `<prefix><url>`, kept for the ttl RemoteJwks gives. What is read
 * back is validated by RemoteJwks as `fromState` validates it.
 */
export class RedisJwksStore {
  #send;
  #prefix;

  constructor(client, options) {
    const owner = 'RedisJwksStore';
    this.#send = commandSender(client, owner);
    this.#prefix = readOptions(owner, options, OPTIONS).prefix ?? 'jwks-verify:jwks:';
  }

  async get(url) {
    checkUrl(url);
    let reply;
    try {
      reply = replyText(await this.#send(['GET', this.#prefix + url]));
    } catch (err) {
      throw failed('RedisJwksStore', 'GET', err);
    }
    if (reply === undefined) throw new Error('RedisJwksStore: unexpected reply to GET');
    return reply;
  }

  async set(url, state, ttlMs) {
    checkUrl(url);
    checkState(state);
    checkTtl(ttlMs);
    // Nothing to share once it has expired.
    if (ttlMs < 1) return;
    try {
      await this.#send(['SET', this.#prefix + url, state, 'PX', String(Math.ceil(ttlMs))]);
    } catch (err) {
      throw failed('RedisJwksStore', 'SET', err);
    }
  }
}
