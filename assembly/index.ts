// The one WebAssembly module of stn-layer (built with --enable simd --importMemory --runtime stub).
export { gridSample } from './grid_sample';
export { affineGrid } from './affine_grid';
export { conv2dBackpropFilter, padNHWC } from './conv2d_backprop_filter';
