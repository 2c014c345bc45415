import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { AffineGrid, type AffineGridAttrs } from '../names.js';
import { AffineGridProgram } from './affine_grid_webgpu.js';
import { runProgram, webgpuBackend } from './webgpu_backend.js';

export const affineGridConfig: KernelConfig = {
  kernelName: AffineGrid,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { outputSize, alignCorners } = attrs as unknown as AffineGridAttrs;
    // An empty grid comes back without a dispatch, so an empty theta is never bound.
    const dims = outputSize.length - 2;
    const shape = [...outputSize.slice(0, -1), dims];
    const program = new AffineGridProgram(shape, alignCorners);
    return runProgram(webgpuBackend(backend), program, [inputs.theta as TensorInfo]);
  },
};
