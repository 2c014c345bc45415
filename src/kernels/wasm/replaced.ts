/**
 * tfjs-backend-wasm's own kernels that stn-layer replaced (see replacements.ts), for the
 * replacements that handle only the case that matters for training (a bias along the last axis)
 * and hand every other call to the kernel they replaced.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

const replaced = new Map<string, KernelConfig>();
const setUp = new WeakMap<KernelConfig, WeakSet<object>>();

/** Remembers tfjs-backend-wasm's kernel before a replacement takes its place. */
export function rememberReplaced(config: KernelConfig): void {
  replaced.set(config.kernelName, config);
}

/** Runs tfjs-backend-wasm's own kernel `name` (setting it up for this backend first, once). */
export function runReplaced(name: string, args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] {
  const config = replaced.get(name);
  if (!config) throw new Error(`stn-layer: tfjs-backend-wasm's ${name} kernel, which this call needs, is not registered`);
  let backends = setUp.get(config);
  if (!backends) setUp.set(config, (backends = new WeakSet()));
  if (!backends.has(args.backend)) {
    config.setupFunc?.(args.backend);
    backends.add(args.backend);
  }
  return config.kernelFunc(args);
}
