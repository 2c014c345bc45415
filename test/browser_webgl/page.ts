/**
 * The page of test/webgl.test.ts, bundled by vite with tfjs-core, tfjs-backend-cpu and
 * tfjs-backend-webgl from node_modules; stn-layer is imported after the backends' kernels are
 * noted, to show it replaces none of them. It exposes window.stnWebGL (protocol.ts). Sync reads
 * of tensors are made to throw while the ops run, as in the WebGPU page.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
// tfjs's own gradients (tfjs-core alone registers none), for the training step.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { GridSampleAttrs } from '../../src/kernels/names.js';
import type { MemoryCounts, PageAffineCase, PageSampleCase, Sampled, WebGLPage } from './protocol.js';

const before = new Map(['webgl', 'cpu'].flatMap((b) => tf.getKernelsForBackend(b).map((k) => [`${b}/${k.kernelName}`, k.kernelFunc])));
const stn = await import('../../src/index.js');

interface WebGLBackendLike extends tf.KernelBackend {
  gpgpu: { gl: WebGL2RenderingContext };
}

async function useBackend(name: string): Promise<void> {
  await stn.ready();
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not start`);
  await tf.ready();
}

async function sampleCase(c: PageSampleCase): Promise<Sampled> {
  const options = { mode: c.mode, paddingMode: c.paddingMode, alignCorners: c.alignCorners };
  // Images and volumes alike: the rank of the shapes says which.
  const input = tf.tensor<tf.Rank>(c.input, c.inputShape) as tf.Tensor4D;
  const grid = tf.tensor<tf.Rank>(c.grid, c.gridShape) as tf.Tensor4D;
  const dy = tf.tensor(c.dy, [...c.gridShape.slice(0, -1), c.inputShape.at(-1)!]);
  const out = stn.gridSample(input, grid, options);
  const [dInput, dGrid] = tf.grads((x: tf.Tensor, g: tf.Tensor) => stn.gridSample(x as tf.Tensor4D, g as tf.Tensor4D, options))([input, grid], dy);
  const result: Sampled = [Array.from(await out.data()), Array.from(await dInput!.data()), Array.from(await dGrid!.data())];
  tf.dispose([input, grid, dy, out, dInput!, dGrid!]);
  return result;
}

async function seq<T, R>(items: T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await f(item));
  return out;
}

function memoryCounts(): MemoryCounts {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return { numTensors: m.numTensors, numBytes: m.numBytes, numBytesInGPU: m.numBytesInGPU ?? -1 };
}

/**
 * One training-like step per mode: affineGrid then gridSample, forward and the gradients of theta
 * and the image. (tfjs-core alone has no gradients of its own ops, so dy is given.)
 */
function step(theta: tf.Tensor3D, image: tf.Tensor4D): tf.Tensor[] {
  return tf.tidy(() => (['bilinear', 'nearest', 'bicubic'] as const).flatMap((mode) => {
    const dy = tf.onesLike(image);
    const f = (t: tf.Tensor, x: tf.Tensor) =>
      stn.gridSample(x as tf.Tensor4D, stn.affineGrid(t as tf.Tensor3D, [2, 5, 6, 3]), { mode, paddingMode: 'reflection' });
    return tf.grads(f)([theta, image], dy);
  }));
}

/** step() on a volume: theta [2,3,4], volume [2,3,4,5,2]. */
function volumeStep(theta: tf.Tensor3D, volume: tf.Tensor5D): tf.Tensor[] {
  return tf.tidy(() => (['bilinear', 'nearest', 'bicubic'] as const).flatMap((mode) => {
    const dy = tf.onesLike(volume);
    const f = (t: tf.Tensor, x: tf.Tensor) =>
      stn.gridSample(x as tf.Tensor5D, stn.affineGrid(t as tf.Tensor3D, [2, 3, 4, 5, 2]), { mode, paddingMode: 'border' });
    return tf.grads(f)([theta, volume], dy);
  }));
}

