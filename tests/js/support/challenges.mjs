// Shared by the authenticateRequest tests: the fixed error descriptions, and a small RFC 9110
// WWW-Authenticate parser that throws on anything malformed.

// Every errorDescription there is (src/resource.rs, Phrase::text).
export const PHRASES = new Set([
  'The Authorization header is malformed',
  'The request has more than one Authorization header',
  'The request has more than one DPoP header',
  'The DPoP header is malformed',
  'The request URL cannot be determined',
  'The access token is malformed',
  'The access token has expired',
  'The access token is not yet valid',
  'The access token signature is invalid',
  'The access token algorithm is not accepted',
  'The access token is signed with an unknown key',
  'The access token is not intended for this resource',
  'The access token issuer is not trusted',
  'The token is not an access token',
  'The access token lacks a required claim',
  'The access token has a malformed claim',
  'The access token failed a claim check',
  'The access token uses an unsupported feature',
  'The access token is invalid',
  'The access token lacks a required scope',
  'A DPoP-bound access token is required',
  'The access token is DPoP-bound and must be sent with the DPoP scheme',
  'The access token is not DPoP-bound',
  'The access token is bound to a key this resource cannot check',
  'The DPoP proof is missing',
  'The DPoP proof is malformed',
  'The DPoP proof is invalid',
  'The DPoP proof has already been used',
  'The DPoP proof is for another request',
  'The DPoP proof is for another access token',
  'The DPoP proof is too old or not yet valid',
  'The DPoP proof nonce is wrong',
  'The DPoP proof key does not match the access token binding',
]);

/**
 * RFC 9110 §11.6.1: `challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, challenges
 * comma-separated; quoted-string values unescaped. Throws on anything else.
 */
export function parseChallenges(header) {
  const tchar = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
  let i = 0;
  const ws = () => { while (header[i] === ' ' || header[i] === '\t') i++; };
  const token = () => {
    const start = i;
    while (i < header.length && tchar.test(header[i])) i++;
    if (i === start) throw new Error(`expected a token at ${i}: ${header}`);
    return header.slice(start, i);
  };
  const out = [];
  while (i < header.length) {
    ws();
    const scheme = token();
    const params = {};
    ws();
    while (i < header.length) {
      if (header[i] === ',') {
        const save = i;
        i++;
        ws();
        const nameStart = i;
        while (i < header.length && tchar.test(header[i])) i++;
        const after = i;
        ws();
        if (header[i] === '=' && after > nameStart) {
          i = nameStart;
        } else {
          i = save + 1;
          break;
        }
      }
      const name = token().toLowerCase();
      ws();
      if (header[i] !== '=') throw new Error(`expected = at ${i}: ${header}`);
      i++;
      ws();
      let value = '';
      if (header[i] === '"') {
        i++;
        for (;;) {
          if (i >= header.length) throw new Error(`unterminated quoted-string: ${header}`);
          const c = header[i++];
          if (c === '"') break;
          if (c === '\\') {
            value += header[i++];
            continue;
          }
          if (!/[\t\x20-\x7e]/.test(c)) throw new Error(`bad qdtext ${JSON.stringify(c)}: ${header}`);
          value += c;
        }
      } else {
        value = token();
      }
      if (name in params) throw new Error(`duplicate parameter ${name}: ${header}`);
      params[name] = value;
      ws();
    }
    out.push({ scheme, params });
  }
  return out;
}

