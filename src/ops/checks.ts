/** Argument checks shared by the ops: each error names the op, the argument, expected and received. */
import { Tensor, type TensorLike, tensor } from '@tensorflow/tfjs-core';

export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value instanceof Tensor) return `a ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
  return String(value);
}

/** A float32 tensor from a Tensor or TensorLike; int and bool tensors are refused, not cast. */
export function toFloat32Tensor(value: unknown, op: string, arg: string): Tensor {
  if (value instanceof Tensor) {
    if (value.dtype !== 'float32') {
      throw new TypeError(`${op}: '${arg}' must be a float32 tensor; received ${describe(value)} (cast it with tf.cast(x, 'float32'))`);
    }
    return value;
  }
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') {
    throw new TypeError(`${op}: '${arg}' must be a float32 Tensor or nested array of numbers; received ${describe(value)}`);
  }
  try {
    return tensor(value as TensorLike, undefined, 'float32');
  } catch (e) {
    throw new TypeError(`${op}: '${arg}' must be a float32 Tensor or nested array of numbers; ${(e as Error).message}`);
  }
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
