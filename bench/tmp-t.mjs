const mode = process.argv[3];
const t0 = process.hrtime.bigint();
await import('./tmp-prof.mjs');
console.log(mode, (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2), 's for 300k');
