/**
 * The one place that touches tfjs-backend-wasm internals: its heap (a WebAssembly.Memory that the
 * AssemblyScript module imports, so kernels read and write tensors in place) and its tensor
 * offsets. Checked against @tensorflow/tfjs-backend-wasm 4.22.
 */
import { type KernelBackend, type TensorInfo, engine, util } from '@tensorflow/tfjs-core';
import { type KernelHeap, runSerially } from '../shared/heap.js';
import { activePool } from '../threads/active.js';
import { type StnExports, stnExportsFor } from '../shared/stn_module.js';

interface BackendWasmInternals extends KernelBackend {
  // The heap: exported by the single-threaded build (asm.memory); the threaded build (a
  // cross-origin-isolated page) creates it shared, imports it, and keeps it as wasmMemory.
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

function internals(backend: object): BackendWasmInternals {
  const b = backend as BackendWasmInternals;
  if (!(heapOf(b) instanceof WebAssembly.Memory) || typeof b.makeOutput !== 'function') {
    throw new Error('stn-layer: this tfjs-backend-wasm does not expose its heap as 4.22 does');
  }
  return b;
}

function heapOf(b: BackendWasmInternals): WebAssembly.Memory {
  return (b.wasm?.asm?.memory ?? b.wasm?.wasmMemory)!;
}

export function wasmMemory(backend: object): WebAssembly.Memory {
  return heapOf(internals(backend));
}

/**
 * The started wasm backend's heap where it is shared (tfjs-wasm's threaded build, in a
 * cross-origin-isolated page), for useThreads(): undefined if the backend has not started (it is
 * not started here) or its heap is not shared.
 */
export function sharedWasmHeap(): WebAssembly.Memory | undefined {
  const backend = engine().registry.wasm as BackendWasmInternals | undefined;
  const heap = backend && heapOf(backend);
  return heap instanceof WebAssembly.Memory && typeof SharedArrayBuffer !== 'undefined' && heap.buffer instanceof SharedArrayBuffer ? heap : undefined;
}

/** Byte offset of a tensor's data on the tfjs-wasm heap. */
export function wasmOffset(backend: object, t: TensorInfo): number {
  const data = internals(backend).dataIdMap.get(t.dataId);
  if (!data) throw new Error('stn-layer: tensor is not on the wasm backend');
  return data.memoryOffset;
}

/**
 * tfjs-wasm's heap as a KernelHeap. Every operand is in place as soon as input() or output()
 * returns it, so the wasm-only kernels use `stn` at any time; place() is the same module.
 */
export interface WasmHeap extends KernelHeap {
  readonly stn: StnExports;
}

export function wasmHeap(backend: object): WasmHeap {
  const b = internals(backend);
  const outputs: TensorInfo[] = [];
  const scratch: TensorInfo[] = [];
  const heap = heapOf(b);
  const stn = stnExportsFor(heap);
  const allocate = (shape: number[], into: TensorInfo[]) => {
    const info = b.makeOutput(shape, 'float32');
    into.push(info);
    const offset = wasmOffset(b, info);
    const bytes = util.sizeFromShape(shape) * 4;
    // tfjs-wasm's malloc returns 0 when the heap cannot grow: never write there.
    if (bytes > 0 && (offset === 0 || offset + bytes > heap.buffer.byteLength)) {
      // The engine never sees this call's outputs: free them here, or they leak.
      for (const o of [...outputs, ...scratch]) b.disposeData(o.dataId, true);
      throw new RangeError(`stn-layer: an output of shape [${shape.join(', ')}] (${bytes} bytes) does not fit in the wasm backend's memory (at most 4 GiB in all)`);
    }
    return offset;
  };
  // useThreads()'s pool, where it runs on this heap (tfjs-wasm's threaded build; in Node the heap is not shared).
  const pool = activePool();
  const split = pool?.serves(heap) ? pool : undefined;
  return {
    stn,
    place: () => stn,
    threads: split?.threads ?? 1,
    copies: false,
    run: (name, tasks, _spans, threads) => (split ? split.run(name, tasks, heap, undefined, threads) : runSerially(stn, name, tasks)),
    input: (t) => wasmOffset(b, t),
    output: (shape) => allocate(shape, outputs),
    scratch: (length) => allocate([length], scratch),
    finish: () => {
      for (const s of scratch.splice(0)) b.disposeData(s.dataId, true);
      return outputs;
    },
  };
}
