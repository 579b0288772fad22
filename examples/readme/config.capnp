using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # fetch() may reach only what `allow` lists: "public" alone blocks a JWKS on
    # 127.0.0.1 or a private network address, so list "private" and "local" for those.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "out/worker.js"),
    # The names are the paths esbuild kept in the bundle's imports: "./gen/jwks_verify_bg.wasm"
    # (the protocol module) and "./gen/jwks_verify_signature_bg.wasm" (RSA/ECDSA/EdDSA in
    # Rust, for verifyJwtSync; drop it with jwks-verify/slim).
    (name = "gen/jwks_verify_bg.wasm", wasm = embed "out/gen/jwks_verify_bg.wasm"),
    (name = "gen/jwks_verify_signature_bg.wasm", wasm = embed "out/gen/jwks_verify_signature_bg.wasm"),
  ],
  bindings = [(name = "JWKS_URL", text = "http://127.0.0.1:8788/.well-known/jwks.json")],
  compatibilityDate = "2025-09-01",
  globalOutbound = "internet",
);
