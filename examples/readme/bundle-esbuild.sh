npx esbuild app.mjs --bundle --format=esm --outdir=out --loader:.wasm=file
