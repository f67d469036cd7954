"""Model shapes, the two weight-decay forms, and config validation."""

import pytest
import torch

from dicentra_train.config import TrainConfig, config_from_json
from dicentra_train.errors import WorkerError
from dicentra_train.images import padded_size
from dicentra_train.model import UNet
from dicentra_train.optim import build_optimizer


@pytest.mark.parametrize("stem", ["none", "stride2", "stride4"])
def test_output_shapes_for_odd_input_sizes_after_padding(stem):
    model = UNet(classes=2, depth=3, base_width=4, norm="batch", stem=stem).eval()
    height, width = padded_size(37, 53, 8)
    assert (height, width) == (40, 56)
    heatmap, features = model(torch.rand(2, 1, height, width))
    assert heatmap.shape == (2, 2, 10, 14)
    assert features.shape == (2, model.feature_channels, 10, 14) and model.feature_channels == 16
    assert 0 < heatmap.min() and heatmap.max() < 1


@pytest.mark.parametrize("norm", ["group", "instance", "none"])
def test_norms_and_depth_two(norm):
    model = UNet(classes=1, depth=2, base_width=4, norm=norm).eval()
    heatmap, features = model(torch.rand(1, 1, 12, 20))
    assert heatmap.shape == (1, 1, 3, 5) and features.shape == (1, 16, 3, 5)


def test_unpadded_input_is_refused_with_the_padded_size():
    with pytest.raises(ValueError, match="pad to 40×56"):
        UNet(classes=1, depth=3, base_width=4)(torch.rand(1, 1, 37, 53))


def _one_step(kind: str, gradient: float) -> float:
    theta = torch.nn.Parameter(torch.tensor([1.0]))
    optimizer = build_optimizer([theta], TrainConfig(optimizer=kind, learning_rate=0.1, weight_decay=0.1))
    (gradient * theta).sum().backward()
    optimizer.step()
    return theta.item()


def test_adam_couples_weight_decay_into_the_gradient_and_adamw_decouples_it():
    # Adam: g' = g + wd·θ = −0.05 + 0.1 = 0.05; the first step is lr·m̂/(sqrt(v̂)+eps) ≈ lr·sign(g') → θ = 0.9
    assert _one_step("adam", -0.05) == pytest.approx(0.9, abs=1e-6)
    # AdamW: θ ← θ(1 − lr·wd) = 0.99, then the step on g = −0.05 alone: + lr → θ = 1.09
    assert _one_step("adamw", -0.05) == pytest.approx(1.09, abs=1e-6)


def test_config_rejects_unknown_keys_and_bad_values_naming_the_key():
    with pytest.raises(WorkerError) as unknown:
        config_from_json({"epochs": 3, "learningrate": 0.1})
    assert unknown.value.code == "DCN_E_SCHEMA_INVALID" and unknown.value.field == "learningrate"
    assert "learningRate" in unknown.value.hint
    with pytest.raises(WorkerError) as bad:
        config_from_json({"crop": 100, "depth": 4})
    assert bad.value.field == "crop" and "16" in bad.value.message
    with pytest.raises(WorkerError) as warm:
        config_from_json({"epochs": 5, "warmup": 5})
    assert warm.value.field == "warmup"
    config = config_from_json({"lambda": 0, "optimizer": "adamw"})
    assert config.lam == 0 and config.to_json()["lambda"] == 0 and config.pad_multiple == 16


def test_parameter_count_matches_a_hand_count():
    # depth 2, base 4, no norm (convs carry a bias): widths 4, 8, 16 at levels 0, 1, 2
    # block0 (1→4, 4→4): 40 + 148; block1 (4→8, 8→8): 296 + 584; block2 (8→16, 16→16): 1168 + 2320
    # no up-block (the bottleneck is level 2); head block 16→16: 2320; 1×1 head 16→1: 17
    model = UNet(classes=1, depth=2, base_width=4, norm="none")
    assert sum(p.numel() for p in model.parameters()) == 188 + 880 + 3488 + 2320 + 17
