/**
 * stn-layer: Spatial Transformer Networks for TensorFlow.js. PyTorch's F.affine_grid and
 * F.grid_sample as differentiable tfjs ops, channels-last, for images and volumes (the rank of the
 * arguments says which), with kernels for the cpu and wasm backends (AssemblyScript, WebAssembly
 * SIMD), for webgpu (WGSL) and for webgl (GLSL), and the
 * WebAssembly kernels as a slow fallback for any other backend (tfjs-node's 'tensorflow' on
 * import, others through useFallbackKernels); and the grid generators of the STN paper's other
 * transforms (projectiveGrid, tpsGrid, flowGrid), whose gradients come with them.
 *
 * Importing the package registers the ops' gradients and these kernels (and tfjs-backend-wasm's
 * missing Conv2DBackpropFilter); it imports no backend (a kernel receives its backend object when
 * it runs) and replaces none of a backend's existing kernels. The faster wasm training kernels are
 * opt-in: useWasmTrainingKernels().
 */
import { registerGradient } from '@tensorflow/tfjs-core';
import { affineGridGradConfig } from './gradients/affine_grid_grad.js';
import { gridSampleGradConfig } from './gradients/grid_sample_grad.js';
import { registerCpuKernels } from './kernels/cpu/register_cpu.js';
import { registerTensorflowFallback } from './kernels/fallback/register_fallback.js';
import { compileSharedStnModule, compileStnModule } from './kernels/shared/stn_module.js';
import { registerWasmKernels } from './kernels/wasm/register_wasm.js';
import { registerWebGLKernels } from './kernels/webgl/register_webgl.js';
import { registerWebGPUKernels } from './kernels/webgpu/register_webgpu.js';

export { affineGrid } from './ops/affine_grid.js';
export { gridSample, type GridSampleOptions } from './ops/grid_sample.js';
export { projectiveGrid } from './grids/projective_grid.js';
export { tpsGrid, type TpsGridOptions } from './grids/tps_grid.js';
export { flowGrid } from './grids/flow_grid.js';
export { useFallbackKernels } from './kernels/fallback/register_fallback.js';
export { AffineGrid, GridSample, GridSampleGrad, type Mode, type PaddingMode } from './kernels/names.js';
export { useWasmTrainingKernels } from './kernels/wasm/replacements.js';
export { useThreads } from './kernels/threads/use_threads.js';

registerGradient(gridSampleGradConfig);
registerGradient(affineGridGradConfig);
registerCpuKernels();
registerWasmKernels();
registerWebGPUKernels();
registerWebGLKernels();
registerTensorflowFallback();

/**
 * Resolves when the WebAssembly kernels are compiled. Await it before the first call in a browser;
 * in Node the kernels also work without it. It assumes no backend has started. A cross-origin-
 * isolated page also gets the kernels for a shared memory (tfjs-wasm's threaded build runs on one).
 */
export async function ready(): Promise<void> {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  await Promise.all([compileStnModule(), isolated ? compileSharedStnModule() : undefined]);
}
