import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import type { Mode, PaddingMode } from '../reference/coords.js';

export type { Mode, PaddingMode };

/** Kernel names, registered with tf.registerKernel for 'cpu', 'wasm' and 'webgpu'. */
export const AffineGrid = 'AffineGrid';
export const GridSample = 'GridSample';
export const GridSampleGrad = 'GridSampleGrad';

export interface GridSampleAttrs extends NamedAttrMap {
  mode: Mode;
  paddingMode: PaddingMode;
  alignCorners: boolean;
}

/**
 * GridSampleGrad's attrs: gridSample's, and which gradients to compute, [d(input), d(grid)]
 * (PyTorch's output_mask); absent means both. The kernel always returns [dInput, dGrid]; one not
 * asked for is a float32 tensor of shape [0], and no work is done for it.
 */
export type GridSampleGradAttrs = GridSampleAttrs & { outputMask?: [boolean, boolean] };

/** outputMask with its default: [compute d(input), compute d(grid)]. */
export function gradOutputMask(attrs: GridSampleGradAttrs): [boolean, boolean] {
  return attrs.outputMask ?? [true, true];
}

export interface AffineGridAttrs extends NamedAttrMap {
  /** [N, H, W, C] of the image the grid will sample into. */
  outputSize: [number, number, number, number];
  alignCorners: boolean;
}

export const MODES: readonly Mode[] = ['bilinear', 'nearest', 'bicubic'];
export const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'border', 'reflection'];

/** The integer codes assembly/ and the WGSL use, in the order of MODES and PADDING_MODES. */
export function modeCode(mode: Mode): number {
  return MODES.indexOf(mode);
}
export function paddingCode(padding: PaddingMode): number {
  return PADDING_MODES.indexOf(padding);
}
