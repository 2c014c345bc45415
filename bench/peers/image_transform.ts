/**
 * tf.image.transform as a peer: the 8-parameter projective transform that reproduces the affine
 * warp affineGrid(theta) + gridSample makes with alignCorners=false.
 *
 * tf.image.transform maps output pixel (x, y) to input point ((a0 x + a1 y + a2) / k,
 * (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1, in pixel units with pixel centres at integers.
 * affineGrid + gridSample (alignCorners=false) map output pixel (x, y) of an Ho x Wo output to
 *   xn = (2x + 1) / Wo - 1,  yn = (2y + 1) / Ho - 1                  (normalised output point)
 *   gx = t00 xn + t01 yn + t02,  gy = t10 xn + t11 yn + t12          (theta)
 *   ix = ((gx + 1) W - 1) / 2,   iy = ((gy + 1) H - 1) / 2            (input pixel, W x H input)
 * which is affine in (x, y): c0 = c1 = 0, and the rest follows by expanding.
 */

/** theta [N*6] -> transforms [N*8] for an H x W input and an Ho x Wo output. */
export function thetaToImageTransform(
  theta: ArrayLike<number>, [H, W]: readonly [number, number], [Ho, Wo]: readonly [number, number],
): Float32Array {
  const n = theta.length / 6;
  const out = new Float32Array(n * 8);
  for (let b = 0; b < n; b++) {
    const [t00, t01, t02, t10, t11, t12] = Array.from({ length: 6 }, (_, k) => theta[b * 6 + k]!) as
      [number, number, number, number, number, number];
    // x-independent part of the normalised output point: xn = (2/Wo) x + (1/Wo - 1).
    const xn0 = 1 / Wo - 1;
    const yn0 = 1 / Ho - 1;
    out.set([
      (t00 * W) / Wo, (t01 * W) / Ho, (W / 2) * (t00 * xn0 + t01 * yn0 + t02 + 1) - 0.5,
      (t10 * H) / Wo, (t11 * H) / Ho, (H / 2) * (t10 * xn0 + t11 * yn0 + t12 + 1) - 0.5,
      0, 0,
    ], b * 8);
  }
  return out;
}

/**
 * homographies h [N*9] (row-major 3x3, projectiveGrid's normalised map, alignCorners=false) ->
 * transforms [N*8] for an H x W input and an Ho x Wo output: the pixel-space map is
 * A_in · h · A_out, where A_out takes output pixel (x, y, 1) to the normalised point
 * ((2x + 1)/Wo - 1, (2y + 1)/Ho - 1, 1) and A_in takes a normalised grid point (gx, gy, 1) to the
 * input pixel ((gx + 1) W/2 - 1/2, (gy + 1) H/2 - 1/2, 1); divided by its last entry, so that k's
 * constant is 1.
 */
export function homographyToImageTransform(
  h: ArrayLike<number>, [H, W]: readonly [number, number], [Ho, Wo]: readonly [number, number],
): Float32Array {
  const n = h.length / 9;
  const out = new Float32Array(n * 8);
  const aIn = [[W / 2, 0, (W - 1) / 2], [0, H / 2, (H - 1) / 2], [0, 0, 1]];
  const aOut = [[2 / Wo, 0, 1 / Wo - 1], [0, 2 / Ho, 1 / Ho - 1], [0, 0, 1]];
  const mul = (a: number[][], b: number[][]) => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
  for (let b = 0; b < n; b++) {
    const hb = [0, 1, 2].map((i) => [0, 1, 2].map((j) => h[b * 9 + i * 3 + j]!));
    const m = mul(mul(aIn, hb), aOut).flat();
    out.set(m.slice(0, 8).map((v) => v / m[8]!), b * 8);
  }
  return out;
}
