import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { AffineGrid, type AffineGridAttrs } from '../names.js';
import { AffineGridProgram } from './affine_grid_webgl.js';
import { checkFitsTexture, runProgram, webglBackend } from './webgl_backend.js';

export const affineGridConfig: KernelConfig = {
  kernelName: AffineGrid,
  backendName: 'webgl',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { outputSize, alignCorners } = attrs as unknown as AffineGridAttrs;
    const b = webglBackend(backend);
    // outputSize [N, H, W, C] -> grid [N, H, W, 2]; [N, D, H, W, C] -> [N, D, H, W, 3].
    const spatial = outputSize.slice(1, -1);
    const gridShape = [outputSize[0]!, ...spatial, spatial.length];
    checkFitsTexture('affineGrid', 'the grid (its output)', gridShape);
    const [D, H, W] = spatial.length === 3 ? spatial : [1, ...spatial];
    // An empty grid comes back without a draw (runWebGLProgram's own rule), so an empty theta is never bound.
    return runProgram(b, new AffineGridProgram(gridShape, alignCorners), [inputs.theta as TensorInfo], [[D!, H!, W!]]);
  },
};
