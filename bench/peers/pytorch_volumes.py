#!/usr/bin/env python3
"""PyTorch's trilinear grid_sample on volumes, one CPU thread: the peer of bench/volumes.ts.

Prints one JSON line per shape: {"input": [N, D, H, W, C], "forwardMs", "forwardBackwardMs",
"forwardCpuMs", "forwardBackwardCpuMs"} (medians over calls; *CpuMs is the process's CPU time,
less sensitive to a shared machine than the wall clock). The grid is the near-identity 3-D affine
map bench/volumes.ts uses (rotation about a random axis to first order, scale, shift; seed 5),
here from torch's own generator: the same kind of grid, not the same numbers.

    /usr/bin/python3 bench/peers/pytorch_volumes.py [--quick]
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

from grid_sample_calls import grid_sample_calls

SHAPES = [(2, 64, 64, 64, 1), (1, 32, 96, 96, 4)]
QUICK_SHAPES = [(1, 8, 12, 10, 2)]


def theta_for(n, gen):
    out = []
    for _ in range(n):
        a, b, c = ((torch.rand(3, generator=gen) - 0.5) * 0.4).tolist()
        s = 0.9 + torch.rand(1, generator=gen).item() * 0.2
        t = ((torch.rand(3, generator=gen) - 0.5) * 0.2).tolist()
        out.append([[s, -c * s, b * s, t[0]], [c * s, s, -a * s, t[1]], [-b * s, a * s, s, t[2]]])
    return torch.tensor(out, dtype=torch.float32)


def timed(fn, calls):
    wall, cpu = [], []
    for _ in range(calls):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - w0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return statistics.median(wall), statistics.median(cpu)


def main():
    torch.set_num_threads(1)
    quick = "--quick" in sys.argv
    gen = torch.Generator().manual_seed(5)
    for N, D, H, W, C in QUICK_SHAPES if quick else SHAPES:
        x = torch.rand(N, C, D, H, W, generator=gen)
        grid = F.affine_grid(theta_for(N, gen), [N, C, D, H, W], align_corners=False)
        dy = torch.rand(N, C, D, H, W, generator=gen) - 0.5
        timed_calls = grid_sample_calls(x, grid, dy)
        forward, forward_backward = timed_calls["forward"], timed_calls["forward_backward"]

        calls = 3 if quick else 15
        for f in (forward, forward_backward):
            f()
        fw, fc = timed(forward, calls)
        bw, bc = timed(forward_backward, calls)
        print(json.dumps({"input": [N, D, H, W, C], "forwardMs": fw, "forwardBackwardMs": bw,
                          "forwardCpuMs": fc, "forwardBackwardCpuMs": bc, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
