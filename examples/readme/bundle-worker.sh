npx esbuild worker.mjs --bundle --format=esm --platform=neutral --conditions=workerd,worker,browser \
  --main-fields=module,main --external:'*.wasm' --outfile=out/worker.js
mkdir -p out/gen && cp node_modules/jwks-verify/gen/*_bg.wasm out/gen/
npx workerd serve config.capnp
