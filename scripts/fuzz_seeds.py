#!/usr/bin/env python3
"""Builds the fuzzing key set (tests/fixtures/fuzz_keys.json) and the seed corpora
(fuzz/corpus/<target>/) from the test vectors. Deterministic; run from the repository root:
`python3 scripts/fuzz_seeds.py`. Seeds are named by the SHA-1 of their content, as libFuzzer does."""
import base64, glob, hashlib, json, os, shutil

V = 'tests/vectors'
PRIVATE = {'d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'}


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def public(jwk):
    return {k: v for k, v in jwk.items() if k not in PRIVATE or jwk.get('kty') == 'oct' and k == 'k'}


def text(value):
    return value if isinstance(value, str) else json.dumps(value, separators=(',', ':'), ensure_ascii=False)


wp_jws = load(f'{V}/wycheproof/testvectors_v1/json_web_signature_test.json')
wp_jwk = load(f'{V}/wycheproof/testvectors_v1/json_web_key_test.json')
rfc7515 = load(f'{V}/rfc-examples/rfc7515_appendix_a.json')['tests']
ed = load(f'{V}/rfc-examples/rfc8037_ed25519.json')
x5c_jwks = [load(p) for p in sorted(glob.glob('tests/fixtures/x5c/*.jwk.json'))]
cookbook = [load(p) for p in sorted(glob.glob(f'{V}/rfc7520-cookbook/jws/*.json'))]

# --- the key set every token is verified against: one or more keys per algorithm ---
keys, seen = [], set()
def add(jwk):
    jwk = public(jwk)
    jwk.pop('x5c', None)
    key = json.dumps(jwk, sort_keys=True)
    if key not in seen:
        seen.add(key)
        keys.append(jwk)
for group in wp_jws['testGroups']:
    jwk = group.get('public') or group.get('private')
    if jwk and 'keys' not in jwk:
        add(jwk)
for t in rfc7515:
    if 'jwk' in t:
        add(t.get('public_jwk') or t['jwk'])
add(ed['public_jwk'])
for jwk in x5c_jwks:
    add(jwk)
with open('tests/fixtures/fuzz_keys.json', 'w') as f:
    json.dump({'keys': keys}, f, indent=1)
    f.write('\n')

# --- corpora ---
corpus = {name: [] for name in ['token', 'jwks', 'options', 'remote', 'x509', 'json']}
for group in wp_jws['testGroups']:
    for t in group['tests'][:12]:
        if isinstance(t['jws'], str):
            corpus['token'].append(t['jws'])
for t in rfc7515:
    if 'compact' in t:
        corpus['token'].append(t['compact'])
for case in cookbook:
    for out in case.get('output', {}).values() if isinstance(case.get('output'), dict) else []:
        if isinstance(out, str) and out.count('.') == 2:
            corpus['token'].append(out)
for t in ed['tests']:
    for v in t.values():
        if isinstance(v, str) and v.count('.') == 2 and ' ' not in v:
            corpus['token'].append(v)

for group in wp_jwk['testGroups']:
    corpus['jwks'].append(text(group.get('private') or group.get('public')))
for path in sorted(glob.glob(f'{V}/rfc7520-cookbook/jwk/*.json')) + [f'{V}/rfc-examples/rfc7517_appendix_a1_jwks.json']:
    data = load(path)
    corpus['jwks'].append(text(data.get('input', data) if isinstance(data, dict) else data))
for jwk in x5c_jwks:
    corpus['jwks'].append(text(jwk))
corpus['jwks'].append(text({'keys': keys}))
corpus['jwks'].append(text({'keys': [{'kty': 'RSA', 'n': 'AQAB', 'e': 'AQAB', 'kid': 'a', 'use': 'enc', 'key_ops': ['encrypt']}, {'kty': 'EC', 'crv': 'P-256', 'kid': 'a'}, {'kty': 'oct', 'k': '', 'kid': 'b', 'alg': 'HS256'}, 1, None]}))

