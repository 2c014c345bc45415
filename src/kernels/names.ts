import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import type { Mode, PaddingMode } from '../reference/coords.js';

export type { Mode, PaddingMode };

/** Kernel names, registered with tf.registerKernel for 'cpu', 'wasm' and 'webgpu'. */
export const AffineGrid = 'AffineGrid';
export const GridSample = 'GridSample';
export const GridSampleGrad = 'GridSampleGrad';
/**
 * projectiveGrid's forward on cpu and wasm (input h [N, 3, 3]); on other backends the op composes
 * it from AffineGrid. Not part of the public API.
 */
export const ProjectiveGrid = 'ProjectiveGrid';
/** d(h) [N, 3, 3] of projectiveGrid from dy and h on cpu and wasm (attrs: ProjectiveGrid's). Not public. */
export const ProjectiveGridGrad = 'ProjectiveGridGrad';
/**
 * a [batchA, M, K] · b [batchB, K, N] with tfjs's batch broadcasting and no transposes, on the cpu
 * backend, whose own BatchMatMul is a JavaScript loop (tpsGrid uses it). Not part of the public API.
 */
export const StnMatMul = 'StnMatMul';

export interface GridSampleAttrs extends NamedAttrMap {
  mode: Mode;
  paddingMode: PaddingMode;
  alignCorners: boolean;
}

export interface AffineGridAttrs extends NamedAttrMap {
  /** [N, H, W, C] of the image the grid will sample into. */
  outputSize: [number, number, number, number];
  alignCorners: boolean;
}

/** ProjectiveGrid's attrs are AffineGrid's: the output size and where the base points lie. */
export type ProjectiveGridAttrs = AffineGridAttrs;

export const MODES: readonly Mode[] = ['bilinear', 'nearest', 'bicubic'];
export const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'border', 'reflection'];

/** The integer codes assembly/ and the WGSL use, in the order of MODES and PADDING_MODES. */
export function modeCode(mode: Mode): number {
  return MODES.indexOf(mode);
}
export function paddingCode(padding: PaddingMode): number {
  return PADDING_MODES.indexOf(padding);
}
