/**
 * One source for the contract: the integer codes and constants are declared in src/kernels/names.ts
 * only, and every kernel language takes them from it (the AssemblyScript through the generated
 * assembly/contract.ts, the WGSL and GLSL by interpolation). The module's export typings, generated from
 * asc's --bindings, match the .wasm that is embedded.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STN_WASM_BASE64 } from '../src/generated/stn_wasm.js';
import {
  KERNEL_CONSTANTS, type KernelLanguage, MODES, PADDING_MODES, kernelConstantDeclarations, modeCode, paddingCode,
} from '../src/kernels/names.js';
import { samplingGlsl } from '../src/kernels/webgl/sample_glsl.js';
import { samplingWgsl } from '../src/kernels/webgpu/sample_wgsl.js';

const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

describe('the contract module', () => {
  it('gives each mode and padding mode its index as its code', () => {
    expect(MODES.map(modeCode)).toEqual([0, 1, 2]);
    expect(PADDING_MODES.map(paddingCode)).toEqual([0, 1, 2]);
    expect(KERNEL_CONSTANTS.map((c) => c.name)).toEqual([
      'MODE_BILINEAR', 'MODE_NEAREST', 'MODE_BICUBIC', 'PADDING_ZEROS', 'PADDING_BORDER', 'PADDING_REFLECTION',
      'CUBIC_A', 'SAFE_MARGIN', 'REFLECTION_REACH',
    ]);
  });

  it('declares its constants in each kernel language', () => {
    const lines = (language: KernelLanguage) => kernelConstantDeclarations(language).trim().split('\n');
    expect(lines('assemblyscript')).toContain('export const PADDING_REFLECTION: i32 = 2;');
    expect(lines('wgsl')).toContain('const SAFE_MARGIN: f32 = 4.0;');
    expect(lines('glsl')).toEqual(expect.arrayContaining(['const int MODE_BICUBIC = 2;', 'const float CUBIC_A = -0.75;',
      'const float REFLECTION_REACH = 4194304.0;']));
    for (const language of ['assemblyscript', 'wgsl', 'glsl'] as const) expect(lines(language)).toHaveLength(KERNEL_CONSTANTS.length);
  });

  it('is the only place that gives a contract constant a value', () => {
    const names = KERNEL_CONSTANTS.map((c) => c.name).join('|');
    // A declaration with a value, in any language: `const X = 1`, `const X: f32 = 1`, `#define X 1`, `X = 1,`.
    const declaration = new RegExp(`(?:\\b(?:const|let|var)\\s+(?:float\\s+|int\\s+)?(?:${names})\\b\\s*(?::\\s*\\w+\\s*)?=)|#define\\s+(?:${names})\\b|^\\s*(?:${names})\\s*[:=]\\s*[-\\d]`, 'm');
    const offenders = [...sourceFiles('assembly'), ...sourceFiles('src')]
      .filter((f) => f !== 'src/kernels/names.ts' && f !== 'assembly/contract.ts')
      .filter((f) => declaration.test(read(f)));
    expect(offenders).toEqual([]);
  });

  it('is what assembly/contract.ts declares (rebuild with npm run build:wasm after changing it)', () => {
    expect(read('assembly/contract.ts')).toContain(kernelConstantDeclarations('assemblyscript'));
    for (const file of ['assembly/coords.ts', 'assembly/grid_sample.ts']) expect(read(file)).toMatch(/from '\.\/contract'/);
  });

  it('is what every WGSL sampling shader declares', () => {
    for (const mode of MODES) {
      const wgsl = samplingWgsl({ mode, paddingMode: 'reflection', alignCorners: false });
      for (const line of kernelConstantDeclarations('wgsl').trim().split('\n')) {
        expect(wgsl.split(line).length - 1, `${mode}: ${line}`).toBe(1);
      }
      expect(wgsl).toContain(`const SAMPLE_MODE: i32 = ${modeCode(mode)};`);
      expect(wgsl).toContain(`const PADDING: i32 = ${paddingCode('reflection')};`);
    }
  });

  it('is what every GLSL sampling shader declares (the same values in GLSL syntax)', () => {
    const lines = kernelConstantDeclarations('glsl').trim().split('\n');
    expect(lines.map((l) => /^const (?:int|float) (\w+) = /.exec(l)?.[1])).toEqual(KERNEL_CONSTANTS.map((c) => c.name));
    KERNEL_CONSTANTS.forEach((c, i) => expect(Number(/= (.*);$/.exec(lines[i]!)?.[1])).toBe(c.value));
    for (const mode of MODES) {
      const glsl = samplingGlsl({ mode, paddingMode: 'reflection', alignCorners: false });
      for (const line of lines) expect(glsl.split(line).length - 1, `${mode}: ${line}`).toBe(1);
      expect(glsl).toContain(`#define SAMPLE_MODE ${modeCode(mode)}`);
      expect(glsl).toContain(`#define PADDING ${paddingCode('reflection')}`);
    }
  });
});

describe('the module\'s export typings (src/generated/stn_exports.ts, from asc --bindings)', () => {
  it('name every function the embedded .wasm exports, with its number of parameters', () => {
    const typings = read('src/generated/stn_exports.ts');
    const typed = Object.fromEntries([...typings.matchAll(/^ {2}(\w+)\(([^)]*)\): \w+;$/gm)]
      .map(([, name, params]) => [name!, params!.split(',').filter((p) => p.trim()).length]));
    const bytes = Uint8Array.from(atob(STN_WASM_BASE64), (c) => c.charCodeAt(0));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
    const actual = Object.fromEntries(Object.entries(instance.exports)
      .filter(([, f]) => typeof f === 'function').map(([name, f]) => [name, (f as (...a: unknown[]) => void).length]));
    expect(Object.keys(typed).length).toBeGreaterThan(0);
    expect(typed).toEqual(actual);
  });
});
