/**
 * The one place that touches tfjs-core's engine internals: its stack of tidy scopes. Checked
 * against @tensorflow/tfjs-core 4.22, where tape.ts runs each input's gradient thunk inside a tidy
 * of its own, nested in the backward pass's tidy, and endScope disposes what a scope tracks
 * unless it is kept or returned.
 */
import { type Tensor, engine } from '@tensorflow/tfjs-core';

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
