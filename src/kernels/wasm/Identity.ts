/**
 * Identity for tfjs-backend-wasm that shares the data (one more reference) instead of copying it,
 * as the cpu and webgl backends do: tfjs's engine clones every tensor a gradient saves, and the
 * copies were a few percent of a training step. No wasm kernel writes into its inputs, so sharing
 * is safe.
 */
import { Identity, type KernelBackend, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const x = inputs.x as TensorInfo;
    (backend as KernelBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  },
};
