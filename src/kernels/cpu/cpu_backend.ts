/**
 * The cpu backend's side of the AssemblyScript kernels: the module runs in a memory of its own;
 * place() copies the inputs in (readSync gives the cpu backend's own typed array), and finish()
 * copies the outputs out into new tensors. The memory grows to the largest call and is then reused.
 * With useThreads(), that memory is the worker pool's shared one, and run() splits over its
 * threads; given the tasks' spans, it copies each worker's inputs in just before posting its task
 * and each task's finished outputs out as soon as it is done, so that the calling thread's copies
 * (no worker can read the cpu backend's plain ArrayBuffers) overlap the workers' work.
 */
import { type KernelBackend, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { type KernelHeap, type TaskSpans, runSerially } from '../shared/heap.js';
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
  const nodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(bytes: number): Uint8Array } }).Buffer;
  if (!nodeBuffer) return new Float32Array(length);
  const bytes = nodeBuffer.allocUnsafeSlow(length * 4);
  return new Float32Array(bytes.buffer, bytes.byteOffset, length);
}

export function cpuHeap(backend: object): KernelHeap {
  const b = backend as BackendCpuInternals;
  const pending: { data: Float32Array; offset: number }[] = []; // inputs not yet copied in
  // values: where run() copied the output out, task by task (written: how many floats).
  const outputs: { shape: number[]; offset: number; length: number; values?: Float32Array; written: number }[] = [];
  let top = ALIGN; // 0 stays unused: the module reads pointer 0 as "none"
  const reserve = (length: number) => {
    const offset = top;
    top += Math.ceil((length * 4) / ALIGN) * ALIGN;
    return offset;
  };
  let placedIn: WebAssembly.Memory | undefined;
  // The pool when the call starts: useThreads() between two calls changes the next call's memory.
  const pool = activePool();
  // Every offset is known by the first place() or run(), so one grow serves the whole call.
  const grow = () => (placedIn = ensureBytes(pool, top));
  const copyIn = ({ data, offset }: { data: Float32Array; offset: number }, start = 0, end = data.length) => {
    new Float32Array(placedIn!.buffer).set(data.subarray(start, end), offset / 4 + start);
  };
  const place = () => {
    grow();
    for (const input of pending.splice(0)) copyIn(input);
    return pool?.stn ?? stnExportsFor(placedIn!);
  };
  /** The hooks that copy a task's reads in before it starts and its finished writes out after it ends. */
  const copiesAround = (spans: readonly TaskSpans[]): TaskHooks => ({
    before: (task) => {
      for (const [offset, start, end] of spans[task]!.reads) {
        const input = pending.find((p) => p.offset === offset && p.data.length > 0);
        if (input) copyIn(input, start, end);
      }
    },
    after: (task) => {
      const heap = new Float32Array(placedIn!.buffer);
      for (const [offset, start, end] of spans[task]!.writes) {
        const out = outputs.find((o) => o.offset === offset && o.length > 0)!;
        (out.values ??= floatsToOverwrite(out.length)).set(heap.subarray(offset / 4 + start, offset / 4 + end), start);
        out.written += end - start;
      }
    },
  });
  return {
    threads: pool?.threads ?? 1,
    scratch: reserve,
    input: (t) => {
      const data = b.readSync(t.dataId) as Float32Array;
      const offset = reserve(data.length);
      pending.push({ data, offset });
      return offset;
    },
    output: (shape) => {
      const length = util.sizeFromShape(shape);
      const offset = reserve(length);
      outputs.push({ shape, offset, length, written: 0 });
      return offset;
    },
    place,
    run: (name, tasks, spans) => {
      if (!pool || !spans) {
        const stn = place();
        if (pool) pool.run(name, tasks);
        else runSerially(stn, name, tasks);
        return;
      }
      // The inputs no task names are read whole by every task: in place before any starts.
      grow();
      const named = new Set(spans.flatMap((s) => s.reads.map(([offset]) => offset)));
      for (const input of pending) if (!named.has(input.offset)) copyIn(input);
      pool.run(name, tasks, placedIn, copiesAround(spans));
      pending.length = 0;
    },
    finish: () => {
      const heap = placedIn ? new Float32Array(placedIn.buffer) : undefined;
      const copyOut = (offset: number, length: number) => {
        const values = floatsToOverwrite(length);
        values.set(heap!.subarray(offset / 4, offset / 4 + length));
        return values;
      };
      return outputs.map(({ shape, offset, length, values, written }) => {
        // A part never copied out would be uninitialized memory: a kernel's spans must cover its outputs.
        if (values && written !== length) throw new Error(`stn-layer: internal error: ${written} of an output's ${length} floats copied out`);
        return b.makeTensorInfo(shape, 'float32', values ?? (heap ? copyOut(offset, length) : new Float32Array(length)));
      });
    },
  };
}
