/**
 * The AssemblyScript module (assembly/, embedded base64 by scripts/build-wasm.mjs): compiled once,
 * instantiated once per WebAssembly.Memory it runs on (tfjs-wasm's heap, or the cpu backend's own).
 */
import { STN_WASM_BASE64 } from '../../generated/stn_wasm.js';

/** The module's exports; pointers are byte offsets into its memory. */
export interface StnExports {
  gridSample(
    inputPtr: number, N: number, H: number, W: number, C: number,
    gridPtr: number, points: number,
    mode: number, padding: number, alignCorners: boolean,
    isBackward: boolean, outputPtr: number, dyPtr: number, dInputPtr: number, dGridPtr: number,
  ): void;
  /** Blocks of four grid points (points, on the generic path) that gridSample's kernel path `path` took since the last reset. */
  kernelPathCount(path: number, backward: boolean): number;
  resetKernelPathCounts(): void;
  affineGrid(thetaPtr: number, N: number, H: number, W: number, alignCorners: boolean, outputPtr: number): void;
  conv2dBackpropFilter(
    xPtr: number, xImageStride: number, xRowStride: number, Ci: number,
    dyPtr: number, N: number, Ho: number, Wo: number, Co: number,
    Kh: number, Kw: number, sh: number, sw: number, dh: number, dw: number, dWPtr: number,
  ): void;
  placeNHWC(xPtr: number, N: number, H: number, W: number, C: number, dstPtr: number, Hd: number, Wd: number, top: number, left: number): void;
  conv2d(
    xPtr: number, xImageStride: number, xRowStride: number, Ci: number,
    wPtr: number, Kh: number, Kw: number, Co: number,
    N: number, Ho: number, Wo: number, sh: number, sw: number, dh: number, dw: number, outPtr: number,
  ): void;
  transpose2D(srcPtr: number, batch: number, R: number, C: number, dstPtr: number): void;
  batchMatMul(aPtr: number, batchA: number, M: number, K: number, bPtr: number, batchB: number, N: number, batch: number, outPtr: number): void;
  biasAdd(xPtr: number, rows: number, C: number, bPtr: number, outPtr: number): void;
  sumRows(xPtr: number, rows: number, C: number, outPtr: number): void;
  transposeFilter(wPtr: number, Kh: number, Kw: number, Ci: number, Co: number, wholeRows: boolean, outPtr: number): void;
  conv2dBackpropInput(
    dyPtr: number, N: number, Ho: number, Wo: number, Co: number,
    wtPtr: number, Kh: number, Kw: number, Ci: number, wholeRows: boolean,
    sh: number, sw: number, dh: number, dw: number,
    dxPtr: number, dxImageStride: number, dxRowStride: number,
  ): void;
  maxPoolGrad(
    xPtr: number, dyPtr: number, dxPtr: number, N: number, H: number, W: number, C: number, Ho: number, Wo: number,
    effH: number, effW: number, sh: number, sw: number, dh: number, dw: number, top: number, left: number,
  ): void;
}

let compiled: WebAssembly.Module | undefined;
let compiling: Promise<WebAssembly.Module> | undefined;
const instances = new WeakMap<WebAssembly.Memory, StnExports>();

function wasmBytes(): Uint8Array<ArrayBuffer> {
  const binary = atob(STN_WASM_BASE64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Compiles the module asynchronously (browsers refuse large synchronous compiles on the main thread). */
export function compileStnModule(): Promise<WebAssembly.Module> {
  if (compiled) return Promise.resolve(compiled);
  // A failed compile (a page's CSP, say) is not remembered: the next ready() tries again.
  compiling ??= WebAssembly.compile(wasmBytes()).then((m) => (compiled = m), (e: unknown) => {
    compiling = undefined;
    throw e;
  });
  return compiling;
}

function stnModuleSync(): WebAssembly.Module {
  if (!compiled) {
    try {
      compiled = new WebAssembly.Module(wasmBytes());
    } catch (e) {
      throw new Error(`stn-layer: the WebAssembly kernels are not compiled yet; await ready() before the first call (${String(e)})`);
    }
  }
  return compiled;
}

/** The module's exports running on `memory`. */
export function stnExportsFor(memory: WebAssembly.Memory): StnExports {
  let exports = instances.get(memory);
  if (!exports) {
    const instance = new WebAssembly.Instance(stnModuleSync(), { env: { memory } });
    exports = instance.exports as unknown as StnExports;
    instances.set(memory, exports);
  }
  return exports;
}
