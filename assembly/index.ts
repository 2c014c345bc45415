// The one WebAssembly module of stn-layer (built with --enable simd --importMemory --runtime stub).
export { addStripe, gridSample } from './grid_sample';
export { affineGrid } from './affine_grid';
export { gridSample3d } from './grid_sample_3d';
export { affineGrid3d } from './affine_grid_3d';
export { conv2dBackpropFilter, placeNHWC } from './conv2d_backprop_filter';
export { conv2dBackpropInput, transposeFilter } from './conv2d_backprop_input';
export { maxPoolGrad } from './max_pool_grad';
export { conv2d } from './conv2d';
export { batchMatMul, transpose2D } from './batch_mat_mul';
export { biasAdd, sumRows } from './bias';
export { projectiveGrid, projectiveGridGrad } from './projective_grid';
export { kernelPathCount, resetKernelPathCounts } from './paths';
