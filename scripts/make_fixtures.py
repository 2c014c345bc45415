#!/usr/bin/env python3
"""Generate the PyTorch reference fixtures used by the stn-layer tests.

Run with a Python that has torch installed (e.g. Debian's python3-torch):

    /usr/bin/python3 scripts/make_fixtures.py

Everything is deterministic: each case draws from its own numpy generator
seeded with the CRC32 of the case name, so adding or removing a case does not
change the data of the others.

Output files
------------
test/fixtures/grid_sample.json
    {"generator": str, "cases": [case, ...]}, one case per line, where

    case = {"name", "mode": "bilinear"|"nearest"|"bicubic",
            "paddingMode": "zeros"|"border"|"reflection", "alignCorners": bool,
            "inputShape": [N,H,W,C], "gridShape": [N,Ho,Wo,2],
            "input": flat NHWC, "grid": flat [N,Ho,Wo,2], "dy": flat [N,Ho,Wo,C],
            "output": flat [N,Ho,Wo,C], "dInput": flat NHWC, "dGrid": flat grid}

    output = F.grid_sample(input.permute(0,3,1,2), grid, mode, padding_mode,
                           align_corners).permute(0,2,3,1)
    dInput, dGrid = gradients of sum(output * dy) w.r.t. input and grid.

test/fixtures/affine_grid.json
    {"generator": str, "cases": [{"name", "alignCorners", "theta": flat [N,2,3],
      "size": [N,H,W,C], "grid": flat [N,H,W,2], "dGrid": flat [N,H,W,2],
      "dTheta": flat [N,2,3]}, ...]}

    grid = F.affine_grid(theta, [N,C,H,W], align_corners); dTheta is the
    gradient of sum(grid * dGrid) w.r.t. theta.

test/fixtures/grid_sample_3d.json, test/fixtures/affine_grid_3d.json
    Volumes, in the formats above with one more spatial axis: inputShape
    [N,D,H,W,C], gridShape [N,Do,Ho,Wo,3] (x, y, z), theta flat [N,3,4], size
    [N,D,H,W,C]; output = F.grid_sample(x.permute(0,4,1,2,3), grid, ...)
    .permute(0,2,3,4,1). Trilinear ("bilinear") and nearest are PyTorch's own;
    PyTorch 1.13 has no 5-D bicubic, so the tricubic cases come from
    scripts/tricubic.py (separable cubic sampling in torch float64 ops,
    differentiated by autograd), which is first checked to reproduce
    F.grid_sample's 2-D bicubic (output and both gradients) to 1e-12.

test/fixtures/grids.json
    {"generator": str, "cases": [case, ...]}: the grid generators, each
    implemented here with torch ops from its formula and differentiated by
    autograd, in float64. Every case has "name", "kind", "alignCorners",
    "grid" (flat, channels-last) and "dGrid" (the cotangent, same shape);
    the gradient of sum(grid * dGrid) w.r.t. the parameters is "dParams".

    kind "projective": "h" flat [N,3,3] or [N,8] ("hShape"), "size" [N,H,W,C];
        (u, v, w) = H (x, y, 1) at affine_grid's identity points, grid = (u/w, v/w);
        [N, 8] is H's first eight entries with h33 = 1.
    kind "tps": "targets" flat [N,K,2], "size", "controlPoints" flat [K,2] or
        null (the default sqrt(K) x sqrt(K) lattice, y outer, x inner);
        f(p) = a0 + a1 x + a2 y + sum_k w_k U(|p - p_k|), U(r) = r^2 log r^2,
        (w, a) = torch.linalg.solve([[U(P,P), [1 P]], [[1 P]^T, 0]], [Q; 0]).
    kind "flow": "flow" flat [N,(Do,)Ho,Wo,d] ("flowShape"), "inputSize"
        [(D,)H,W]; grid = identity grid at the flow's size + flow * 2/size
        (alignCorners: 2/(size-1), 0 for a size of 1), per axis x, y(, z).

Precision
---------
Every *input* value (input, grid, dy, theta, dGrid of affine_grid) is drawn in
float32 and written with the shortest decimal that round-trips to the same
float32, so a Float32Array built from the JSON holds exactly the values torch
saw.  References (output, dInput, dGrid, grid, dTheta) are computed by torch in
float64 from those float32 values and written with 9 significant digits.

Float32 filter
--------------
The kernels under test compute in float32.  Near a discontinuity (nearest
rounding, the floor of bilinear, border clipping, reflection folds) a float32
computation can land on the other side than float64 and the output / grid
gradient jumps: that would be a false failure, not a bug.  Therefore each case
is also run through torch in float32 and a grid point is "bad" when, for any
channel, |float32 - float64| > 1e-5 + 1e-5*|float64| in the output or dGrid.
In addition (to protect against float32 implementations whose rounding differs
from torch's), a random grid point is "bad" when its unnormalised source
coordinate (ix or iy, in pixels) lies within 1e-4 px of a multiple of 0.5: all
discontinuities of every mode/padding combination lie on such multiples.
(An axis of size 1 with alignCorners=true maps every point to 0 exactly and is
exempt.)

* random cases: bad points are redrawn from the same distribution until the
  case is clean (for the "stn affine" case the theta of the batch element is
  redrawn instead, so the grid stays affine);
* exact cases ("pixel centres", "nearest ties"): points sit on discontinuities
  on purpose but are exact in float32, so they must pass the float32 check; a
  case that does not is dropped and reported loudly.
"""

