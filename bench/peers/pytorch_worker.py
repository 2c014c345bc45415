#!/usr/bin/env python3
"""PyTorch's grid_sample (CPU) as a benchmark peer, driven by bench/peers/pytorch.ts over stdin/stdout.

    /usr/bin/python3 bench/peers/pytorch_worker.py --threads N

torch.set_num_threads(N) once at start: the thread count is per process, so each count the benchmark
wants gets a worker of its own. Inputs come from Node already channels-first (NCHW / NCDHW), so the
benchmark's data and layout work stay outside the timings, as for ONNX Runtime.

Messages both ways are one JSON line, followed by "bytes" bytes of little-endian float32 when the
line says so.
  create  {id, xShape, gridShape, dyShape, mode, paddingMode, alignCorners} + x, grid, dy
          -> {id} + output, dInput, dGrid (both gradients), dGrid alone (input not requiring grad):
          what Node checks against stn-layer before timing
  time    {id, op, calls} -> {id, ms: [...]}: each call timed on its own with the wall clock
  release {id} -> {id}
Any failure answers {id, error}.
"""
import gc
import json
import sys
import time

import torch
import torch.nn.functional as F


def grid_sample(x, grid, s):
    return F.grid_sample(x, grid, mode=s["mode"], padding_mode=s["paddingMode"], align_corners=s["alignCorners"])


def forward(s):
    # No autograd record, as stn-layer's forward outside a gradient scope.
    with torch.no_grad():
        return grid_sample(s["x"], s["grid"], s)


def forward_backward(s):
    out = grid_sample(s["xg"], s["gridg"], s)
    return torch.autograd.grad(out, (s["xg"], s["gridg"]), grad_outputs=s["dy"])


def forward_dgrid(s):
    # The STN case: the image is data, so only the grid requires grad and the backward skips d(input).
    out = grid_sample(s["x"], s["gridg"], s)
    return torch.autograd.grad(out, (s["gridg"],), grad_outputs=s["dy"])


OPS = {"forward": forward, "forward+backward": forward_backward, "forward+d(grid)": forward_dgrid}


def tensor_from(buf, offset, shape):
    n = 1
    for d in shape:
        n *= d
    t = torch.frombuffer(buf, dtype=torch.float32, count=n, offset=offset).reshape(shape).clone()
    return t, offset + 4 * n


def create(req, payload):
    x, at = tensor_from(payload, 0, req["xShape"])
    grid, at = tensor_from(payload, at, req["gridShape"])
    dy, _ = tensor_from(payload, at, req["dyShape"])
    s = {"x": x, "grid": grid, "dy": dy, "xg": x.clone().requires_grad_(True), "gridg": grid.clone().requires_grad_(True),
         "mode": req["mode"], "paddingMode": req["paddingMode"], "alignCorners": req["alignCorners"]}
    d_input, d_grid = forward_backward(s)
    (d_grid_alone,) = forward_dgrid(s)
    results = [forward(s), d_input, d_grid, d_grid_alone]
    return s, b"".join(t.contiguous().numpy().tobytes() for t in results)


def time_calls(s, op, calls):
    fn = OPS[op]
    # As settleBeforeTiming does for the Node contenders: a collection, then a warm call.
    gc.collect()
    if calls > 1:
        fn(s)
    ms = []
    for _ in range(calls):
        start = time.perf_counter()
        fn(s)
        ms.append((time.perf_counter() - start) * 1e3)
    return ms


def reply(obj, payload=b""):
    if payload:
        obj["bytes"] = len(payload)
    sys.stdout.buffer.write((json.dumps(obj) + "\n").encode())
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()


def main():
    threads = int(sys.argv[sys.argv.index("--threads") + 1])
    torch.set_num_threads(threads)
    reply({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()})
    sessions = {}
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            return
        req = json.loads(line)
        payload = bytearray(stdin.read(req["bytes"])) if req.get("bytes") else None
        try:
            if req["type"] == "create":
                sessions[req["id"]], out = create(req, payload)
                reply({"id": req["id"]}, out)
            elif req["type"] == "time":
                reply({"id": req["id"], "ms": time_calls(sessions[req["id"]], req["op"], req["calls"])})
            elif req["type"] == "release":
                sessions.pop(req["id"], None)
                reply({"id": req["id"]})
            else:
                raise ValueError(f"unknown request type {req['type']!r}")
        except Exception as e:  # the benchmark reports it on the contender's row and goes on
            reply({"id": req.get("id"), "error": f"{type(e).__name__}: {e}"})


if __name__ == "__main__":
    main()
