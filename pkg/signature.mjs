// `import 'jwks-verify/signature'` outside workerd and Deno: nothing to do. Node loads the
// signature module when first needed (synchronously); browsers and bundlers fetch it on demand
// (`await ready()`, setBackend('rust'), or a host that lacks an algorithm).
export {};
