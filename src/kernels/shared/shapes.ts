/** Whether a tensor of `shape` has no elements (a kernel then skips its work). */
export const isEmpty = (shape: readonly number[]): boolean => shape.includes(0);

/** Backends without volume kernels (webgl) refuse a rank-5 call clearly rather than misread it. */
export function refuseVolumes(spatialAxes: number, op: string, backend: string): void {
  if (spatialAxes !== 2) {
    throw new RangeError(`${op}: volumes (${spatialAxes} spatial axes) have no ${backend} kernel yet; use the wasm, cpu or webgpu backend for them`);
  }
}
