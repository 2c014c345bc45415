// Builds dist/: ESM (index.js), CommonJS (index.cjs) and one bundled .d.ts per entry. The
// WebAssembly module is embedded in the JS (src/generated/stn_wasm.ts), so dist/ needs no
// runtime file resolution. tfjs packages stay external: they are the user's (peer dependencies).
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const entries = { index: 'src/index.ts' };
const external = (id) => /^@tensorflow\//.test(id) || /^node:/.test(id);

export default [
  {
    input: entries,
    external,
    plugins: [typescript({ tsconfig: './tsconfig.build.json' })],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: true },
      { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', sourcemap: true },
    ],
  },
  {
    input: entries,
    external,
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts' },
  },
];