import json
import math
import os
import sys
import warnings
import zlib

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tricubic import check_bicubic_2d, cubic_grid_sample  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "test", "fixtures")

MODES = ("bilinear", "nearest", "bicubic")
PADDINGS = ("zeros", "border", "reflection")
ALIGNS = (False, True)

ABS_TOL = 1e-5        # float32 vs float64 check: ABS_TOL + REL_TOL * |float64|
REL_TOL = 1e-5
MARGIN_PX = 1e-4      # random points stay this far (px) from multiples of 0.5
MAX_ROUNDS = 1000

GENERATOR = "scripts/make_fixtures.py (torch %s, numpy %s, float64 reference)" % (
    torch.__version__, np.__version__)


# --------------------------------------------------------------------------
# helpers

def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode("utf-8")))


def normal32(rng, shape):
    return rng.standard_normal(shape, dtype=np.float32)


def uniform32(rng, lo, hi, shape):
    return rng.uniform(lo, hi, shape).astype(np.float32)


def fmt_f32(a):
    """Shortest decimals that read back (via float64) as the same float32."""
    out = []
    for v in np.asarray(a, dtype=np.float32).ravel():
        f = float(repr(v))
        if np.float32(f) != v:             # double-rounding corner case
            f = float(v)                   # exact float64 value of the float32
        out.append(f)
    return out


def fmt_f64(a):
    a = np.asarray(a, dtype=np.float64).ravel()
    if not np.all(np.isfinite(a)):
        raise ValueError("non-finite value in reference")
    return [float("%.9g" % v) for v in a]


def torch_grid_sample(x, grid, dy, mode, padding, ac, dtype):
    """x, dy NHWC numpy; grid numpy. Returns NHWC output, NHWC dInput, dGrid."""
    xl = torch.tensor(x, dtype=dtype, requires_grad=True)
    g = torch.tensor(grid, dtype=dtype, requires_grad=True)
    out = F.grid_sample(xl.permute(0, 3, 1, 2), g, mode=mode,
                        padding_mode=padding, align_corners=ac)
    dyt = torch.tensor(dy, dtype=dtype).permute(0, 3, 1, 2)
    dx, dg = torch.autograd.grad(out, (xl, g), grad_outputs=dyt)
    return (out.detach().permute(0, 2, 3, 1).numpy().astype(np.float64),
            dx.numpy().astype(np.float64), dg.numpy().astype(np.float64))


def exceeds(a32, a64):
    return np.abs(a32 - a64) > ABS_TOL + REL_TOL * np.abs(a64)


def float32_check(x, grid, dy, mode, padding, ac):
    """Returns (float64 results, bad-point mask [N,Ho,Wo], max |dInput diff|)."""
    r64 = torch_grid_sample(x, grid, dy, mode, padding, ac, torch.float64)
    r32 = torch_grid_sample(x, grid, dy, mode, padding, ac, torch.float32)
    bad = exceeds(r32[0], r64[0]).any(-1) | exceeds(r32[2], r64[2]).any(-1)
    bad |= ~np.isfinite(r64[0]).all(-1) | ~np.isfinite(r64[2]).all(-1)
    dx_diff = float(np.max(np.abs(r32[1] - r64[1]), initial=0.0))
    return r64, bad, dx_diff


def unnormalize(coord, size, ac):
    coord = coord.astype(np.float64)
    if ac:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def near_discontinuity(grid, H, W, ac):
    """Mask [N,Ho,Wo]: ix or iy within MARGIN_PX of a multiple of 0.5."""
    def near(c, size):
        if size == 1 and ac:
            return np.zeros(c.shape, dtype=bool)      # always exactly 0
        t = unnormalize(c, size, ac) * 2
        return np.abs(t - np.round(t)) < 2 * MARGIN_PX
    return near(grid[..., 0], W) | near(grid[..., 1], H)


# --------------------------------------------------------------------------
# grid_sample case builders. Each returns a dict with "label", "input",
# "grid", "dy" and either "redraw" (random case: callable(mask) -> None that
# redraws the bad points in place) or "exact": True.

def random_case(label, rng, in_shape, grid_shape, lo, hi):
    x = normal32(rng, in_shape)
    grid = uniform32(rng, lo, hi, grid_shape)
    dy = normal32(rng, tuple(grid_shape[:3]) + (in_shape[3],))

    def redraw(bad):
        grid[bad] = uniform32(rng, lo, hi, (int(bad.sum()), 2))
    return dict(label=label, input=x, grid=grid, dy=dy, redraw=redraw)


def stn_theta(rng):
    s = rng.uniform(0.6, 1.2)
    a = math.radians(rng.uniform(-30, 30))
    tx, ty = rng.uniform(-0.3, 0.3, 2)
    return [[s * math.cos(a), -s * math.sin(a), tx],
            [s * math.sin(a), s * math.cos(a), ty]]


