// Builds dist/: ESM (index.js), CommonJS (index.cjs) and one bundled .d.ts per entry. The
// WebAssembly module is embedded in the JS (src/generated/stn_wasm.ts), so dist/ needs no
// runtime file resolution. tfjs packages stay external: they are the user's (peer dependencies).
import { isAbsolute } from 'node:path';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// mnist/browser is stn-layer/mnist for bundlers targeting browsers (the "browser" export condition):
// the same network and training step without the modules that use node:fs and friends.
const entries = {
  index: 'src/index.ts', 'layers/index': 'src/layers/index.ts', 'mnist/index': 'src/mnist/index.ts', 'mnist/browser': 'src/mnist/browser.ts',
};
// The `stn-mnist` command (package.json "bin"), built with the entries so that it shares their chunks.
const commands = { 'mnist/cli': 'src/mnist/bin.ts' };
const shebang = (chunk) => (chunk.name in commands ? '#!/usr/bin/env node' : '');
// Every package import stays external: tfjs is the user's (peer dependencies), the others are
// dependencies or optional peers. Bundling tfjs would give the user a second Tensor class.
const external = (id) => !id.startsWith('.') && !id.startsWith('\0') && !isAbsolute(id);

export default [
  {
    input: { ...entries, ...commands },
    external,
    plugins: [typescript({ tsconfig: './tsconfig.build.json' })],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: true, banner: shebang },
      { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', sourcemap: true, banner: shebang },
    ],
  },
  {
    input: entries,
    external,
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    // The same declarations twice: TypeScript under node16/nodenext reads .d.ts in this
    // "type": "module" package as ESM and needs .d.cts for the require condition.
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.cts', chunkFileNames: 'chunks/[name]-[hash].d.cts' },
    ],
  },
];
