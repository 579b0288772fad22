// vite.config.js: `vite build` names the verify-only module with a content hash; this plugin
// adds its <link rel="preload"> to the built index.html.
import { defineConfig } from 'vite';

let base = '/';

export default defineConfig({
  plugins: [{
    name: 'preload-jwks-verify',
    apply: 'build',
    configResolved: (config) => {
      base = config.base;
    },
    transformIndexHtml: {
      order: 'post',
      handler: (html, { bundle, path }) => {
        // A relative base ('./') is relative to each page: one directory up per level of `path`.
        const prefix = base.startsWith('.') ? '../'.repeat(path.split('/').length - 2) || './' : base;
        return Object.values(bundle ?? {})
          .filter((file) => /(^|\/)jwks_verify_verify_only_bg-[\w-]+\.wasm$/.test(file.fileName))
          .map((file) => ({
            tag: 'link',
            attrs: { rel: 'preload', href: `${prefix}${file.fileName}`, as: 'fetch', type: 'application/wasm', crossorigin: true },
            injectTo: 'head',
          }));
      },
    },
  }],
});
