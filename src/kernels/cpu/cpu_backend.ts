/**
 * The cpu backend's side of the AssemblyScript kernels: the module runs in a memory of its own;
 * place() copies the inputs in (readSync gives the cpu backend's own typed array), and finish()
 * copies the outputs out into new tensors. The memory grows to the largest call and is then reused.
 * With useThreads(), that memory is the worker pool's shared one, and run() splits over its threads.
 */
import { type KernelBackend, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { type KernelHeap, runSerially } from '../shared/heap.js';
import { type StnExports, stnExportsFor } from '../shared/stn_module.js';
import { type ThreadPool, activePool } from '../threads/active.js';

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

export function cpuHeap(backend: object): KernelHeap {
  const b = backend as BackendCpuInternals;
  const pending: { data: Float32Array; offset: number }[] = [];
  const outputs: { shape: number[]; offset: number; length: number }[] = [];
  let top = ALIGN; // 0 stays unused: the module reads pointer 0 as "none"
  const reserve = (length: number) => {
    const offset = top;
    top += Math.ceil((length * 4) / ALIGN) * ALIGN;
    return offset;
  };
  let placedIn: WebAssembly.Memory | undefined;
  // The pool when the call starts: useThreads() between two calls changes the next call's memory.
  const pool = activePool();
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
      outputs.push({ shape, offset, length });
      return offset;
    },
    place: () => {
      // Every offset is known by now, so one grow serves the whole call.
      placedIn = ensureBytes(pool, top);
      const heap = new Float32Array(placedIn.buffer);
      for (const { data, offset } of pending.splice(0)) heap.set(data, offset / 4);
      return pool?.stn ?? stnExportsFor(placedIn);
    },
    run: (name, tasks) => {
      if (!placedIn) throw new Error('stn-layer: run() before place()');
      if (pool) pool.run(name, tasks);
      else runSerially(stnExportsFor(placedIn), name, tasks);
    },
    finish: () => {
      const heap = placedIn ? new Float32Array(placedIn.buffer) : undefined;
      return outputs.map(({ shape, offset, length }) =>
        b.makeTensorInfo(shape, 'float32', heap ? heap.slice(offset / 4, offset / 4 + length) : new Float32Array(length)));
    },
  };
}
