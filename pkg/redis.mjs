// jwks-verify/redis: replay protection and the JWKS cache shared through Redis by many
// processes. Plain JavaScript (no wasm, no runtime dependency): pass your own connected
// node-redis (4/5) or ioredis client.
export { RedisReplayStore, RedisJwksStore } from './lib/redis.js';
