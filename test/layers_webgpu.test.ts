/**
 * stn-layer/layers on webgpu (Dawn on SwiftShader in Node, see webgpu_setup.ts): the same checks as
 * test/layers.test.ts runs on cpu and wasm. Without an adapter the file skips loudly, and fails when CI is set.
 */
import { describe, it } from 'vitest';
import { withGPUErrorScopes, requireWebGPU } from './webgpu_setup.js';
import {
  expectFitLeavesNoTensors, expectFitTrainsHead, expectIdentityStart, expectLayerEqualsOps, expectSaveLoadRoundTrip,
} from './layers_support.js';

const gpu = await requireWebGPU();

describe.skipIf(!gpu)('stn-layer/layers on webgpu', () => {
  it('the layer equals gridSample(affineGrid(theta)) for every mode, padding and alignCorners, [N, 6] and [N, 2, 3], and attention', () =>
    withGPUErrorScopes(expectLayerEqualsOps));
  it('the factory starts as the identity (affine and attention)', () => withGPUErrorScopes(expectIdentityStart));
  it('model.fit trains the transformer head', () => withGPUErrorScopes(expectFitTrainsHead));
  it('save -> loadLayersModel gives bit-identical predictions and keeps training', () => withGPUErrorScopes(expectSaveLoadRoundTrip));
  it('100 fit steps leave tf.memory().numTensors unchanged', expectFitLeavesNoTensors);
});
