// The module globals of gridSample, all in this one block. A wasm global is not memory: it stays
// in a register or a local across inlined code. They serve two purposes: the current call's and
// point's state (set once per call or point, read deep inside the inlined tap loops, where
// passing them along as arguments spilled them out of registers), and the extra results of
// functions that compute several vectors at once (AssemblyScript has no multi-value return).
// The current point's rows, set once per point (wasm globals, not memory).
export let inBase: usize = 0; // input image of this batch item
export let outRow: usize = 0; // forward: output pixel
export let dyRow: usize = 0; // backward: incoming gradient of the output pixel
export let dInBase: usize = 0; // backward: dInput image of this batch item
export let channels: i32 = 0;
export let backward: bool = false;
/** Backward: which gradients the call asks for (PyTorch's output_mask); the other is not computed. */
export let wantDInput: bool = false;
export let wantDGrid: bool = false;
/** Forward: whether taps add into the output (bicubic's four row groups) or store it (one group). */
export let accumulate: bool = false;
export let accDIx: f32 = 0;
export let accDIy: f32 = 0;

// transposeRows / transposeLow leave their other results here (wasm globals, not memory).
export let transposed0: v128 = f32x4.splat(0);
export let transposed1: v128 = f32x4.splat(0);
export let transposed2: v128 = f32x4.splat(0);
export let transposedLow1: v128 = f32x4.splat(0);

// bilinearSetup leaves four grid points' bilinear geometry here, one point per lane.
export let tapE: v128 = f32x4.splat(0); // distance from the west pixel
export let tapS: v128 = f32x4.splat(0); // distance from the north pixel
export let tapOE: v128 = f32x4.splat(0); // 1 - tapE
export let tapOS: v128 = f32x4.splat(0); // 1 - tapS
export let tapPixelNW: v128 = i32x4.splat(0); // pixel index (y * W + x) of the north-west tap
export let tapMaskNW: v128 = i32x4.splat(0); // masks of the taps nw, ne, sw, se inside the image (and the point valid)
export let tapMaskNE: v128 = i32x4.splat(0);
export let tapMaskSW: v128 = i32x4.splat(0);
export let tapMaskSE: v128 = i32x4.splat(0);

// loadPairs leaves the east taps here (a wasm global, not memory).
export let pairEast: v128 = f32x4.splat(0);
