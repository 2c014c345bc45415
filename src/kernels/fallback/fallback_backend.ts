/**
 * The fallback's side of any other backend (tfjs-node's 'tensorflow', a third party's): it uses
 * only the public KernelBackend methods. The AssemblyScript kernels run in their own memory, as
 * for the cpu backend (whose copying heap this reuses): operands are read with the backend's
 * readSync, and results written back with its makeTensorInfo (or write, which every backend has).
 * Two copies per operand and a synchronous read make it slow; it is there so the ops work at all.
 */
import type { DataId, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { cpuHeap } from '../cpu/cpu_backend.js';
import type { KernelHeap } from '../shared/heap.js';

interface MaybeMakeTensorInfo extends KernelBackend {
  makeTensorInfo?(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** The copying heap over `backend`, with a read failure that names the backend. */
export function fallbackHeap(backend: object, backendName: string): KernelHeap {
  const b = backend as MaybeMakeTensorInfo;
  return cpuHeap({
    readSync(dataId: DataId): Float32Array {
      let values: unknown;
      try {
        values = b.readSync(dataId);
      } catch (e) {
        throw new Error(`stn-layer: the fallback kernels read operands with readSync, which the '${backendName}' backend refused (${(e as Error).message}); use another backend for gridSample and affineGrid, e.g. tf.setBackend('wasm')`);
      }
      return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    },
    makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo {
      if (typeof b.makeTensorInfo === 'function') return b.makeTensorInfo(shape, dtype, values);
      return { dataId: b.write(values, shape, dtype), shape, dtype };
    },
  });
}
