"""The optimiser: the paper's "Adam, lr 3e-4, weight decay 0.1".

`adam` is torch.optim.Adam, whose weight decay is coupled L2: g ← g + wd·θ
before the moment estimates, so the decay is rescaled by Adam's per-parameter
step size. `adamw` is torch.optim.AdamW (Loshchilov & Hutter): θ ← θ − lr·wd·θ
applied apart from the adaptive step. The paper trained in PyTorch with "Adam"
and weight decay 0.1, which is the coupled form; both are available. The
learning rate is constant (no schedule), as in the paper.
"""

from typing import Iterable

import torch

from .config import TrainConfig


def build_optimizer(parameters: Iterable[torch.nn.Parameter], config: TrainConfig) -> torch.optim.Optimizer:
    kind = torch.optim.Adam if config.optimizer == "adam" else torch.optim.AdamW
    return kind(parameters, lr=config.learning_rate, weight_decay=config.weight_decay)
