TOKEN=$(node examples/mint.mjs --aud my-api --typ at+jwt --scope orders:read)
node pkg/cli.mjs access-token "$TOKEN" --jwks examples/keys/public-jwks.json --iss https://issuer.example --aud my-api --scope orders:read