def stn_case(label, rng, ac):
    N, H, W = 2, 12, 12
    x = normal32(rng, (N, H, W, 1))
    dy = normal32(rng, (N, H, W, 1))
    grid = np.zeros((N, H, W, 2), dtype=np.float32)

    def fill(n):
        theta = torch.tensor([stn_theta(rng)], dtype=torch.float64)
        g = F.affine_grid(theta, [1, 1, H, W], align_corners=ac)
        grid[n] = g[0].float().numpy()
    return filled_case(label, x, grid, dy, fill, N)


def filled_case(label, x, grid, dy, fill, N):
    """A case whose grid items fill(n) draws; redraw(bad) draws again the items with a bad point."""
    for n in range(N):
        fill(n)

    def redraw(bad):
        for n in range(N):
            if bad[n].any():
                fill(n)
    return dict(label=label, input=x, grid=grid, dy=dy, redraw=redraw)


def exact_grid(xs, ys):
    xs = np.asarray(sorted(set(xs)), dtype=np.float64)
    ys = np.asarray(sorted(set(ys)), dtype=np.float64)
    g = np.stack(np.meshgrid(xs, ys), axis=-1)[None]     # [1, len(ys), len(xs), 2]
    g32 = g.astype(np.float32)
    assert np.array_equal(g32.astype(np.float64), g), "grid not exact in float32"
    return g32


def centres(size, ac):
    if ac:
        return [2 * k / (size - 1) - 1 for k in range(size)]
    return [(2 * k + 1) / size - 1 for k in range(size)]


def ties(size, ac):
    if ac:
        return [(2 * k + 1) / (size - 1) - 1 for k in range(size - 1)]
    return [2 * k / size - 1 for k in range(size + 1)]


def exact_case(label, rng, in_shape, xs, ys):
    x = normal32(rng, in_shape)
    grid = exact_grid(xs, ys)
    dy = normal32(rng, grid.shape[:3] + (in_shape[3],))
    return dict(label=label, input=x, grid=grid, dy=dy, exact=True)


def shape_cases(prefix, ac):
    """All shape cases for one mode/padding/alignCorners combination."""
    def r(label):
        return rng_for(prefix + label)
    cases = []
    for in_shape in ((1, 1, 1, 1), (2, 1, 1, 3)):
        lbl = "1x1 input %s" % list(in_shape)
        cases.append(random_case(lbl, r(lbl), in_shape, (in_shape[0], 3, 4, 2), -2.0, 2.0))
    lbl = "H!=W odd"
    cases.append(random_case(lbl, r(lbl), (2, 5, 7, 3), (2, 4, 6, 2), -1.1, 1.1))
    for c in (1, 2, 4, 5, 8):
        lbl = "channels C=%d" % c
        cases.append(random_case(lbl, r(lbl), (1, 6, 4, c), (1, 3, 5, 2), -1.2, 1.2))
    lbl = "outside [-2.5,2.5]"
    cases.append(random_case(lbl, r(lbl), (2, 4, 6, 2), (2, 5, 7, 2), -2.5, 2.5))

    sizes = ((5, 9, 3), (9, 5, 2)) if ac else ((4, 8, 3), (8, 4, 2))
    for H, W, C in sizes:
        lbl = "pixel centres and +-1 H=%d W=%d" % (H, W)
        cases.append(exact_case(lbl, r(lbl), (1, H, W, C),
                                centres(W, ac) + [-1.0, 1.0], centres(H, ac) + [-1.0, 1.0]))
    sizes = ((5, 9, 2), (9, 5, 1)) if ac else ((4, 8, 2), (8, 4, 1))
    for H, W, C in sizes:
        lbl = "nearest ties (half-way points and centres) H=%d W=%d" % (H, W)
        cases.append(exact_case(lbl, r(lbl), (1, H, W, C),
                                ties(W, ac) + centres(W, ac), ties(H, ac) + centres(H, ac)))

    lbl = "stn affine"
    cases.append(stn_case(lbl, r(lbl), ac))
    lbl = "batch"
    cases.append(random_case(lbl, r(lbl), (3, 5, 5, 4), (3, 7, 3, 2), -1.3, 1.3))
    return cases


def make_grid_sample_cases():
    out, stats = [], dict(resampled=0, by_f32=0, by_margin=0, redraw_rounds=0,
                          dropped=[], max_dx_diff=0.0, per_combo={})
    for mode in MODES:
        for padding in PADDINGS:
            for ac in ALIGNS:
                prefix = "%s/%s/alignCorners=%s: " % (mode, padding, str(ac).lower())
                combo_resampled = 0
                for c in shape_cases(prefix, ac):
                    name = prefix + c["label"]
                    x, grid, dy = c["input"], c["grid"], c["dy"]
                    N, H, W, _ = x.shape
                    for rounds in range(MAX_ROUNDS):
                        r64, bad, dx_diff = float32_check(x, grid, dy, mode, padding, ac)
                        if c.get("exact"):
                            break
                        near = near_discontinuity(grid, H, W, ac)
                        stats["by_f32"] += int(bad.sum())
                        stats["by_margin"] += int((near & ~bad).sum())
                        bad |= near
                        if not bad.any():
                            break
                        n_bad = int(bad.sum())
                        combo_resampled += n_bad
                        stats["resampled"] += n_bad
                        stats["redraw_rounds"] += 1
                        c["redraw"](bad)
                    else:
                        raise RuntimeError("could not clean case " + name)
                    if c.get("exact") and bad.any():
                        pts = np.argwhere(bad)
                        print("!!!!!! EXACT CASE FAILED float32 check, DROPPED: %s "
                              "(%d bad points, e.g. grid %s)" % (
                                  name, len(pts), grid[tuple(pts[0])].tolist()))
                        stats["dropped"].append(name)
                        continue
                    stats["max_dx_diff"] = max(stats["max_dx_diff"], dx_diff)
                    output, d_input, d_grid = r64
                    out.append({
                        "name": name, "mode": mode, "paddingMode": padding,
                        "alignCorners": ac,
                        "inputShape": list(x.shape), "gridShape": list(grid.shape),
                        "input": fmt_f32(x), "grid": fmt_f32(grid), "dy": fmt_f32(dy),
                        "output": fmt_f64(output), "dInput": fmt_f64(d_input),
                        "dGrid": fmt_f64(d_grid),
                    })
                stats["per_combo"][prefix.rstrip(": ")] = combo_resampled
    return out, stats


