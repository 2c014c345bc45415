/**
 * The contract every kernel copy shares, in one place: kernel names, their attrs, the modes and
 * padding modes with their integer codes, and the constants of the coordinate math. The
 * AssemblyScript takes them from assembly/contract.ts, which scripts/build-wasm.mjs generates from
 * this file; the WGSL interpolates them; the TypeScript reference imports them; and
 * test/contract.test.ts checks every copy against this module.
 */
import type { NamedAttrMap } from '@tensorflow/tfjs-core';

/** Kernel names, registered with tf.registerKernel for 'cpu', 'wasm', 'webgpu' and 'webgl'. */
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
 * One-channel bilinear gridSample on cpu and wasm that also returns the slopes [N, Ho, Wo, 2]: each
 * sample's derivatives with respect to its pixel coordinates (x, y), from which d(grid) is a
 * product (GridSampleSlopesGrad). The op takes it while tfjs records gradients. Inputs: GridSample's;
 * attrs: GridSampleAttrs (mode 'bilinear'); outputs [output, slopes]. Not part of the public API.
 */
export const GridSampleSlopes = 'GridSampleSlopes';
/**
 * GridSampleGrad from GridSampleSlopes' slopes, on cpu and wasm: inputs dy, grid and slopes (the
 * input is not read: its shape is an attr), outputs [dInput, dGrid] as GridSampleGrad's, with the
 * same bits; d(grid) comes from the slopes, not the taps. Attrs: GridSampleSlopesGradAttrs. Not
 * part of the public API.
 */
export const GridSampleSlopesGrad = 'GridSampleSlopesGrad';
/**
 * a [batchA, M, K] · b [batchB, K, N] with tfjs's batch broadcasting and no transposes, on the cpu
 * backend, whose own BatchMatMul is a JavaScript loop (tpsGrid uses it). Not part of the public API.
 */
export const StnMatMul = 'StnMatMul';

/** Interpolation modes; a mode's integer code in the kernels is its index here. */
export const MODES = ['bilinear', 'nearest', 'bicubic'] as const;
/** Padding modes; a padding mode's integer code in the kernels is its index here. */
export const PADDING_MODES = ['zeros', 'border', 'reflection'] as const;

export type Mode = (typeof MODES)[number];
export type PaddingMode = (typeof PADDING_MODES)[number];

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

/** GridSampleSlopesGrad's attrs: GridSampleGrad's, and the shape of the input sampled ([N, H, W, 1]). */
export type GridSampleSlopesGradAttrs = GridSampleGradAttrs & { inputShape: number[] };

/** outputMask with its default: [compute d(input), compute d(grid)]. */
export function gradOutputMask(attrs: GridSampleGradAttrs): [boolean, boolean] {
  return attrs.outputMask ?? [true, true];
}

export interface AffineGridAttrs extends NamedAttrMap {
  /** [N, H, W, C] (or a volume's [N, D, H, W, C]) of the image the grid will sample into. */
  outputSize: [number, number, number, number] | [number, number, number, number, number];
  alignCorners: boolean;
}

/** ProjectiveGrid's attrs are AffineGrid's for images: the output size and where the base points lie. */
export interface ProjectiveGridAttrs extends NamedAttrMap {
  outputSize: [number, number, number, number];
  alignCorners: boolean;
}

/** The integer code of a mode in the AssemblyScript and WGSL kernels. */
export function modeCode(mode: Mode): number {
  return MODES.indexOf(mode);
}
/** The integer code of a padding mode in the AssemblyScript and WGSL kernels. */
export function paddingCode(padding: PaddingMode): number {
  return PADDING_MODES.indexOf(padding);
}

/** Bicubic convolution constant, as PyTorch (and OpenCV) use. */
export const CUBIC_A = -0.75;
/**
 * Clamp margin, in pixels, for the zeros and border padding modes: a pixel coordinate is clamped
 * to [-SAFE_MARGIN, size - 1 + SAFE_MARGIN], beyond which every tap of every mode is outside or
 * clipped, so ±Infinity and huge values become finite without changing any result.
 */
export const SAFE_MARGIN = 4;
/**
 * Reflection keeps pixel coordinates within about this many pixels (rounded down to a whole number
 * of reflection periods): 2^22, below which every integer and half-integer is exact in float32.
 */
export const REFLECTION_REACH = 4194304;

/**
 * The integer codes and constants the kernel languages declare, by name: MODE_BILINEAR,
 * PADDING_ZEROS, ..., CUBIC_A, SAFE_MARGIN, REFLECTION_REACH. The AssemblyScript (generated
 * assembly/contract.ts) and the WGSL declare exactly these, with these values.
 */
export const KERNEL_CONSTANTS: readonly { name: string; type: 'i32' | 'f32'; value: number }[] = [
  ...MODES.map((m) => ({ name: `MODE_${m.toUpperCase()}`, type: 'i32' as const, value: modeCode(m) })),
  ...PADDING_MODES.map((p) => ({ name: `PADDING_${p.toUpperCase()}`, type: 'i32' as const, value: paddingCode(p) })),
  { name: 'CUBIC_A', type: 'f32', value: CUBIC_A },
  { name: 'SAFE_MARGIN', type: 'f32', value: SAFE_MARGIN },
  { name: 'REFLECTION_REACH', type: 'f32', value: REFLECTION_REACH },
];

/** The languages the kernels are written in, each declaring KERNEL_CONSTANTS its own way. */
export type KernelLanguage = 'assemblyscript' | 'wgsl' | 'glsl';

/**
 * KERNEL_CONSTANTS as one declaration per line in `language`: `export const NAME: i32 = 0;`
 * (AssemblyScript), `const NAME: i32 = 0;` (WGSL), `const int NAME = 0;` (GLSL). Floats keep a
 * decimal point, which WGSL and GLSL need to read them as floats.
 */
export function kernelConstantDeclarations(language: KernelLanguage): string {
  return KERNEL_CONSTANTS.map(({ name, type, value }) => {
    const literal = type === 'f32' && Number.isInteger(value) ? value.toFixed(1) : String(value);
    if (language === 'glsl') return `const ${type === 'f32' ? 'float' : 'int'} ${name} = ${literal};\n`;
    return `${language === 'assemblyscript' ? 'export ' : ''}const ${name}: ${type} = ${literal};\n`;
  }).join('');
}
