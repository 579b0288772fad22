// JoseError: every failure of this package. `code` is one of API.md's ERR_* strings; claim
// failures also carry `claim`, `reason` and the decoded `payload`, as jose's errors do.

export class JoseError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'JoseError';
    this.code = code;
    for (const field of ['claim', 'reason', 'payload', 'url', 'kids']) {
      if (details[field] !== undefined) this[field] = details[field];
    }
  }
}

// The core reports errors as JSON text; turn that (or anything else thrown) into an Error.
export function fromCore(thrown, details) {
  if (typeof thrown !== 'string' || thrown[0] !== '{') return thrown;
  let parsed;
  try {
    parsed = JSON.parse(thrown);
  } catch {
    return new Error(thrown);
  }
  if (parsed.name === 'TypeError') return new TypeError(parsed.message);
  const extra = details ? details(parsed) : undefined;
  return new JoseError(parsed.code, parsed.message, { claim: parsed.claim, reason: parsed.reason, ...extra });
}
