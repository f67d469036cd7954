"""Per-epoch validation on whole (padded) validation images, in eval mode and float32."""

from dataclasses import dataclass
from typing import Dict, Optional

import numpy as np
import torch

from .config import TrainConfig
from .data import CachedSplit
from .loss import per_image_loss
from .metrics import Counts


@dataclass(frozen=True)
class Validation:
    loss: float
    precision: Dict[str, Optional[float]]
    recall: Dict[str, Optional[float]]

    def to_json(self, tc: float) -> dict:
        return {"loss": self.loss, "tc": tc, "precision": self.precision, "recall": self.recall}


def evaluate(model: torch.nn.Module, split: CachedSplit, config: TrainConfig, device: torch.device) -> Validation:
    was_training = model.training
    model.eval()
    counts = Counts(split.classes)
    losses = []
    with torch.no_grad():
        for index in range(len(split)):
            image = torch.from_numpy(np.array(split.image(index)))[None, None].to(device)
            target = torch.from_numpy(split.targets[index])[None].to(device)
            heatmap, _ = model(image)
            losses.append(float(per_image_loss(heatmap, target, config.lam, config.rho, config.loss_epsilon)[0]))
            counts.add(heatmap[0].float().cpu().numpy(), split.disks[index], config.validation_tc)
    model.train(was_training)
    return Validation(float(np.mean(losses)), counts.precision(), counts.recall())


def zero_prediction_loss(split: CachedSplit, config: TrainConfig) -> float:
    """The validation loss of a heatmap that is 0 everywhere: the bar a model must clear."""
    losses = [
        float(per_image_loss(torch.zeros(1, *t.shape), torch.from_numpy(t)[None], config.lam, config.rho, config.loss_epsilon)[0])
        for t in split.targets
    ]
    return float(np.mean(losses))