# --------------------------------------------------------------------------
# affine_grid

AFFINE_SIZES = ((1, 1, 1, 1), (2, 5, 7, 3), (3, 28, 28, 1), (1, 4, 1, 2), (2, 1, 6, 1))


def make_affine_grid_cases():
    out, max_diff = [], 0.0
    for ac in ALIGNS:
        for size in AFFINE_SIZES:
            N, H, W, C = size
            name = "affine_grid alignCorners=%s size=%s" % (str(ac).lower(), list(size))
            rng = rng_for(name)
            theta = normal32(rng, (N, 2, 3))
            dgrid = normal32(rng, (N, H, W, 2))
            res = {}
            for dtype in (torch.float64, torch.float32):
                th = torch.tensor(theta, dtype=dtype, requires_grad=True)
                g = F.affine_grid(th, [N, C, H, W], align_corners=ac)
                (dth,) = torch.autograd.grad(g, th, grad_outputs=torch.tensor(dgrid, dtype=dtype))
                res[dtype] = (g.detach().numpy().astype(np.float64), dth.numpy().astype(np.float64))
            g64, dth64 = res[torch.float64]
            g32, dth32 = res[torch.float32]
            max_diff = max(max_diff, float(np.max(np.abs(g32 - g64))),
                           float(np.max(np.abs(dth32 - dth64))))
            assert g64.shape == (N, H, W, 2)
            out.append({"name": name, "alignCorners": ac, "theta": fmt_f32(theta),
                        "size": list(size), "grid": fmt_f64(g64), "dGrid": fmt_f32(dgrid),
                        "dTheta": fmt_f64(dth64)})
    return out, max_diff


# --------------------------------------------------------------------------
# grid generators (projectiveGrid, tpsGrid, flowGrid), from their formulas

def identity_points(spatial, ac, dtype=torch.float64):
    """affine_grid's identity grid at spatial size (H, W) or (D, H, W): [*spatial, d]."""
    d = len(spatial)
    theta = torch.zeros(1, d, d + 1, dtype=dtype)
    for i in range(d):
        theta[0, i, i] = 1
    return F.affine_grid(theta, [1, 1] + list(spatial), align_corners=ac)[0]


def torch_projective(h, size, ac):
    N, H, W, _ = size
    h9 = h if h.dim() == 3 else torch.cat([h, torch.ones(N, 1, dtype=h.dtype)], 1).reshape(N, 3, 3)
    p = identity_points((H, W), ac, h.dtype).reshape(H * W, 2)
    ph = torch.cat([p, torch.ones(H * W, 1, dtype=p.dtype)], 1)        # [HW, 3]
    uvw = torch.einsum("pj,nij->npi", ph, h9)                             # [N, HW, 3]
    return (uvw[..., :2] / uvw[..., 2:]).reshape(N, H, W, 2)


def tps_lattice(g):
    ys, xs = torch.meshgrid(torch.linspace(-1, 1, g, dtype=torch.float64),
                            torch.linspace(-1, 1, g, dtype=torch.float64), indexing="ij")
    return torch.stack([xs.reshape(-1), ys.reshape(-1)], 1)


def tps_u(r2):
    return torch.where(r2 == 0, torch.zeros_like(r2), r2 * torch.log(torch.where(r2 == 0, torch.ones_like(r2), r2)))


def torch_tps(q, cp, size, ac):
    N, H, W, _ = size
    K = cp.shape[0]
    dt = q.dtype
    cp = cp.to(dt)
    L = torch.zeros(K + 3, K + 3, dtype=dt)
    L[:K, :K] = tps_u(((cp[:, None, :] - cp[None, :, :]) ** 2).sum(-1))
    P1 = torch.cat([torch.ones(K, 1, dtype=dt), cp], 1)
    L[:K, K:] = P1
    L[K:, :K] = P1.T
    rhs = torch.cat([q, torch.zeros(N, 3, 2, dtype=q.dtype)], 1)          # [N, K+3, 2]
    wa = torch.linalg.solve(L.expand(N, K + 3, K + 3), rhs)               # [N, K+3, 2]
    p = identity_points((H, W), ac, dt).reshape(H * W, 2)
    B = torch.cat([tps_u(((p[:, None, :] - cp[None, :, :]) ** 2).sum(-1)),
                   torch.ones(H * W, 1, dtype=dt), p], 1)      # [HW, K+3]
    return torch.einsum("pk,nkc->npc", B, wa).reshape(N, H, W, 2)


