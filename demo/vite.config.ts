/**
 * The demo, built by `npm run demo:build` into demo/dist (static files) or served by `npm run
 * demo`. It imports the library by its package names, aliased here to the sources in ../src: the
 * demo always runs the working tree's code, with no package build in between (the packed package's
 * browser build is checked by test/package.test.ts).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const src = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url));

export default defineConfig({
  // Relative asset URLs: the built files work from any directory of any static server.
  base: './',
  resolve: {
    alias: [
      { find: /^stn-layer\/mnist$/, replacement: src('mnist/browser.ts') },
      { find: /^stn-layer$/, replacement: src('index.ts') },
    ],
  },
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // tfjs (with its layers, converter and webgl backend, which @tensorflow/tfjs brings) is big.
    chunkSizeWarningLimit: 6000,
  },
});