corpus['options'] += [
    '{}', '{"algorithms":["RS256","ES256","HS256"]}', '{"issuer":"https://issuer.example","audience":["api","x"]}',
    '{"clockTolerance":"30s","maxTokenAge":"5 minutes"}', '{"clockTolerance":30,"maxTokenAge":300}',
    '{"typ":"at+jwt","subject":"alice","requiredClaims":["jti","iat"]}', '{"crit":{"x-ext":true},"maxTokenLength":100}',
    '{"allowMultipleAudiences":false,"maxCandidates":1}', '{"clockTolerance":"1 day ago"}', '{"clockTolerance":"1.5h"}',
    '{"clockTolerance":"-10s"}', '{"audiance":"x"}', '{"issuer":null}', '{"clockTolerance":"99999999999999999999999999999999999y"}',
]

corpus['remote'] += [
    'null', '{"version":1,"url":"https://issuer.example/jwks","jwks":null}',
    text({'version': 1, 'url': 'https://issuer.example/jwks', 'jwks': {'keys': keys[:3]}, 'fetchedAtMs': 1700000000000, 'expiresAtMs': 1700000600000}),
    text({'version': 1, 'url': 'https://issuer.example/jwks', 'jwks': {'keys': []}, 'fetchedAtMs': 1700000000000, 'expiresAtMs': 1700000600000, 'lastAttemptAtMs': 1700000100000, 'lastError': {'code': 'ERR_JWKS_TIMEOUT', 'message': 'GET timed out'}}),
    text({'version': 1, 'url': 'https://issuer.example/jwks', 'jwks': None, 'lastAttemptAtMs': 1700000100000, 'lastError': {'code': 'ERR_JWKS_FETCH_FAILED', 'message': 'HTTP status 500'}}),
    'max-age=300, must-revalidate', 'no-store', 'public, max-age=86400, stale-if-error=3600', 's-maxage=10, max-age=0',
]

# JSON: the key sets, the options, and the tokens' decoded headers and payloads, plus the
# parser's edges (numbers, escapes, nesting, errors).
def b64url_decode(part):
    return base64.urlsafe_b64decode(part + '=' * (-len(part) % 4))
corpus['json'] += corpus['jwks'][:12] + corpus['options']
for token in corpus['token'][:20]:
    for part in token.split('.')[:2]:
        try:
            corpus['json'].append(b64url_decode(part))
        except Exception:
            pass
corpus['json'] += [
    '{"a":1,"b":[true,false,null],"c":"x\\u0041\\ud83d\\ude00"}', '{"exp":1700000000.5,"nbf":-0,"n":1e-400,"big":18446744073709551616}',
    '[1,2,', '{"a":1,"a":2}', '{"k":"\\ud800"}', '1e2147483648', b'"\xff"', '  {"x" : [ 0.1e1 , -12.5E-3 ] }  x', '[' * 130 + ']' * 130,
    '123456789012345678901234567890e-30', '{"a"\n:\n"b\\n\\t\\/"}', '2.4703282292062327e-324', '1.7976931348623158e308',
]

for jwk in x5c_jwks:
    for cert in jwk.get('x5c', [])[:1]:
        corpus['x509'].append(base64.b64decode(cert))
for pem in sorted(glob.glob('tests/fixtures/x5c/*.cert.pem')):
    body = ''.join(l for l in open(pem) if not l.startswith('-----'))
    corpus['x509'].append(base64.b64decode(body))

for name, items in corpus.items():
    folder = f'fuzz/corpus/{name}'
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for item in items:
        data = item if isinstance(item, bytes) else item.encode('utf-8')
        with open(f'{folder}/{hashlib.sha1(data).hexdigest()}', 'wb') as f:
            f.write(data)
    print(f'{folder}: {len(os.listdir(folder))} files')
print(f'tests/fixtures/fuzz_keys.json: {len(keys)} keys')