def torch_flow(flow, input_size, ac):
    d = len(input_size)
    spatial = list(flow.shape[1:-1])
    scale = [(2.0 / (s - 1) if s > 1 else 0.0) if ac else 2.0 / s for s in reversed(input_size)]
    return identity_points(spatial, ac, flow.dtype)[None] + flow * torch.tensor(scale, dtype=flow.dtype)


def generator_case(name, kind, ac, params, shape_key, extra, fn):
    """Runs fn(params64) in float64 and float32, returns the case and max |f32 - f64|."""
    rng = rng_for(name + " dGrid")
    res = {}
    for dtype in (torch.float64, torch.float32):
        x = torch.tensor(params, dtype=dtype, requires_grad=True)
        g = fn(x)
        if dtype == torch.float64:
            dgrid = normal32(rng, tuple(g.shape))
        (dx,) = torch.autograd.grad(g, x, grad_outputs=torch.tensor(dgrid, dtype=dtype))
        res[dtype] = (g.detach().numpy().astype(np.float64), dx.numpy().astype(np.float64))
    (g64, d64), (g32, d32) = res[torch.float64], res[torch.float32]
    diff = max(float(np.max(np.abs(g32 - g64), initial=0)), float(np.max(np.abs(d32 - d64), initial=0)))
    case = {"name": name, "kind": kind, "alignCorners": ac, shape_key: list(params.shape)}
    case.update(extra)
    case.update({"params": fmt_f32(params), "grid": fmt_f64(g64), "dGrid": fmt_f32(dgrid), "dParams": fmt_f64(d64)})
    return case, diff


PROJECTIVE_SIZES = ((2, 5, 7, 1), (3, 4, 3, 2), (1, 1, 1, 1), (1, 4, 1, 2), (2, 1, 6, 1))


def projective_h(rng, N, size, ac, eight):
    """Near-identity homographies whose w stays >= 0.3 at every base point."""
    while True:
        h = (np.eye(3)[None] + 0.25 * rng.standard_normal((N, 3, 3))).astype(np.float32)
        if eight:
            h = h / h[:, 2:, 2:]
            h = h.reshape(N, 9)[:, :8].astype(np.float32)
        w = torch_projective(torch.tensor(h, dtype=torch.float64), size, ac)  # finite check below
        h9 = np.concatenate([h, np.ones((N, 1), np.float32)], 1).reshape(N, 3, 3) if eight else h
        p = identity_points(size[1:3], ac).reshape(-1, 2).numpy()
        ws = p[:, 0][None] * h9[:, 2, 0][:, None] + p[:, 1][None] * h9[:, 2, 1][:, None] + h9[:, 2, 2][:, None]
        if np.all(np.abs(ws) >= 0.3) and torch.isfinite(w).all():
            return h


TPS_CASES = (  # (label, N, K, size, custom control points?)
    ("lattice K=4", 2, 4, (2, 5, 7, 1), False),
    ("lattice K=9", 1, 9, (1, 6, 4, 3), False),
    ("lattice K=16", 2, 16, (2, 28, 28, 1), False),
    ("lattice K=16 size-1 axes", 1, 16, (1, 1, 5, 1), False),
    ("custom K=3", 2, 3, (2, 4, 6, 1), True),
    ("custom K=5", 3, 5, (3, 7, 5, 1), True),
    ("custom K=7", 1, 7, (1, 1, 1, 2), True),
)

FLOW_CASES = (  # (label, flow shape, input size)
    ("2-D same size", (2, 5, 7, 2), (5, 7)),
    ("2-D other size", (2, 4, 6, 2), (9, 3)),
    ("2-D size-1 axes", (1, 1, 4, 2), (1, 6)),
    ("3-D same size", (1, 3, 4, 5, 3), (3, 4, 5)),
    ("3-D other size", (2, 2, 3, 2, 3), (4, 1, 6)),
)


