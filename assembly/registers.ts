// The module globals of gridSample ("registers"), all in this one block. Each is a hidden argument
// or an extra return value, kept where it measured faster than the alternative. They serve:
// - the current call's and point's state, set once per call or point and read deep inside the
//   inlined tap loops (passed along as arguments, they spilled out of machine registers);
// - the extra results of functions that compute several vectors at once (AssemblyScript has no
//   multi-value return). The bilinear tap geometry (grid_bilinear.ts) is not among them: its
//   small inlined functions' return values measured faster everywhere (bilinearFewChannelsBlock
//   5-10%; the pairs loop 14% one channel, 13% three, where registers had measured faster before
//   its coordinate math lost a branch; four or more channels the same within noise);
// - paths.ts's per-path counters (instrumentation for the tests, one add per block).
// In V8 a mutable global is a load or store in the instance: the cost of a spill, without one.

// The current point's rows, set once per point.
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
export let accDIz: f32 = 0; // volumes (grid_sample_3d.ts): the depth axis' d(pixel coordinate)

// coords.ts's axes' constants, set once per call by setAxis(): x (width), y (height), z (depth).
export let axisScaleX: v128 = f32x4.splat(0), axisScaleY: v128 = f32x4.splat(0), axisScaleZ: v128 = f32x4.splat(0);
export let axisLowX: v128 = f32x4.splat(0), axisLowY: v128 = f32x4.splat(0), axisLowZ: v128 = f32x4.splat(0);
export let axisHighX: v128 = f32x4.splat(0), axisHighY: v128 = f32x4.splat(0), axisHighZ: v128 = f32x4.splat(0);
export let axisLastX: v128 = f32x4.splat(0), axisLastY: v128 = f32x4.splat(0), axisLastZ: v128 = f32x4.splat(0);
export let axisTwiceSpanX: v128 = f32x4.splat(0), axisTwiceSpanY: v128 = f32x4.splat(0), axisTwiceSpanZ: v128 = f32x4.splat(0);
export let axisSpanX: v128 = f32x4.splat(0), axisSpanY: v128 = f32x4.splat(0), axisSpanZ: v128 = f32x4.splat(0);
export let axisPinnedX: bool = false, axisPinnedY: bool = false, axisPinnedZ: bool = false;
export let axisFlatX: bool = false, axisFlatY: bool = false, axisFlatZ: bool = false;

// grid_nearest.ts's nearestRows leaves which of its block's taps are inside here.
export let nearestInside: v128 = f32x4.splat(0);

// grid_sample_3d.ts's loadPairs leaves the east taps here.
export let pairEast: v128 = f32x4.splat(0);


// paths.ts's counters: blocks (points, on the generic path) per path, forward (f) and backward (b).
export let f0: u32 = 0, f1: u32 = 0, f2: u32 = 0, f3: u32 = 0, f4: u32 = 0, f5: u32 = 0, f6: u32 = 0, f7: u32 = 0;
export let f8: u32 = 0, f9: u32 = 0, f10: u32 = 0, f11: u32 = 0, f12: u32 = 0, f13: u32 = 0, f14: u32 = 0, f15: u32 = 0, f16: u32 = 0, f17: u32 = 0, f18: u32 = 0;
export let b0: u32 = 0, b1: u32 = 0, b2: u32 = 0, b3: u32 = 0, b4: u32 = 0, b5: u32 = 0, b6: u32 = 0, b7: u32 = 0;
export let b8: u32 = 0, b9: u32 = 0, b10: u32 = 0, b11: u32 = 0, b12: u32 = 0, b13: u32 = 0, b14: u32 = 0, b15: u32 = 0, b16: u32 = 0, b17: u32 = 0, b18: u32 = 0;
