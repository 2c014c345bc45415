import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { AffineGrid, type AffineGridAttrs } from '../names.js';
import { AffineGridProgram } from './affine_grid_webgl.js';
import { refuseVolumes } from '../shared/shapes.js';
import { runProgram, webglBackend } from './webgl_backend.js';

export const affineGridConfig: KernelConfig = {
  kernelName: AffineGrid,
  backendName: 'webgl',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { outputSize: [N, H, W], alignCorners } = attrs as unknown as AffineGridAttrs;
    refuseVolumes((attrs as unknown as AffineGridAttrs).outputSize.length - 2, 'affineGrid', 'webgl');
    // An empty grid comes back without a draw (runWebGLProgram's own rule), so an empty theta is never bound.
    return runProgram(webglBackend(backend), new AffineGridProgram([N, H, W, 2], alignCorners), [inputs.theta as TensorInfo], [[H, W]]);
  },
};