def make_generator_cases():
    out, max_diff = [], 0.0
    for ac in ALIGNS:
        acs = str(ac).lower()
        for size in PROJECTIVE_SIZES:
            for eight in (False, True):
                name = "projective alignCorners=%s size=%s h=%s" % (acs, list(size), "[N,8]" if eight else "[N,3,3]")
                h = projective_h(rng_for(name), size[0], size, ac, eight)
                c, d = generator_case(name, "projective", ac, h, "hShape", {"size": list(size)},
                                      lambda x, size=size: torch_projective(x, size, ac))
                out.append(c)
                max_diff = max(max_diff, d)
        for label, N, K, size, custom in TPS_CASES:
            name = "tps alignCorners=%s %s N=%d size=%s" % (acs, label, N, list(size))
            rng = rng_for(name)
            if custom:
                while True:
                    cp = uniform32(rng, -1, 1, (K, 2))
                    # well away from collinear: the smallest triangle area is not tiny
                    a = cp[1:] - cp[0]
                    if abs(np.linalg.det(np.stack([a[0], a[1]]))) > 0.2:
                        break
            else:
                cp = tps_lattice(int(round(math.sqrt(K)))).numpy().astype(np.float32)
            targets = (cp[None] + 0.15 * normal32(rng, (N, K, 2))).astype(np.float32)
            cp64 = torch.tensor(cp, dtype=torch.float64)
            c, d = generator_case(name, "tps", ac, targets, "targetsShape",
                                  {"size": list(size), "controlPoints": fmt_f32(cp) if custom else None},
                                  lambda x, size=size, cp64=cp64: torch_tps(x, cp64, size, ac))
            out.append(c)
            max_diff = max(max_diff, d)
        for label, fshape, isize in FLOW_CASES:
            name = "flow alignCorners=%s %s flow=%s inputSize=%s" % (acs, label, list(fshape), list(isize))
            flow = (2 * normal32(rng_for(name), fshape)).astype(np.float32)
            c, d = generator_case(name, "flow", ac, flow, "flowShape", {"inputSize": list(isize)},
                                  lambda x, isize=isize: torch_flow(x, isize, ac))
            out.append(c)
            max_diff = max(max_diff, d)
    return out, max_diff



# --------------------------------------------------------------------------
# volumes: grid_sample on [N,D,H,W,C] with grids [N,Do,Ho,Wo,3], affine_grid [N,3,4]

def torch_grid_sample_nd(x, grid, dy, mode, padding, ac, dtype):
    """Any rank, channels-last numpy in and out; bicubic on volumes through tricubic.py."""
    d = x.ndim - 2
    xl = torch.tensor(x, dtype=dtype, requires_grad=True)
    g = torch.tensor(grid, dtype=dtype, requires_grad=True)
    first = (0, d + 1) + tuple(range(1, d + 1))
    last = (0,) + tuple(range(2, d + 2)) + (1,)
    if mode == "bicubic" and d == 3:
        out = cubic_grid_sample(xl, g, padding, ac)
    else:
        out = F.grid_sample(xl.permute(*first), g, mode=mode, padding_mode=padding,
                            align_corners=ac).permute(*last)
    dx, dg = torch.autograd.grad(out, (xl, g), grad_outputs=torch.tensor(dy, dtype=dtype))
    return (out.detach().numpy().astype(np.float64), dx.numpy().astype(np.float64),
            dg.numpy().astype(np.float64))


def ties_to_even(grid, sizes, ac, nudge=1e-3):
    """The grid (float64) with each coordinate that unnormalises to a half-integer moved `nudge`
    pixels toward the even neighbour. PyTorch 1.13's 5-D CPU grid_sample rounds nearest ties half
    away from zero (std::round), unlike its 2-D kernel (nearbyint, half to even); stn-layer rounds
    half to even on every rank, so the volume ties' references are PyTorch's own values at these
    tie-broken points (nearest is constant there; its d(grid) is 0)."""
    g = grid.astype(np.float64).copy()
    for axis, size in enumerate(sizes):
        if size == 1 and ac:
            continue
        u = unnormalize(g[..., axis], size, ac)
        tie = np.abs(u * 2 - np.round(u * 2)) < 1e-9
        tie &= np.round(u * 2) % 2 != 0
        target = u + np.where(np.round(u) > u, nudge, -nudge)     # np.round: half to even
        v = np.where(tie, target, u)
        g[..., axis] = v * 2 / (size - 1) - 1 if ac else (2 * v + 1) / size - 1
    return g


def float32_check_nd(x, grid, dy, mode, padding, ac):
    r64 = torch_grid_sample_nd(x, grid, dy, mode, padding, ac, torch.float64)
    r32 = torch_grid_sample_nd(x, grid, dy, mode, padding, ac, torch.float32)
    bad = exceeds(r32[0], r64[0]).any(-1) | exceeds(r32[2], r64[2]).any(-1)
    bad |= ~np.isfinite(r64[0]).all(-1) | ~np.isfinite(r64[2]).all(-1)
    return r64, bad


def near_discontinuity_nd(grid, sizes, ac):
    """Like near_discontinuity, on every axis; sizes x first."""
    mask = np.zeros(grid.shape[:-1], dtype=bool)
    for axis, size in enumerate(sizes):
        if size == 1 and ac:
            continue
        t = unnormalize(grid[..., axis], size, ac) * 2
        mask |= np.abs(t - np.round(t)) < 2 * MARGIN_PX
    return mask


def random_case_nd(label, rng, in_shape, grid_shape, lo, hi):
    x = normal32(rng, in_shape)
    grid = uniform32(rng, lo, hi, grid_shape)
    dy = normal32(rng, tuple(grid_shape[:-1]) + (in_shape[-1],))

    def redraw(bad):
        grid[bad] = uniform32(rng, lo, hi, (int(bad.sum()), grid_shape[-1]))
    return dict(label=label, input=x, grid=grid, dy=dy, redraw=redraw)


def exact_grid_3d(xs, ys, zs):
    axes = [np.asarray(sorted(set(a)), dtype=np.float64) for a in (zs, ys, xs)]
    z, y, x = np.meshgrid(*axes, indexing="ij")
    g = np.stack([x, y, z], axis=-1)[None]               # [1, Do, Ho, Wo, 3]
    g32 = g.astype(np.float32)
    assert np.array_equal(g32.astype(np.float64), g), "grid not exact in float32"
    return g32


