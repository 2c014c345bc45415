/**
 * The base grid the grid generators transform: the output's pixel centres (alignCorners false) or
 * corner pixels (true) in normalised coordinates, as PyTorch's affine_grid builds it.
 */

/** The base grid coordinates along one side: PyTorch's linspace_from_neg_one. */
export function linspaceFromNegOne(steps: number, alignCorners: boolean): Float64Array {
  const out = new Float64Array(steps);
  if (steps <= 1) return out;
  for (let i = 0; i < steps; i++) {
    const v = -1 + (2 * i) / (steps - 1);
    out[i] = alignCorners ? v : (v * (steps - 1)) / steps;
  }
  return out;
}
