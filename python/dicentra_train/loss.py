"""The training criterion of the paper (eqs. 1–4).

Per image i, summed over classes c and pixels (u, v) of the heatmap φ:

    E_i = Σ (φ − y)²  +  λ · Σ sqrt( ρ² ‖∇φ‖² + (1 − ρ)² φ² + ε )

with forward differences ∇φ(u, v) = [φ(u, v) − φ(u+1, v), φ(u, v) − φ(u, v+1)]
(eq. 4). Boundary rule: φ is extended by repeating its last row and column
(Neumann), so the difference that would reach past the last row (column) is 0.
ε (config `lossEpsilon`, default 1e-8) keeps the square root differentiable where
φ and its differences vanish; it adds the constant λ·|Ω|·sqrt(ε) per class.
The batch loss is the mean of E_i over the images of the batch. λ = 0 is the
plain L2 loss ("Model A").
"""

from typing import Tuple

import torch
import torch.nn.functional as F


def forward_differences(phi: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """φ(u, v) − φ(u+1, v) and φ(u, v) − φ(u, v+1), zero on the last row / column."""
    down = F.pad(phi[..., :-1, :] - phi[..., 1:, :], (0, 0, 0, 1))
    right = F.pad(phi[..., :, :-1] - phi[..., :, 1:], (0, 1, 0, 0))
    return down, right


def sparse_variation(phi: torch.Tensor, rho: float, epsilon: float) -> torch.Tensor:
    """R(φ) per image (N), summed over classes and pixels."""
    down, right = forward_differences(phi)
    inside = rho * rho * (down * down + right * right) + (1.0 - rho) ** 2 * phi * phi + epsilon
    return torch.sqrt(inside).sum(dim=(1, 2, 3))


def per_image_loss(phi: torch.Tensor, target: torch.Tensor, lam: float, rho: float, epsilon: float) -> torch.Tensor:
    """E_i for each image of the batch (N), at least in float32 whatever the autocast dtype."""
    if phi.dtype in (torch.float16, torch.bfloat16):
        phi = phi.float()
    data = ((phi - target) ** 2).sum(dim=(1, 2, 3))
    if lam == 0:
        return data
    return data + lam * sparse_variation(phi, rho, epsilon)


def batch_loss(phi: torch.Tensor, target: torch.Tensor, lam: float, rho: float, epsilon: float) -> torch.Tensor:
    return per_image_loss(phi, target, lam, rho, epsilon).mean()
