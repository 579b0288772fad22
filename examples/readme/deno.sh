deno run --allow-net=issuer.example deno.mjs "$TOKEN"
