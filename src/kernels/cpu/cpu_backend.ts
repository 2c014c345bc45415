/**
 * The cpu backend's side of the AssemblyScript kernels: the module runs in a memory of its own;
 * place() copies the inputs in (readSync gives the cpu backend's own typed array), and finish()
 * copies the outputs out into new tensors. The memory grows to the largest call and is then reused.
 * With useThreads(), that memory is the worker pool's shared one, and run() splits over its
 * threads; given the tasks' spans, it copies each task's inputs in just before the task is ready
 * (the first goes to a worker at once) and each task's finished outputs out as soon as it is done,
 * so that the calling thread's copies (no worker can read the cpu backend's plain ArrayBuffers)
 * overlap the workers' work.
 */
import { type KernelBackend, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { type KernelHeap, type Span, type TaskSpans, runSerially } from '../shared/heap.js';
import { type StnExports, stnExportsFor } from '../shared/stn_module.js';
import { type TaskHooks, type ThreadPool, activePool } from '../threads/active.js';

interface BackendCpuInternals extends KernelBackend {
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

const PAGE = 65536;
const ALIGN = 16;
let ownMemory: WebAssembly.Memory | undefined;

/** Grows the memory the cpu kernels run on (the pool's shared one while threads are on, else their own). */
function ensureBytes(pool: ThreadPool | undefined, bytes: number): WebAssembly.Memory {
  const memory = pool?.memory ?? (ownMemory ??= new WebAssembly.Memory({ initial: 1 }));
  const missing = bytes - memory.buffer.byteLength;
  if (missing > 0) {
    try {
      memory.grow(Math.ceil(missing / PAGE));
    } catch {
      throw new RangeError(`stn-layer: this call needs ${bytes} bytes of WebAssembly memory for its operands; the cpu kernels can address at most 4 GiB`);
    }
  }
  return memory;
}

/** The module the cpu kernels run (undefined before the first call): tests read its kernel path counters. */
export function cpuStnExports(): StnExports | undefined {
  return activePool()?.stn ?? (ownMemory && stnExportsFor(ownMemory));
}

/** Bytes of the cpu kernels' WebAssembly memory (0 before the first call): tests check it stops growing. */
export function cpuStnMemoryBytes(): number {
  return (activePool()?.memory ?? ownMemory)?.buffer.byteLength ?? 0;
}

/**
 * A float32 array for the caller to overwrite whole. In Node, memory not zeroed first
 * (Buffer.allocUnsafeSlow: an ArrayBuffer of its own, exactly this size): zeroing an 8 MB output
 * before the copy over it took as long as the copy (measured on a 2-core VM).
 */
function floatsToOverwrite(length: number): Float32Array {
  const nodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow?(bytes: number): Uint8Array } }).Buffer;
  if (typeof nodeBuffer?.allocUnsafeSlow !== 'function') return new Float32Array(length);
  const bytes = nodeBuffer.allocUnsafeSlow(length * 4);
  return new Float32Array(bytes.buffer, bytes.byteOffset, length);
}

/**
 * The inputs the last call left in the memory: none of its outputs or scratch overlaps them, so
 * they are still there for the next call. A backward that places the forward's input and grid at
 * the same offsets (the kernels allocate in the same order) need not copy them again: tfjs
 * tensors are immutable. Matched by the tensor's data, its dataId (shared by reshapes and clones;
 * data moved between backends keeps it, and its values), not by readSync's array: tf.tensor(array)
 * keeps the caller's array uncopied, so an app that refills one staging array for every batch
 * hands the same array to each batch's new tensor. The dataIds are held strongly (one call's
 * few: the backend's data is in a WeakMap, freed by dispose all the same): a WeakRef keeps its
 * target alive until the current job ends, every input array of a synchronous training loop.
 * The memory is held weakly: one that useThreads(1) let go of may be gigabytes.
 */
interface Resident { memory: WeakRef<WebAssembly.Memory>; inputs: { dataId: object; offset: number }[] }
let resident: Resident | undefined;

/** Forgets what the last call left in the memory: for whoever writes into it other than a call (tests). */
export function forgetResidentInputs(): void {
  resident = undefined;
}

/** An input and how many of its floats are in place. */
interface Input { dataId: object; data: Float32Array; offset: number; copied: number }
/** An output and, once copied out (run() copies it task by task), its values and how many of them are written. */
interface Output { shape: number[]; offset: number; length: number; values?: Float32Array; written: number }

/** The non-empty operand a span names (an empty one shares its offset with the next). */
function named<T extends { offset: number }>(operands: readonly T[], offset: number, size: (o: T) => number): T {
  const found = operands.find((o) => o.offset === offset && size(o) > 0);
  if (!found) throw new Error(`stn-layer: internal error: a task's span names no operand at byte ${offset}`);
  return found;
}

