/** Argument checks shared by the ops: each error names the op, the argument, expected and received. */
import { Tensor, type TensorLike, engine, getKernel, tensor } from '@tensorflow/tfjs-core';
import { servedBackends } from '../kernels/fallback/register_fallback.js';

/** "a float32", "an int32": the article as the word is read aloud. */
const withArticle = (word: string) => `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;

export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value instanceof Tensor) return `${withArticle(value.dtype)} tensor of shape [${value.shape.join(', ')}]`;
  return String(value);
}

/**
 * Where a nested array stops being rectangular, or undefined. tfjs infers a nested array's shape
 * from its first elements (outside DEBUG mode) and would silently misread a ragged one.
 */
function raggedAt(value: unknown, shape: readonly number[], depth = 0): number[] | undefined {
  const isArray = Array.isArray(value) || ArrayBuffer.isView(value);
  if (depth === shape.length) return isArray ? [] : undefined;
  const items = value as ArrayLike<unknown>;
  if (!isArray || items.length !== shape[depth]) return [];
  for (let i = 0; i < items.length; i++) {
    const at = raggedAt(items[i], shape, depth + 1);
    if (at) return [i, ...at];
  }
  return undefined;
}

/** A float32 tensor from a Tensor or TensorLike; int and bool tensors are refused, not cast. */
export function toFloat32Tensor(value: unknown, op: string, arg: string): Tensor {
  if (value instanceof Tensor) {
    if (value.isDisposed) throw new TypeError(`${op}: '${arg}' must be a live tensor; received a disposed tensor`);
    // No cast advice for strings: tf.cast refuses them, and text is not what the op samples.
    if (value.dtype === 'string') {
      throw new TypeError(`${op}: '${arg}' must be a float32 tensor of numbers; received ${describe(value)}, which holds text`);
    }
    if (value.dtype !== 'float32') {
      throw new TypeError(`${op}: '${arg}' must be a float32 tensor; received ${describe(value)} (cast it with tf.cast(x, 'float32'))`);
    }
    return value;
  }
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') {
    throw new TypeError(`${op}: '${arg}' must be a float32 Tensor or nested array of numbers; received ${describe(value)}`);
  }
  let t: Tensor;
  try {
    t = tensor(value as TensorLike, undefined, 'float32');
  } catch (e) {
    throw new TypeError(`${op}: '${arg}' must be a float32 Tensor or nested array of numbers; ${(e as Error).message}`);
  }
  const ragged = Array.isArray(value) ? raggedAt(value, t.shape) : undefined;
  if (ragged) {
    throw new RangeError(`${op}: '${arg}' must be a rectangular nested array; received one whose shape differs from [${t.shape.join(', ')}] at [${ragged.join(', ')}]`);
  }
  return t;
}

export function checkShape(t: Tensor, op: string, arg: string, expected: string, ok: boolean): void {
  if (!ok) throw new RangeError(`${op}: '${arg}' must have shape ${expected}; received shape [${t.shape.join(', ')}]`);
}

export function checkOneOf<T extends string>(value: unknown, allowed: readonly T[], op: string, arg: string): T {
  if (!allowed.includes(value as T)) {
    throw new RangeError(`${op}: '${arg}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; received ${describe(value)}`);
  }
  return value as T;
}

export function checkBoolean(value: unknown, op: string, arg: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${op}: '${arg}' must be a boolean; received ${describe(value)}`);
  return value;
}

const warnedChannelsFirst = new Set<string>();

/**
 * Warns once per op and argument when a shape [N, H, W, C] (an outputSize, or an input tensor's
 * shape) reads as PyTorch's channels-first [N, C, H, W] of a square image with 1 to 4 channels:
 * 1 <= H <= 4 and H < W = C (e.g. [1, 1, 28, 28], [8, 3, 64, 64]). Such a shape is still valid (a
 * strip at most 4 pixels high with as many channels as columns), so it is used as given, never
 * refused; shapes where C differs from W, or H >= W, never warn. 4-D shapes only (a volume's
 * [N, D, H, W, C] has its own ambiguities).
 */
export function warnIfChannelsFirst(shape: readonly number[], op: string, arg: string, kind: 'size' | 'tensor'): void {
  const [n, h, w, c] = shape as [number, number, number, number];
  const key = `${op}:${arg}`;
  if (shape.length !== 4 || !(h >= 1 && h <= 4 && h < w && w === c) || warnedChannelsFirst.has(key)) return;
  warnedChannelsFirst.add(key);
  const what = kind === 'size' ? `'${arg}' [${shape.join(', ')}]` : `'${arg}' of shape [${shape.join(', ')}]`;
  const remedy = kind === 'size' ? `pass [${n}, ${w}, ${c}, ${h}] instead` : `transpose it first: tf.transpose(${arg}, [0, 2, 3, 1])`;
  console.warn(`${op}: ${what} is read channels-last, [N, H, W, C]: ${n} image(s) of ${h}x${w} pixels with ${c} channels. ` +
    `If it is PyTorch's [N, C, H, W], ${remedy}. (Shown once.)`);
}

/**
 * That the current backend has `kernelName`: otherwise an Error naming the backend, the backends
 * stn-layer serves, and what to do (tfjs's own "not registered" error says none of that).
 */
export function checkBackendServed(op: string, kernelName: string): void {
  const e = engine();
  void e.backend; // starts the best registered backend when none is chosen yet, as running a kernel would
  const name = e.backendName;
  if (getKernel(kernelName, name)) return;
  throw new Error(`${op}: stn-layer has no kernels for the '${name}' backend; it serves ${servedBackends().map((b) => `'${b}'`).join(', ')}. ` +
    `Call useFallbackKernels('${name}') (exported by stn-layer) to run its WebAssembly kernels there, reading operands back ` +
    'synchronously (slow), or switch backends with tf.setBackend(\'wasm\') (or \'cpu\')');
}
