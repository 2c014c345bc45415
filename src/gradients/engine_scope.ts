/**
 * The one place that touches tfjs-core's engine internals: its stack of tidy scopes, whether it is
 * recording gradients, and its runKernelFunc. Checked against @tensorflow/tfjs-core 4.22, where
 * tape.ts runs each input's gradient thunk inside a tidy of its own, nested in the backward pass's
 * tidy, and endScope disposes what a scope tracks unless it is kept or returned.
 */
import { type GradSaveFunc, type NamedTensorMap, type Tensor, engine } from '@tensorflow/tfjs-core';

interface ScopeInternals {
  track: Tensor[];
  id: number;
}

/**
 * Moves `t` from the current tidy scope to the one around it, so that it outlives the current
 * scope and is disposed with the enclosing one (unless returned from it). Returns false, moving
 * nothing, where there is no enclosing scope or the engine is not laid out as expected.
 */
export function trackInEnclosingScope(t: Tensor): boolean {
  const stack = (engine().state as unknown as { scopeStack?: ScopeInternals[] }).scopeStack;
  if (!Array.isArray(stack) || stack.length < 2) return false;
  const inner = stack[stack.length - 1]!;
  const outer = stack[stack.length - 2]!;
  const at = inner.track.indexOf(t);
  if (at < 0 || !Array.isArray(outer.track)) return false;
  inner.track.splice(at, 1);
  outer.track.push(t);
  (t as unknown as { scopeId: number }).scopeId = outer.id;
  return true;
}

interface EngineInternals {
  isTapeOn?: () => boolean;
  runKernelFunc?: (params: {
    forwardFunc: (backend: unknown, save: GradSaveFunc) => Tensor;
    backwardsFunc: (dy: Tensor, saved: Tensor[]) => Record<string, () => Tensor>;
    inputs: NamedTensorMap;
  }) => Tensor;
}

/**
 * Whether the engine is recording gradients here (inside tf.grad, tf.variableGrads, an optimizer's
 * minimize, and not inside a kernel); false where the engine is not laid out as expected.
 */
export function recordingGradients(): boolean {
  const e = engine() as unknown as EngineInternals;
  return typeof e.isTapeOn === 'function' && typeof e.runKernelFunc === 'function' && e.isTapeOn();
}

/**
 * Runs `forward` as one node of the gradient tape, as tf.customGrad does, but with a gradient thunk
 * per input (named as in `inputs`), which tfjs calls only for the inputs that lead to what is
 * differentiated (tf.customGrad computes every input's gradient). `forward` saves what the
 * backward needs with `save`; the thunks get it back, in order, as `saved`. Call only where
 * recordingGradients() is true.
 */
export function runWithGradient(
  inputs: NamedTensorMap, forward: (save: GradSaveFunc) => Tensor,
  backward: (dy: Tensor, saved: Tensor[]) => Record<string, () => Tensor>,
): Tensor {
  const e = engine() as unknown as Required<EngineInternals>;
  return e.runKernelFunc({ forwardFunc: (_backend, save) => forward(save), backwardsFunc: backward, inputs });
}
