npx jwks-verify lint jwks.json
npx jwks-verify decode "$TOKEN"
npx jwks-verify verify "$TOKEN" --jwks jwks.json --iss https://issuer.example --aud my-api
npx jwks-verify verify "$TOKEN" --jwks https://issuer.example/.well-known/jwks.json --aud my-api --json
