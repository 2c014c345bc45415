#!/usr/bin/env python3
"""Separable cubic grid sampling in torch ops (float64, differentiable by autograd), for images
and volumes: the reference for stn-layer's tricubic gridSample, which PyTorch 1.13 lacks
(F.grid_sample refuses mode='bicubic' on 5-D input).

The rule is PyTorch's 2-D bicubic, written per axis so that it extends to any number of axes:
for each axis, the pixel coordinate i = unnormalize(g) (no padding applied to it), the four taps
floor(i) - 1 .. floor(i) + 2 with the cubic convolution weights of t = i - floor(i) (A = -0.75),
and each tap's integer position padded by the padding mode (PyTorch's get_value_bounded: zeros
leaves it and reads 0 outside, border clips, reflection reflects then clips). A tap's weight is
the product of its axes' weights. Gradients come from autograd through the weights (t) and the
gathered values.

`python3 scripts/tricubic.py` checks that the 2-D case reproduces F.grid_sample(mode='bicubic')
(output, d(input), d(grid)) for every padding mode and both alignCorners, and exits non-zero if
not; make_fixtures.py runs the same check before it writes the tricubic fixtures.
"""

import sys

import numpy as np
import torch
import torch.nn.functional as F

A = -0.75


def unnormalize(g, size, ac):
    return (g + 1) / 2 * (size - 1) if ac else ((g + 1) * size - 1) / 2


def reflect(x, size, ac):
    """PyTorch's reflect_coordinates on a float tensor (no gradient needed: integer taps)."""
    if ac:
        lo, span = 0.0, 2.0 * (size - 1)
    else:
        lo, span = -0.5, 2.0 * size
    if span <= 0:
        return torch.zeros_like(x)
    span_half = span / 2
    x = (x - lo).abs()
    extra = torch.fmod(x, span_half)
    flips = torch.floor(x / span_half)
    return torch.where(flips % 2 == 0, extra + lo, span_half - extra + lo)


def pad_tap(pos, size, padding, ac):
    """A tap's integer position under the padding mode (compute_coordinates)."""
    if padding == "border":
        return pos.clamp(0, size - 1)
    if padding == "reflection":
        return reflect(pos, size, ac).clamp(0, size - 1)
    return pos


def cubic_weights(t):
    def c1(x):
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]


def cubic_grid_sample(x, grid, padding, ac):
    """x [N, *spatial, C] channels-last, grid [N, *out, d] (x, y[, z]) -> [N, *out, C]."""
    N = x.shape[0]
    spatial = list(x.shape[1:-1])          # outer first: (H, W) or (D, H, W)
    d = len(spatial)
    C = x.shape[-1]
    out_shape = grid.shape[1:-1]
    g = grid.reshape(N, -1, d)
    flat = x.reshape(N, -1, C)
    sizes = list(reversed(spatial))       # x first
    per_axis = []                          # (positions [N, P, 4] long, inside mask, weights list)
    for axis in range(d):
        i = unnormalize(g[..., axis], sizes[axis], ac)
        f = torch.floor(i).detach()
        w = cubic_weights(i - f)
        pos = torch.stack([pad_tap(f + k - 1, sizes[axis], padding, ac) for k in range(4)], -1)
        pos = torch.trunc(pos)
        inside = (pos >= 0) & (pos <= sizes[axis] - 1)
        per_axis.append((pos.long(), inside, w))
    out = torch.zeros(N, g.shape[1], C, dtype=x.dtype)
    strides = [int(np.prod(sizes[:a])) for a in range(d)]   # x stride 1, y stride W, z stride W*H
    for taps in np.ndindex(*([4] * d)):
        index = torch.zeros(N, g.shape[1], dtype=torch.long)
        inside = torch.ones(N, g.shape[1], dtype=torch.bool)
        weight = 1
        for axis, k in enumerate(taps):
            pos, ins, w = per_axis[axis]
            index = index + pos[..., k].clamp(0, sizes[axis] - 1) * strides[axis]
            inside = inside & ins[..., k]
            weight = weight * w[k]
        values = torch.gather(flat, 1, index[..., None].expand(N, g.shape[1], C))
        out = out + torch.where(inside[..., None], values * weight[..., None], torch.zeros((), dtype=x.dtype))
    return out.reshape(N, *out_shape, C)


def check_bicubic_2d(verbose=True):
    """The 2-D case against F.grid_sample(mode='bicubic'): returns the largest difference."""
    worst = 0.0
    rng = np.random.default_rng(20261203)
    for padding in ("zeros", "border", "reflection"):
        for ac in (False, True):
            for shape, gshape, r in (((2, 5, 7, 3), (2, 4, 6, 2), 1.3), ((1, 1, 4, 2), (1, 3, 3, 2), 2.5),
                                     ((1, 6, 1, 1), (1, 2, 5, 2), 1.1)):
                x64 = rng.standard_normal(shape)
                g64 = rng.uniform(-r, r, gshape)
                dy64 = rng.standard_normal(gshape[:3] + (shape[3],))
                res = []
                for impl in ("torch", "ours"):
                    x = torch.tensor(x64, requires_grad=True)
                    g = torch.tensor(g64, requires_grad=True)
                    if impl == "torch":
                        out = F.grid_sample(x.permute(0, 3, 1, 2), g, mode="bicubic", padding_mode=padding,
                                            align_corners=ac).permute(0, 2, 3, 1)
                    else:
                        out = cubic_grid_sample(x, g, padding, ac)
                    dx, dg = torch.autograd.grad(out, (x, g), grad_outputs=torch.tensor(dy64))
                    res.append((out.detach().numpy(), dx.numpy(), dg.numpy()))
                diff = max(float(np.max(np.abs(a - b))) for a, b in zip(*res))
                worst = max(worst, diff)
                if verbose:
                    print("bicubic 2-D %-10s alignCorners=%-5s %s: max |ours - torch| = %.3g" % (padding, ac, shape, diff))
    return worst


if __name__ == "__main__":
    torch.set_num_threads(1)
    w = check_bicubic_2d()
    print("largest difference: %.3g" % w)
    sys.exit(0 if w < 1e-12 else 1)
