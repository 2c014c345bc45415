/** What test/webgl.test.ts passes to its page (test/browser_webgl/page.ts) and gets back. */
import type { GridSampleAttrs } from '../../src/kernels/names.js';
import type { PageAffineCase, PageSampleCase } from '../browser/protocol.js';

export type { PageAffineCase, PageSampleCase };

/** [output, dInput, dGrid] of one sample case. */
export type Sampled = [number[], number[], number[]];

export interface MemoryCounts {
  numTensors: number;
  numBytes: number;
  numBytesInGPU: number;
}

export interface WebGLPage {
  /** null when the page has no WebGL2 context (then nothing else may be called). */
  info(): Promise<{ renderer: string; floatBlend: boolean } | null>;
  /**
   * Each case forward and both gradients on `backend`; with tfjs's WEBGL_USE_SHAPES_UNIFORMS set
   * to `shapeUniforms` (default false, tfjs's default) meanwhile.
   */
  samples(backend: 'webgl' | 'cpu', cases: PageSampleCase[], shapeUniforms?: boolean): Promise<Sampled[]>;
  /** [grid, dTheta] of each case on webgl. */
  affine(cases: PageAffineCase[]): Promise<number[][][]>;
  /**
   * readSync / read calls on the webgl backend while the ops and their gradients run, and three
   * SGD steps of a tiny spatial transformer (no data() in between).
   */
  readsInsideOps(): Promise<{ reads: number; readsOfResults: number; trained: boolean }>;
  /** projectiveGrid, tpsGrid, flowGrid each sampled, and d(params): [out, dParams] per generator. */
  generators(backend: 'webgl' | 'cpu'): Promise<number[][]>;
  /** d(input), d(grid) from a sliced grid and a packed dy (which the scatter copies first) on webgl and cpu. */
  copiedInputs(): Promise<{ gridSliced: boolean; dyPacked: boolean; webgl: number[][]; cpu: number[][] }>;
  /** tf.memory() before and after `steps` forward+backward steps (all three modes, affineGrid too). */
  memoryAfterSteps(steps: number): Promise<{ before: MemoryCounts; after: MemoryCounts }>;
  /**
   * GridSampleGrad's [dInput, dGrid] with each outputMask ('true,false', ...) and without one
   * ('absent'): input [2,4,5,3], grid [2,3,3,2]; a volume: [2,3,4,5,2], [2,2,3,3,3].
   */
  outputMasks(attrs: GridSampleAttrs, volume?: boolean): Promise<Record<string, { shape: number[]; data: number[] }[]>>;
  /** The message gridSample throws when tfjs reports no float32 render targets, or null. */
  errorWithoutFloat32(): Promise<string | null>;
  /** Kernels each backend had before stn-layer and still has the same function for, by name. */
  replacedKernels(): Promise<string[]>;
}
