/**
 * The taps of one grid point of a volume, in WGSL: sample_wgsl.ts's steps with a z axis, as
 * assembly/grid_sample_3d.ts and the reference's sampleTaps take them. A tap is an input voxel,
 * pixel = (z * H + y) * W + x (or -1 outside the input), with its weight w and dw/dx, dw/dy, dw/dz.
 * Tap t of trilinear has the offsets x = t & 1, y = (t >> 1) & 1, z = t >> 2; of tricubic,
 * x = t % 4, y = (t / 4) % 4, z = t / 16 (each tap padded per axis, as bicubic's).
 */
export const SAMPLE_3D_WGSL = /* wgsl */ `
struct Tap {
  pixel: i32,
  weight: f32,
  dWeightDx: f32,
  dWeightDy: f32,
  dWeightDz: f32,
}

fn tapIfInside(x: i32, y: i32, z: i32, W: i32, H: i32, D: i32, w: f32, dwdx: f32, dwdy: f32, dwdz: f32) -> Tap {
  if (x >= 0 && x < W && y >= 0 && y < H && z >= 0 && z < D) { return Tap((z * H + y) * W + x, w, dwdx, dwdy, dwdz); }
  return Tap(-1, 0.0, 0.0, 0.0, 0.0);
}

fn sampleNearest(ix: f32, iy: f32, iz: f32, W: i32, H: i32, D: i32) -> Tap {
  // WGSL's round() rounds half to even, as in 2-D.
  return tapIfInside(i32(round(ix)), i32(round(iy)), i32(round(iz)), W, H, D, 1.0, 0.0, 0.0, 0.0);
}

// One axis of a linear tap: weight (1 - t) and derivative -1 at offset 0, t and 1 at offset 1.
fn linearWeight(t: f32, offset: i32) -> vec2<f32> {
  return select(vec2<f32>(1.0 - t, -1.0), vec2<f32>(t, 1.0), offset == 1);
}

fn sampleTrilinear(ix: f32, iy: f32, iz: f32, W: i32, H: i32, D: i32, t: i32) -> Tap {
  let fx = floor(ix);
  let fy = floor(iy);
  let fz = floor(iz);
  let ox = t & 1;
  let oy = (t >> 1) & 1;
  let oz = t >> 2;
  let wx = linearWeight(ix - fx, ox);
  let wy = linearWeight(iy - fy, oy);
  let wz = linearWeight(iz - fz, oz);
  return tapIfInside(i32(fx) + ox, i32(fy) + oy, i32(fz) + oz, W, H, D,
    wx.x * wy.x * wz.x, wx.y * wy.x * wz.x, wx.x * wy.y * wz.x, wx.x * wy.x * wz.y);
}

fn sampleTricubic(ix: f32, iy: f32, iz: f32, W: i32, H: i32, D: i32, padding: i32, alignCorners: bool, t: i32) -> Tap {
  let fx = floor(ix);
  let fy = floor(iy);
  let fz = floor(iz);
  let cx = cubicWeights(ix - fx);
  let cy = cubicWeights(iy - fy);
  let cz = cubicWeights(iz - fz);
  let gx = cubicWeightsWithGrad(ix - fx);
  let gy = cubicWeightsWithGrad(iy - fy);
  let gz = cubicWeightsWithGrad(iz - fz);
  let i = t / 16;
  let j = (t / 4) % 4;
  let k = t % 4;
  // Tricubic pads every tap per axis, as bicubic does; padded positions are integers.
  let z = i32(computeCoordinates(fz + f32(i - 1), D, padding, alignCorners));
  let y = i32(computeCoordinates(fy + f32(j - 1), H, padding, alignCorners));
  let x = i32(computeCoordinates(fx + f32(k - 1), W, padding, alignCorners));
  return tapIfInside(x, y, z, W, H, D, cz[i] * cy[j] * cx[k], cz[i] * cy[j] * gx[k], cz[i] * gy[j] * cx[k], gz[i] * cy[j] * cx[k]);
}

// A grid point in voxel coordinates, with d(voxel)/d(grid) per axis; valid is false for NaN.
struct SourcePoint {
  ix: f32,
  iy: f32,
  iz: f32,
  gxMult: f32,
  gyMult: f32,
  gzMult: f32,
  valid: bool,
}

fn sourcePoint(gxIn: f32, gyIn: f32, gzIn: f32, W: i32, H: i32, D: i32) -> SourcePoint {
  if (isnan(gxIn) || isnan(gyIn) || isnan(gzIn)) { return SourcePoint(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, false); }
  let padBeforeTaps = SAMPLE_MODE != MODE_BICUBIC;
  // As in 2-D: ±Infinity and values beyond ±1e30 sample as ±1e30 do, every step finite.
  let x = computeSourceIndexWithGrad(clamp(gxIn, -1e30, 1e30), W, PADDING, ALIGN_CORNERS, padBeforeTaps);
  let y = computeSourceIndexWithGrad(clamp(gyIn, -1e30, 1e30), H, PADDING, ALIGN_CORNERS, padBeforeTaps);
  let z = computeSourceIndexWithGrad(clamp(gzIn, -1e30, 1e30), D, PADDING, ALIGN_CORNERS, padBeforeTaps);
  return SourcePoint(x.value, y.value, z.value, x.grad, y.grad, z.grad, true);
}

fn sampleTap(p: SourcePoint, W: i32, H: i32, D: i32, t: i32) -> Tap {
  if (SAMPLE_MODE == MODE_NEAREST) { return sampleNearest(p.ix, p.iy, p.iz, W, H, D); }
  if (SAMPLE_MODE == MODE_BILINEAR) { return sampleTrilinear(p.ix, p.iy, p.iz, W, H, D, t); }
  return sampleTricubic(p.ix, p.iy, p.iz, W, H, D, PADDING, ALIGN_CORNERS, t);
}
`;
