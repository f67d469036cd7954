"""bf16 autocast on the CPU with group norm (the cpu-preset family's norm) trains."""

import torch

from dicentra_train.config import TrainConfig
from dicentra_train.loss import batch_loss
from dicentra_train.model import build_model


def test_a_group_norm_model_runs_forward_and_backward_under_cpu_bf16_autocast():
    model = build_model(TrainConfig(depth=3, base_width=4, norm="group", stem="stride2"), 2)
    image = torch.rand(2, 1, 32, 32)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        heatmap, _ = model(image)
    loss = batch_loss(heatmap, torch.zeros(2, 2, 8, 8), 0.2, 0.1, 1e-8)
    loss.backward()
    assert heatmap.dtype == torch.bfloat16 and heatmap.shape == (2, 2, 8, 8)
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    # in float32 the norm is the plain group norm
    with torch.no_grad():
        norm = model.encoder[0][0][1]
        x = torch.randn(2, norm.num_channels, 8, 8)
        assert torch.equal(norm(x), torch.nn.functional.group_norm(x, norm.num_groups, norm.weight, norm.bias, norm.eps))
