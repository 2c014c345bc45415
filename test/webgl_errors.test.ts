/**
 * The webgl kernels' refusals, in Node with stand-in backend objects (the kernels themselves run
 * in test/webgl.test.ts, in Chromium): a context without WebGL 2, without float32 render targets,
 * or without blending into float32 textures gets an error saying what is missing and to use
 * another backend, never half-precision results; a tensor larger than a texture (a big volume)
 * gets a RangeError naming it.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl'; // registers the WEBGL_* flags the kernels read
import { afterEach, describe, expect, it } from 'vitest';
import { affineGridConfig } from '../src/kernels/webgl/AffineGrid.js';
import { gridSampleConfig } from '../src/kernels/webgl/GridSample.js';
import { gridSampleGradConfig } from '../src/kernels/webgl/GridSampleGrad.js';
import { requireFloatBlend, webglBackend } from '../src/kernels/webgl/webgl_backend.js';

/** Just enough of tfjs-backend-webgl's MathBackendWebGL for webglBackend() to accept it. */
const standIn = () => ({ runWebGLProgram: () => undefined, gpgpu: { setOutputMatrixTexture: () => undefined }, texData: { get: () => undefined } });
const USE_ANOTHER = /Use another backend for them: tf\.setBackend\('wasm'\)/;

describe('the webgl kernels refuse contexts they cannot serve exactly', () => {
  const flags = { WEBGL_VERSION: 2, WEBGL_RENDER_FLOAT32_ENABLED: true, WEBGL_MAX_TEXTURE_SIZE: 16384 };
  afterEach(() => {
    for (const [flag, value] of Object.entries(flags)) tf.env().set(flag, value);
  });

  it('accepts WebGL 2 with float32 render targets', () => {
    for (const [flag, value] of Object.entries(flags)) tf.env().set(flag, value);
    expect(() => webglBackend(standIn())).not.toThrow();
  });

  it('refuses WebGL 1', () => {
    tf.env().set('WEBGL_VERSION', 1);
    expect(() => webglBackend(standIn())).toThrow(/on the webgl backend need WebGL 2 \(this context is WebGL 1\)/);
    expect(() => webglBackend(standIn())).toThrow(USE_ANOTHER);
  });

  it('refuses half-float textures (tfjs\'s WEBGL_RENDER_FLOAT32_ENABLED false)', () => {
    tf.env().set('WEBGL_VERSION', 2);
    tf.env().set('WEBGL_RENDER_FLOAT32_ENABLED', false);
    expect(() => webglBackend(standIn())).toThrow(/need float32 render targets .*WEBGL_RENDER_FLOAT32_ENABLED is false/);
  });

  it('refuses d(input) without EXT_float_blend, and asks the context only once', () => {
    let asked = 0;
    const gl = { getExtension: (name: string) => (asked++, name === 'EXT_float_blend' ? null : {}) } as unknown as WebGL2RenderingContext;
    expect(() => requireFloatBlend(gl)).toThrow(/blending into float32 textures for d\(input\) \(EXT_float_blend is missing here\)/);
    expect(() => requireFloatBlend(gl)).toThrow(USE_ANOTHER);
    expect(asked).toBe(1);
    const withBlend = { getExtension: () => ({}) } as unknown as WebGL2RenderingContext;
    expect(() => requireFloatBlend(withBlend)).not.toThrow();
  });

  it('refuses an object that is not tfjs-backend-webgl 4.22\'s backend', () => {
    expect(() => webglBackend({})).toThrow(/this tfjs-backend-webgl has no runWebGLProgram, gpgpu and texData as 4.22 has/);
  });

  it('refuses a tensor larger than a texture holds (a volume, say) with a RangeError naming the argument', () => {
    for (const [flag, value] of Object.entries(flags)) tf.env().set(flag, value);
    tf.env().set('WEBGL_MAX_TEXTURE_SIZE', 8); // 64 values per texture (afterEach puts it back)
    {
      const info = (shape: number[]) => ({ dataId: {}, shape, dtype: 'float32' }) as unknown as tf.TensorInfo;
      const attrs = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false };
      const call = (config: tf.KernelConfig, inputs: Record<string, tf.TensorInfo>, a: object) =>
        () => config.kernelFunc({ inputs, backend: standIn() as unknown as tf.KernelBackend, attrs: a as tf.NamedAttrMap });
      const fits = (what: string, shape: string, size: number) =>
        new RegExp(`^gridSample: ${what} of shape \\[${shape}\\] has ${size} values, more than a webgl texture holds here \\(8² = 64, WEBGL_MAX_TEXTURE_SIZE 8\\); use the wasm or webgpu backend`);
      const big = info([1, 4, 4, 5, 1]);
      const small = info([1, 2, 2, 2, 1]);
      const smallGrid = info([1, 2, 2, 2, 3]);
      expect(call(gridSampleConfig, { input: big, grid: smallGrid }, attrs)).toThrow(RangeError);
      expect(call(gridSampleConfig, { input: big, grid: smallGrid }, attrs)).toThrow(fits('input', '1, 4, 4, 5, 1', 80));
      expect(call(gridSampleConfig, { input: small, grid: info([1, 3, 3, 3, 3]) }, attrs)).toThrow(fits('grid', '1, 3, 3, 3, 3', 81));
      // The output [1, 2, 2, 2, 9] (72 values) from a grid and an input that fit.
      expect(call(gridSampleConfig, { input: info([1, 1, 1, 1, 9]), grid: smallGrid }, attrs)).toThrow(fits('the output', '1, 2, 2, 2, 9', 72));
      expect(call(gridSampleGradConfig, { dy: info([1, 2, 2, 2, 9]), input: info([1, 1, 1, 1, 9]), grid: smallGrid }, attrs))
        .toThrow(fits('dy \\(the gradient of its output\\)', '1, 2, 2, 2, 9', 72));
      expect(call(affineGridConfig, { theta: info([1, 3, 4]) }, { outputSize: [1, 3, 3, 3, 1], alignCorners: false }))
        .toThrow(/^affineGrid: the grid \(its output\) of shape \[1, 3, 3, 3, 3\] has 81 values, more than a webgl texture holds here/);
    }
  });
});
