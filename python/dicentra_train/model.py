"""The U-Net heatmap regressor (Ronneberger et al. 2015, as used by the paper).

Levels: level l has spatial size H/2**l × W/2**l and base_width·2**l channels.
Encoder blocks run from the stem's level down to level `depth` (the
bottleneck); decoder blocks (2×2 transposed-conv up, concatenate the skip,
two 3×3 convs) come back up to level 2 only, because the heatmap is at 1/4
resolution (the paper's 224×252 for 896×1008). A head block at level 2 then a
1×1 conv and a sigmoid give one channel per class.

`features` is the output of the decoder block before the head block (the
paper's second-to-last decoder layer, at the heatmap resolution H/4 × W/4), or
the bottleneck when depth = 2.

The stem decides where the encoder starts: `none` runs a full-resolution block
(most of a U-Net's compute for an output we only need at 1/4), `stride2` and
`stride4` replace the first one or two levels by a strided 3×3 conv each.
"""

import math
from typing import List, Tuple

import torch
from torch import nn

from .config import TrainConfig

STEM_LEVELS = {"none": 0, "stride2": 1, "stride4": 2}
# The head's bias starts at logit(0.01): the heatmap starts almost empty, as the targets are.
HEAD_PRIOR = 0.01


class Float32GroupNorm(nn.GroupNorm):
    """Group norm computed in float32 under bf16 autocast: torch's CPU autocast passes it a
    bf16 input with float32 weights, which group_norm refuses. A no-op in float32."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dtype != self.weight.dtype:
            return super().forward(x.to(self.weight.dtype)).to(x.dtype)
        return super().forward(x)


def _norm(kind: str, channels: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "group":
        return Float32GroupNorm(math.gcd(8, channels), channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=True)
    return nn.Identity()


def _conv(in_channels: int, out_channels: int, norm: str, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=norm == "none"),
        _norm(norm, out_channels),
        nn.ReLU(inplace=True),
    )


def _block(in_channels: int, out_channels: int, norm: str) -> nn.Sequential:
    return nn.Sequential(_conv(in_channels, out_channels, norm), _conv(out_channels, out_channels, norm))


class UpBlock(nn.Module):
    def __init__(self, in_channels: int, skip_channels: int, out_channels: int, norm: str) -> None:
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, skip_channels, 2, stride=2)
        self.block = _block(2 * skip_channels, out_channels, norm)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        return self.block(torch.cat([self.up(x), skip], dim=1))


class UNet(nn.Module):
    def __init__(self, classes: int, depth: int = 4, base_width: int = 16, norm: str = "batch", stem: str = "none") -> None:
        super().__init__()
        self.depth = depth
        self.pad_multiple = 2 ** depth
        first = STEM_LEVELS[stem]
        width = [base_width * 2 ** level for level in range(depth + 1)]
        stem_layers: List[nn.Module] = []
        channels = 1
        for level in range(1, first + 1):
            stem_layers.append(_conv(channels, width[level], norm, stride=2))
            channels = width[level]
        self.stem = nn.Sequential(*stem_layers)
        self.first_level = first
        self.encoder = nn.ModuleList()
        for level in range(first, depth + 1):
            self.encoder.append(_block(channels, width[level], norm))
            channels = width[level]
        self.pool = nn.MaxPool2d(2)
        self.decoder = nn.ModuleList(
            UpBlock(width[level + 1], width[level], width[level], norm) for level in range(depth - 1, 1, -1)
        )
        self.feature_channels = width[2]
        self.head_block = _conv(width[2], width[2], norm)
        self.head = nn.Conv2d(width[2], classes, 1)
        nn.init.constant_(self.head.bias, math.log(HEAD_PRIOR / (1 - HEAD_PRIOR)))

    def forward(self, image: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        if not (torch.jit.is_tracing() or torch.onnx.is_in_onnx_export()):
            height, width = image.shape[-2:]
            if height % self.pad_multiple or width % self.pad_multiple:
                raise ValueError(
                    f"input {height}×{width} is not padded: height and width must be multiples of "
                    f"{self.pad_multiple}; pad to {math.ceil(height / self.pad_multiple) * self.pad_multiple}×"
                    f"{math.ceil(width / self.pad_multiple) * self.pad_multiple}"
                )
        x = self.stem(image)
        skips = {}
        for index, block in enumerate(self.encoder):
            level = self.first_level + index
            if index > 0:
                x = self.pool(x)
            x = block(x)
            skips[level] = x
        for index, up in enumerate(self.decoder):
            x = up(x, skips[self.depth - 1 - index])
        features = x
        heatmap = torch.sigmoid(self.head(self.head_block(features)))
        return heatmap, features


def build_model(config: TrainConfig, classes: int) -> UNet:
    """Builds the model with the fixed initialisation seed (the paper fixes init across runs)."""
    state = torch.random.get_rng_state()
    torch.manual_seed(config.seed)
    try:
        return UNet(classes, config.depth, config.base_width, config.norm, config.stem)
    finally:
        torch.random.set_rng_state(state)


def parameter_count(model: nn.Module) -> int:
    return sum(parameter.numel() for parameter in model.parameters())

