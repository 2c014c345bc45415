/**
 * The tfjs backends a benchmark runs on, chosen with `--backends cpu,wasm,webgpu`.
 * webgpu is set up by test/webgpu_setup.ts (Dawn for Node, SwiftShader where there is no GPU);
 * its rows are labelled with the adapter's name, since a software adapter says little about GPUs.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { ready, useWasmTrainingKernels } from '../../src/index.js';

export type BackendName = 'cpu' | 'wasm' | 'webgpu';
export const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'wasm', 'webgpu'];

export interface StartedBackend {
  name: BackendName;
  /** For tables: 'cpu', 'wasm', or 'webgpu (adapter name)'. */
  label: string;
}

/** Parses `--backends a,b`. */
export function parseBackends(argv: readonly string[], fallback: readonly BackendName[]): BackendName[] {
  const i = argv.indexOf('--backends');
  if (i < 0) return [...fallback];
  const list = (argv[i + 1] ?? '').split(',').filter(Boolean);
  for (const b of list) {
    if (!(BACKEND_NAMES as readonly string[]).includes(b)) {
      throw new RangeError(`--backends: unknown backend '${b}'; expected a comma-separated list of ${BACKEND_NAMES.join(', ')}`);
    }
  }
  if (list.length === 0) throw new RangeError(`--backends: expected a comma-separated list of ${BACKEND_NAMES.join(', ')}`);
  return list as BackendName[];
}

interface WebGPUSetupModule {
  setupWebGPUBackend(): Promise<unknown>;
}

/** What a setup result or the backend object says about the adapter, as one short name. */
function adapterName(setupResult: unknown): string {
  const pick = (o: unknown): string | undefined => {
    if (typeof o === 'string') return o;
    if (!o || typeof o !== 'object') return undefined;
    const r = o as Record<string, unknown>;
    for (const key of ['adapterName', 'name', 'description', 'device', 'architecture', 'vendor']) {
      if (typeof r[key] === 'string' && r[key]) return r[key] as string;
    }
    return pick(r.adapterInfo ?? r.info);
  };
  const backend = tf.findBackend('webgpu') as unknown as { adapterInfo?: unknown } | null;
  return pick(setupResult) ?? pick(backend?.adapterInfo) ?? 'unknown adapter';
}

/**
 * Starts a backend; returns undefined (after saying why on stderr) when it cannot run here, e.g.
 * webgpu without an adapter or before test/webgpu_setup.ts exists.
 */
export async function startBackend(name: BackendName): Promise<StartedBackend | undefined> {
  await ready();
  // As the trainer does: the tfjs-ops rows run on stn-layer's wasm training kernels.
  if (name === 'wasm') useWasmTrainingKernels();
  let label: string = name;
  if (name === 'webgpu') {
    // A path in a variable: the setup file is optional for the benchmark, and tsc must not
    // require it to exist.
    const setupPath = '../../test/webgpu_setup.ts';
    let setup: WebGPUSetupModule;
    try {
      setup = (await import(setupPath)) as WebGPUSetupModule;
    } catch (e) {
      process.stderr.write(`webgpu: not benchmarked: cannot load test/webgpu_setup.ts (${(e as Error).message})\n`);
      return undefined;
    }
    let result: unknown;
    try {
      result = await setup.setupWebGPUBackend();
    } catch (e) {
      process.stderr.write(`webgpu: not benchmarked: ${(e as Error).message}\n`);
      return undefined;
    }
    if (result === false || result === null) {
      process.stderr.write('webgpu: not benchmarked: no adapter found\n');
      return undefined;
    }
    label = `webgpu (${adapterName(result)})`;
    // Time the GPU kernels, not tfjs's habit of running small ops on the CPU.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
  }
  if (!(await tf.setBackend(name))) {
    process.stderr.write(`${name}: not benchmarked: the backend did not start\n`);
    return undefined;
  }
  await tf.ready();
  return { name, label };
}

/** Makes `name` the active backend (cheap once started); tensors stay on the backend that made them. */
export async function activateBackend(name: BackendName): Promise<void> {
  if (tf.getBackend() !== name) await tf.setBackend(name);
}