export function cpuHeap(backend: object): KernelHeap {
  const b = backend as BackendCpuInternals;
  const inputs: Input[] = [];
  const outputs: Output[] = [];
  let top = ALIGN; // 0 stays unused: the module reads pointer 0 as "none"
  const reserve = (length: number) => {
    const offset = top;
    top += Math.ceil((length * 4) / ALIGN) * ALIGN;
    return offset;
  };
  let placedIn: WebAssembly.Memory | undefined;
  // The pool when the call starts: useThreads() between two calls changes the next call's memory.
  const pool = activePool();
  // What the last call to write the memory left, for this one to match: taken when this one first
  // writes (a call made between this heap's creation and then would have left its own), and
  // cleared until this one ends well.
  let previous: Resident | undefined;
  // Every offset is known by the first place() or run(), so one grow serves the whole call.
  const grow = () => {
    const memory = ensureBytes(pool, top);
    if (placedIn === undefined) {
      previous = resident;
      resident = undefined;
    }
    placedIn = memory;
  };
  const inPlace = (input: Input) => previous !== undefined && previous.memory.deref() === placedIn
    && previous.inputs.some((r) => r.offset === input.offset && r.dataId === input.dataId);
  const heapFloats = () => new Float32Array(placedIn!.buffer);
  const copyIn = (input: Input, start = 0, end = input.data.length) => {
    if (!inPlace(input)) heapFloats().set(input.data.subarray(start, end), input.offset / 4 + start);
    input.copied += end - start;
  };
  const copyOut = (out: Output, start = 0, end = out.length) => {
    (out.values ??= floatsToOverwrite(out.length)).set(heapFloats().subarray(out.offset / 4 + start, out.offset / 4 + end), start);
    out.written += end - start;
  };
  const place = () => {
    grow();
    for (const input of inputs) if (input.copied === 0) copyIn(input);
    return pool?.stn ?? stnExportsFor(placedIn!);
  };
  const nonEmpty = (spans: readonly Span[]) => spans.filter(([, start, end]) => end > start);
  /** The hooks that copy a task's reads in before it starts and its finished writes out after it ends. */
  const copiesAround = (spans: readonly TaskSpans[]): TaskHooks => ({
    before: (task) => {
      for (const [offset, start, end] of nonEmpty(spans[task]!.reads)) {
        const input = named(inputs, offset, (i) => i.data.length);
        // In place already (a place() before this run): not again.
        if (input.copied < input.data.length) copyIn(input, start, end);
      }
    },
    after: (task) => {
      for (const [offset, start, end] of nonEmpty(spans[task]!.writes)) copyOut(named(outputs, offset, (o) => o.length), start, end);
    },
  });
  return {
    threads: pool?.threads ?? 1,
    copies: true,
    scratch: reserve,
    input: (t) => {
      const data = b.readSync(t.dataId) as Float32Array;
      const offset = reserve(data.length);
      inputs.push({ dataId: t.dataId, data, offset, copied: 0 });
      return offset;
    },
    output: (shape) => {
      const length = util.sizeFromShape(shape);
      const offset = reserve(length);
      outputs.push({ shape, offset, length, written: 0 });
      return offset;
    },
    place,
    run: (name, tasks, spans, threads) => {
      if (!pool || !spans) {
        const stn = place();
        if (pool) pool.run(name, tasks, undefined, undefined, threads);
        else runSerially(stn, name, tasks);
        return;
      }
      if (spans.length !== tasks.length) throw new Error(`stn-layer: internal error: ${spans.length} tasks' spans for ${tasks.length} tasks`);
      grow();
      // The inputs that no task names (read whole by every task) and those an earlier place() left: in place before any starts.
      const read = new Set(spans.flatMap((s) => nonEmpty(s.reads).map(([offset]) => offset)));
      for (const input of inputs) if (input.copied === 0 && !read.has(input.offset)) copyIn(input);
      pool.run(name, tasks, placedIn, copiesAround(spans), threads);
    },
    finish: () => {
      for (const out of outputs) if (placedIn && out.written === 0) copyOut(out);
      // A part never copied in or out would be another call's data or uninitialized memory.
      if (placedIn && (inputs.some((i) => i.copied !== i.data.length) || outputs.some((o) => o.written !== o.length))) {
        throw new Error('stn-layer: internal error: a task\'s spans do not cover its operands');
      }
      if (placedIn) resident = { memory: new WeakRef(placedIn), inputs: inputs.map((i) => ({ dataId: i.dataId, offset: i.offset })) };
      return outputs.map((out) => b.makeTensorInfo(out.shape, 'float32', out.values ?? new Float32Array(out.length)));
    },
  };
}
