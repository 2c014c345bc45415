#!/usr/bin/env python3
"""PyTorch's bilinear grid_sample on 1 and 2 CPU threads: the peer of bench/threads.ts.

Prints one JSON line per (shape, threads): {"input": [N, H, W, C], "threads", "forwardMs",
"forwardBackwardMs", "forwardDGridMs"} (medians over calls; the thread counts interleaved in
rounds, torch.set_num_threads before each). forwardBackward asks for d(input) and d(grid),
forwardDGrid for d(grid) alone (an STN's step, the image being data). The grid is a random
near-identity affine map, as bench/threads.ts draws it (not the same numbers).

    /usr/bin/python3 bench/peers/pytorch_threads.py [--quick] [--shapes N,H,W,C;N,H,W,C...]
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

from grid_sample_calls import grid_sample_calls

SHAPES = [(64, 28, 28, 1), (8, 128, 128, 16), (1, 512, 512, 3)]
THREADS = [1, 2]


def main():
    quick = "--quick" in sys.argv
    shapes = SHAPES
    if "--shapes" in sys.argv:
        text = sys.argv[sys.argv.index("--shapes") + 1]
        shapes = [tuple(int(v) for v in s.split(",")) for s in text.split(";")]
    rounds, calls = (2, 2) if quick else (7, 5)
    gen = torch.Generator().manual_seed(7)
    for N, H, W, C in shapes:
        x = torch.rand(N, C, H, W, generator=gen)
        theta = torch.tensor([[1, 0, 0], [0, 1, 0]], dtype=torch.float32) + (torch.rand(N, 2, 3, generator=gen) - 0.5) * 0.2
        grid = F.affine_grid(theta, [N, C, H, W], align_corners=False)
        dy = torch.rand(N, C, H, W, generator=gen) - 0.5
        timed_calls = grid_sample_calls(x, grid, dy)
        cases = {"forwardMs": timed_calls["forward"], "forwardBackwardMs": timed_calls["forward_backward"],
                 "forwardDGridMs": timed_calls["forward_dgrid"]}
        samples = {(t, k): [] for t in THREADS for k in cases}
        for r in range(rounds + 1):
            for t in THREADS:
                torch.set_num_threads(t)
                for k, fn in cases.items():
                    for _ in range(calls):
                        start = time.perf_counter()
                        fn()
                        if r > 0:  # the first round warms up
                            samples[(t, k)].append((time.perf_counter() - start) * 1e3)
        for t in THREADS:
            row = {"input": [N, H, W, C], "threads": t}
            row.update({k: statistics.median(samples[(t, k)]) for k in cases})
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