const page: WebGLPage = {
  async info() {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return null;
    await useBackend('webgl');
    const backendGl = (tf.backend() as WebGLBackendLike).gpgpu.gl;
    const debug = backendGl.getExtension('WEBGL_debug_renderer_info');
    return { renderer: String(backendGl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : backendGl.RENDERER)), floatBlend: backendGl.getExtension('EXT_float_blend') !== null };
  },

  async samples(backend, cases, shapeUniforms = false) {
    await useBackend(backend);
    const flag = tf.env().getBool('WEBGL_USE_SHAPES_UNIFORMS');
    tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', shapeUniforms);
    try {
      return await seq(cases, sampleCase);
    } finally {
      tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', flag);
    }
  },

  async affine(cases) {
    await useBackend('webgl');
    return seq(cases, async (c: PageAffineCase) => {
      // Images (theta [N,2,3]) and volumes ([N,3,4]): the length of size says which.
      const dims = c.size.length - 2;
      const theta = tf.tensor3d(c.theta, [c.size[0], dims, dims + 1]);
      const dGrid = tf.tensor(c.dGrid, [...c.size.slice(0, -1), dims]);
      const size = c.size as [number, number, number, number];
      const grid = stn.affineGrid(theta, size, c.alignCorners);
      const dTheta = tf.grad((t: tf.Tensor) => stn.affineGrid(t as tf.Tensor3D, size, c.alignCorners))(theta, dGrid);
      const result = [Array.from(await grid.data()), Array.from(await dTheta.data())];
      tf.dispose([theta, dGrid, grid, dTheta]);
      return result;
    });
  },

  async readsInsideOps() {
    await useBackend('webgl');
    const b = tf.backend();
    const theta = tf.tensor3d([[[0.9, 0.1, 0.05], [-0.1, 1.1, 0]], [[1, 0, 0], [0, 1, 0]]]);
    const image = tf.randomUniform([2, 5, 6, 3]) as tf.Tensor4D;
    await image.data();
    let reads = 0;
    const readSync = b.readSync.bind(b);
    const read = b.read.bind(b);
    b.readSync = (id) => (reads++, readSync(id));
    b.read = (id) => (reads++, read(id));
    const sync = ['dataSync', 'arraySync'] as const;
    const saved = sync.map((name) => tf.Tensor.prototype[name]);
    for (const name of sync) {
      tf.Tensor.prototype[name] = () => {
        throw new Error(`${name}() called inside the ops`);
      };
    }
    let results: tf.Tensor[];
    let weights: tf.Variable;
    try {
      results = [...step(theta, image), ...tf.tidy(() => {
        const grid = tf.slice(stn.affineGrid(tf.concat([theta, theta]), [4, 5, 6, 3]), [1], [2]) as tf.Tensor4D;
        const dy = tf.reshape(tf.matMul(tf.ones([2 * 5 * 6, 4]), tf.ones([4, 3])), [2, 5, 6, 3]);
        return tf.grads((x: tf.Tensor, g: tf.Tensor) => stn.gridSample(x as tf.Tensor4D, g as tf.Tensor4D, { mode: 'bicubic' }))([image, grid], dy as tf.Tensor4D);
      })];
      // A training step of a tiny spatial transformer: theta from a dense layer, an SGD update.
      weights = tf.variable(tf.zeros([5 * 6 * 3, 6]));
      const bias = tf.variable(tf.tensor1d([1, 0, 0, 0, 1, 0]));
      const target = tf.randomUniform([2, 5, 6, 3]);
      const optimizer = tf.train.sgd(0.1);
      for (let i = 0; i < 3; i++) {
        optimizer.minimize(() => {
          const theta = tf.reshape(tf.add(tf.matMul(tf.reshape(image, [2, -1]), weights), bias), [2, 2, 3]) as tf.Tensor3D;
          const warped = stn.gridSample(image, stn.affineGrid(theta, [2, 5, 6, 3]), { mode: 'bicubic', paddingMode: 'border' });
          return tf.mean(tf.square(tf.sub(warped, target))) as tf.Scalar;
        });
      }
      results.push(weights, bias);
      tf.dispose(target);
      optimizer.dispose();
    } finally {
      sync.forEach((name, i) => (tf.Tensor.prototype[name] = saved[i] as never));
    }
    const readsInside = reads;
    await Promise.all(results.map((r) => r.data()));
    const readsOfResults = reads - readsInside;
    const trained = (await weights.data()).some((v) => v !== 0);
    b.readSync = readSync;
    b.read = read;
    tf.dispose([theta, image, ...results]);
    return { reads: readsInside, readsOfResults, trained };
  },

  async generators(backend) {
    await useBackend(backend);
    const size: [number, number, number, number] = [2, 5, 6, 3];
    const h = tf.tensor2d([[1, 0.1, 0, 0, 1, 0, 0.2, 0], [0.9, 0, 0.1, 0, 0.9, 0, 0, 0.3]]);
    const targets = tf.tensor3d(Array.from({ length: 2 * 4 * 2 }, (_, i) => ((i * 37) % 11) / 7 - 0.7), [2, 4, 2]);
    const flow = tf.tensor4d(Array.from({ length: 2 * 5 * 6 * 2 }, (_, i) => Math.sin(i)), [2, 5, 6, 2]);
    const image = tf.tensor4d(Array.from({ length: 2 * 5 * 6 * 3 }, (_, i) => Math.cos(i)), size);
    const dy = tf.tensor4d(Array.from({ length: 2 * 5 * 6 * 3 }, (_, i) => Math.sin(3 * i)), size);
    // Each generator's grid sampled, and the gradient of that with respect to its parameters.
    const warp = (grid: tf.Tensor4D) => stn.gridSample(image, grid, { mode: 'bicubic', paddingMode: 'border' });
    const cases: [tf.Tensor, (p: tf.Tensor) => tf.Tensor4D][] = [
      [h, (p) => warp(stn.projectiveGrid(p as tf.Tensor2D, size))],
      [targets, (p) => warp(stn.tpsGrid(p as tf.Tensor3D, size))],
      [flow, (p) => warp(stn.flowGrid(p as tf.Tensor4D, [5, 6]))],
    ];
    const out: number[][] = [];
    for (const [param, f] of cases) {
      const y = f(param);
      const g = tf.grad(f)(param, dy);
      out.push(Array.from(await y.data()), Array.from(await g.data()));
      tf.dispose([y, g]);
    }
    tf.dispose([h, targets, flow, image, dy]);
    return out;
  },

  async copiedInputs() {
    const run = async (backend: string) => {
      await useBackend(backend);
      const image = tf.tensor4d(Array.from({ length: 2 * 5 * 6 * 3 }, (_, i) => Math.sin(i)), [2, 5, 6, 3]);
      const theta = tf.tensor3d([[[0.9, 0.1, 0.05], [-0.1, 1.1, 0]], [[1.2, 0, 0.3], [0, 0.8, -0.2]]]);
      // A slice shares its source's texture at an offset; a matMul's output is packed.
      const grid = tf.slice(stn.affineGrid(tf.concat([theta, theta]), [4, 5, 6, 3]), [1], [2]) as tf.Tensor4D;
      const dy = tf.reshape(tf.matMul(tf.tensor2d(Array.from({ length: 2 * 5 * 6 * 4 }, (_, i) => Math.cos(i)), [2 * 5 * 6, 4]), tf.ones([4, 3])), [2, 5, 6, 3]) as tf.Tensor4D;
      const texData = (t: tf.Tensor) => (tf.backend() as unknown as { texData?: { get(id: object): { isPacked?: boolean; slice?: object } } }).texData?.get(t.dataId);
      const layout = { gridSliced: !!texData(grid)?.slice, dyPacked: !!texData(dy)?.isPacked };
      const grads = tf.grads((x: tf.Tensor, g: tf.Tensor) => stn.gridSample(x as tf.Tensor4D, g as tf.Tensor4D, { mode: 'bicubic' }))([image, grid], dy);
      const values = await Promise.all(grads.map(async (t) => Array.from(await t.data())));
      tf.dispose([image, theta, grid, dy, ...grads]);
      return { layout, values };
    };
    const webgl = await run('webgl');
    const cpu = await run('cpu');
    return { ...webgl.layout, webgl: webgl.values, cpu: cpu.values };
  },

  async memoryAfterSteps(steps) {
    await useBackend('webgl');
    const theta = tf.tensor3d([[[0.9, 0.1, 0.05], [-0.1, 1.1, 0]], [[1.2, 0, 0.3], [0, 0.8, -0.2]]]);
    const image = tf.randomUniform([2, 5, 6, 3]) as tf.Tensor4D;
    const theta3d = tf.tensor3d([[[0.9, 0.1, 0, 0.05], [-0.1, 1.1, 0.1, 0], [0, -0.1, 1, 0.1]], [[1.2, 0, 0, 0.3], [0, 0.8, 0, -0.2], [0.1, 0, 0.9, 0]]]);
    const volume = tf.randomUniform([2, 3, 4, 5, 2]) as tf.Tensor5D;
    const both = () => [...step(theta, image), ...volumeStep(theta3d, volume)];
    // The first step compiles the shaders and fills tfjs's texture pool: count from after it.
    tf.dispose(both());
    await tf.backend().read(tf.zeros([1]).dataId);
    const start = memoryCounts();
    for (let i = 0; i < steps; i++) {
      const grads = both();
      if (i % 100 === 99) await grads[0]!.data(); // let the GPU catch up now and then
      tf.dispose(grads);
    }
    const end = memoryCounts();
    tf.dispose([theta, image, theta3d, volume]);
    return { before: start, after: end };
  },

  async outputMasks(attrs: GridSampleAttrs, volume = false) {
    await useBackend('webgl');
    const input = tf.randomUniform(volume ? [2, 3, 4, 5, 2] : [2, 4, 5, 3], -1, 1, 'float32', 3);
    const grid = tf.randomUniform(volume ? [2, 2, 3, 3, 3] : [2, 3, 3, 2], -1.2, 1.2, 'float32', 4);
    const dy = tf.randomUniform(volume ? [2, 2, 3, 3, 2] : [2, 3, 3, 3], -1, 1, 'float32', 5);
    const results: Record<string, { shape: number[]; data: number[] }[]> = {};
    for (const mask of [[true, true], [true, false], [false, true], [false, false], null] as const) {
      const maskAttr: tf.NamedAttrMap = mask ? { outputMask: [...mask] } : {};
      const out = tf.engine().runKernel(stn.GridSampleGrad, { dy, input, grid }, { ...attrs, ...maskAttr }) as tf.Tensor[];
      results[mask ? mask.join(',') : 'absent'] = await Promise.all(out.map(async (t) => ({ shape: t.shape, data: Array.from(await t.data()) })));
      tf.dispose(out);
    }
    tf.dispose([input, grid, dy]);
    return results;
  },

  async errorWithoutFloat32() {
    await useBackend('webgl');
    const flag = tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED');
    tf.env().set('WEBGL_RENDER_FLOAT32_ENABLED', false);
    try {
      tf.tidy(() => stn.gridSample(tf.ones([1, 2, 2, 1]), tf.zeros([1, 1, 1, 2])));
      return null;
    } catch (e) {
      return (e as Error).message;
    } finally {
      tf.env().set('WEBGL_RENDER_FLOAT32_ENABLED', flag);
    }
  },

  async replacedKernels() {
    return [...before].filter(([key, f]) => {
      const [backend, name] = key.split('/') as [string, string];
      return tf.getKernel(name, backend)?.kernelFunc !== f;
    }).map(([key]) => key);
  },
};

(window as unknown as { stnWebGL: WebGLPage }).stnWebGL = page;