def exact_case_3d(label, rng, in_shape, xs, ys, zs):
    x = normal32(rng, in_shape)
    grid = exact_grid_3d(xs, ys, zs)
    dy = normal32(rng, grid.shape[:-1] + (in_shape[-1],))
    return dict(label=label, input=x, grid=grid, dy=dy, exact=True)


def stn_theta_3d(rng):
    """A rotation about a random axis, scaled and shifted: a near-identity 3-D affine map."""
    axis = rng.standard_normal(3)
    axis /= np.linalg.norm(axis)
    a = math.radians(rng.uniform(-25, 25))
    K = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    R = np.eye(3) + math.sin(a) * K + (1 - math.cos(a)) * K @ K
    return np.concatenate([rng.uniform(0.7, 1.2) * R, rng.uniform(-0.25, 0.25, (3, 1))], 1)


def affine_case_3d(label, rng, ac):
    N, D, H, W = 2, 5, 6, 7
    x = normal32(rng, (N, D, H, W, 1))
    dy = normal32(rng, (N, D, H, W, 1))
    grid = np.zeros((N, D, H, W, 3), dtype=np.float32)

    def fill(n):
        theta = torch.tensor(stn_theta_3d(rng)[None], dtype=torch.float64)
        grid[n] = F.affine_grid(theta, [1, 1, D, H, W], align_corners=ac)[0].float().numpy()
    return filled_case(label, x, grid, dy, fill, N)


def volume_shape_cases(prefix, ac):
    def r(label):
        return rng_for(prefix + label)
    cases = []
    lbl = "1x1x1 input"
    cases.append(random_case_nd(lbl, r(lbl), (1, 1, 1, 1, 2), (1, 2, 2, 2, 3), -2.0, 2.0))
    lbl = "odd sizes D!=H!=W"
    cases.append(random_case_nd(lbl, r(lbl), (2, 3, 5, 7, 2), (2, 2, 3, 4, 3), -1.1, 1.1))
    lbl = "size-1 axes"
    cases.append(random_case_nd(lbl, r(lbl), (1, 1, 4, 1, 3), (1, 2, 2, 3, 3), -1.5, 1.5))
    for c in (1, 3, 4, 5, 8):
        lbl = "channels C=%d" % c
        cases.append(random_case_nd(lbl, r(lbl), (1, 3, 4, 2, c), (1, 2, 2, 3, 3), -1.2, 1.2))
    lbl = "outside [-2.5,2.5]"
    cases.append(random_case_nd(lbl, r(lbl), (1, 3, 4, 5, 2), (1, 2, 3, 4, 3), -2.5, 2.5))
    # Sizes whose centres and ties are exact in float32 (denominators powers of 2).
    D, H, W = (3, 5, 2) if ac else (2, 4, 8)
    lbl = "pixel centres and +-1 D=%d H=%d W=%d" % (D, H, W)
    cases.append(exact_case_3d(lbl, r(lbl), (1, D, H, W, 2), centres(W, ac) + [-1.0, 1.0],
                               centres(H, ac) + [-1.0, 1.0], centres(D, ac) + [-1.0, 1.0]))
    D, H, W = (3, 2, 5) if ac else (2, 4, 2)
    lbl = "nearest ties (half-way points and centres) D=%d H=%d W=%d" % (D, H, W)
    cases.append(exact_case_3d(lbl, r(lbl), (1, D, H, W, 1), ties(W, ac) + centres(W, ac),
                               ties(H, ac) + centres(H, ac), ties(D, ac) + centres(D, ac)))
    lbl = "affine"
    cases.append(affine_case_3d(lbl, r(lbl), ac))
    return cases


def make_volume_cases():
    worst_2d = check_bicubic_2d(verbose=False)
    if worst_2d > 1e-12:
        raise RuntimeError("scripts/tricubic.py does not reproduce PyTorch's 2-D bicubic (%.3g)" % worst_2d)
    out, dropped, resampled = [], [], 0
    for mode in MODES:
        for padding in PADDINGS:
            for ac in ALIGNS:
                prefix = "volume %s/%s/alignCorners=%s: " % (mode, padding, str(ac).lower())
                for c in volume_shape_cases(prefix, ac):
                    name = prefix + c["label"]
                    x, grid, dy = c["input"], c["grid"], c["dy"]
                    sizes = list(reversed(x.shape[1:4]))
                    for _ in range(MAX_ROUNDS):
                        at = ties_to_even(grid, sizes, ac) if mode == "nearest" and c.get("exact") else grid
                        r64, bad = float32_check_nd(x, at, dy, mode, padding, ac)
                        if c.get("exact"):
                            break
                        bad |= near_discontinuity_nd(grid, sizes, ac)
                        if not bad.any():
                            break
                        resampled += int(bad.sum())
                        c["redraw"](bad)
                    else:
                        raise RuntimeError("could not clean case " + name)
                    if c.get("exact") and bad.any():
                        print("!!!!!! EXACT CASE FAILED float32 check, DROPPED: %s" % name)
                        dropped.append(name)
                        continue
                    output, d_input, d_grid = r64
                    out.append({
                        "name": name, "mode": mode, "paddingMode": padding, "alignCorners": ac,
                        "inputShape": list(x.shape), "gridShape": list(grid.shape),
                        "input": fmt_f32(x), "grid": fmt_f32(grid), "dy": fmt_f32(dy),
                        "output": fmt_f64(output), "dInput": fmt_f64(d_input), "dGrid": fmt_f64(d_grid),
                    })
    return out, dict(worst_2d=worst_2d, dropped=dropped, resampled=resampled)


