"""The timed PyTorch calls the bench peers share: bilinear/zeros grid_sample forward, forward with
both gradients, and forward with d(grid) alone (an STN's step, the image being data)."""
import torch
import torch.nn.functional as F

OPTIONS = dict(mode="bilinear", padding_mode="zeros", align_corners=False)


def grid_sample_calls(x, grid, dy):
    """{"forward", "forward_backward", "forward_dgrid"}: functions of no argument (channels-first x)."""
    xg = x.clone().requires_grad_(True)
    gg = grid.clone().requires_grad_(True)

    def forward():
        with torch.no_grad():
            F.grid_sample(x, grid, **OPTIONS)

    def forward_backward():
        out = F.grid_sample(xg, gg, **OPTIONS)
        torch.autograd.grad(out, (xg, gg), grad_outputs=dy)

    def forward_dgrid():
        out = F.grid_sample(x, gg, **OPTIONS)
        torch.autograd.grad(out, (gg,), grad_outputs=dy)

    return {"forward": forward, "forward_backward": forward_backward, "forward_dgrid": forward_dgrid}