AFFINE_SIZES_3D = ((1, 1, 1, 1, 1), (2, 3, 5, 7, 2), (1, 4, 1, 6, 1), (2, 1, 3, 1, 1), (1, 8, 8, 8, 1))


def make_affine_grid_3d_cases():
    out = []
    for ac in ALIGNS:
        for size in AFFINE_SIZES_3D:
            N, D, H, W, C = size
            name = "affine_grid 3-D alignCorners=%s size=%s" % (str(ac).lower(), list(size))
            rng = rng_for(name)
            theta = normal32(rng, (N, 3, 4))
            dgrid = normal32(rng, (N, D, H, W, 3))
            th = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
            g = F.affine_grid(th, [N, C, D, H, W], align_corners=ac)
            (dth,) = torch.autograd.grad(g, th, grad_outputs=torch.tensor(dgrid, dtype=torch.float64))
            out.append({"name": name, "alignCorners": ac, "theta": fmt_f32(theta), "size": list(size),
                        "grid": fmt_f64(g.detach().numpy()), "dGrid": fmt_f32(dgrid), "dTheta": fmt_f64(dth.numpy())})
    return out

# --------------------------------------------------------------------------

def write_json(path, cases):
    sep = (",", ":")
    body = ",\n".join(json.dumps(c, separators=sep, allow_nan=False) for c in cases)
    text = '{"generator":%s,"cases":[\n%s\n]}\n' % (json.dumps(GENERATOR), body)
    json.loads(text)                                     # sanity: valid JSON
    with open(path, "w") as f:
        f.write(text)
    return len(text.encode("utf-8"))


def main():
    torch.set_num_threads(1)
    # affine_grid warns for unit-size grids with align_corners=True (1.3.0
    # behaviour change); those sizes are tested on purpose.
    warnings.filterwarnings("ignore", message=".*affine_grid behavior has changed")
    os.makedirs(OUT_DIR, exist_ok=True)

    gs_cases, st = make_grid_sample_cases()
    gs_path = os.path.join(OUT_DIR, "grid_sample.json")
    gs_bytes = write_json(gs_path, gs_cases)
    print("%s: %d cases, %d bytes" % (os.path.relpath(gs_path, ROOT), len(gs_cases), gs_bytes))
    print("  grid points resampled: %d (in %d redraw rounds): %d failed the float32 check, "
          "%d only the 0.5-px margin" % (st["resampled"], st["redraw_rounds"],
                                         st["by_f32"], st["by_margin"]))
    for combo, n in st["per_combo"].items():
        if n:
            print("    %-40s %d" % (combo, n))
    print("  max |dInput float32 - float64| over kept cases: %.3g" % st["max_dx_diff"])
    if st["dropped"]:
        print("!!!!!! %d exact cases DROPPED:" % len(st["dropped"]))
        for n in st["dropped"]:
            print("!!!!!!   " + n)

    ag_cases, ag_diff = make_affine_grid_cases()
    ag_path = os.path.join(OUT_DIR, "affine_grid.json")
    ag_bytes = write_json(ag_path, ag_cases)
    print("%s: %d cases, %d bytes" % (os.path.relpath(ag_path, ROOT), len(ag_cases), ag_bytes))
    print("  max |float32 - float64| (grid, dTheta): %.3g" % ag_diff)

    gen_cases, gen_diff = make_generator_cases()
    gen_path = os.path.join(OUT_DIR, "grids.json")
    gen_bytes = write_json(gen_path, gen_cases)
    print("%s: %d cases, %d bytes" % (os.path.relpath(gen_path, ROOT), len(gen_cases), gen_bytes))
    print("  max |float32 - float64| (grid, dParams): %.3g" % gen_diff)
    vol_cases, vst = make_volume_cases()
    vol_path = os.path.join(OUT_DIR, "grid_sample_3d.json")
    vol_bytes = write_json(vol_path, vol_cases)
    print("%s: %d cases, %d bytes" % (os.path.relpath(vol_path, ROOT), len(vol_cases), vol_bytes))
    print("  scripts/tricubic.py vs F.grid_sample 2-D bicubic: max |diff| %.3g" % vst["worst_2d"])
    print("  grid points resampled: %d" % vst["resampled"])
    ag3_cases = make_affine_grid_3d_cases()
    ag3_path = os.path.join(OUT_DIR, "affine_grid_3d.json")
    ag3_bytes = write_json(ag3_path, ag3_cases)
    print("%s: %d cases, %d bytes" % (os.path.relpath(ag3_path, ROOT), len(ag3_cases), ag3_bytes))
    return 1 if st["dropped"] or vst["dropped"] else 0


if __name__ == "__main__":
    sys.exit(main())
