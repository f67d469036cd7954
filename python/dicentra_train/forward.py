"""PyTorch reference outputs for ONNX parity checks: the run's last saved state
(= its last member) in eval mode and float32 on a raw little-endian float32 input."""

import os

import numpy as np
import torch

from .config import config_from_json
from .bundle import read_bundle
from .model import build_model
from .state import load_state


def torch_forward(run_dir: str, input_path: str, shape, out_prefix: str) -> None:
    state = load_state(run_dir)
    config = config_from_json(state["config"])
    model = build_model(config, len(read_bundle(run_dir)["classes"]))
    model.load_state_dict(state["model"])
    model.eval()
    image = torch.from_numpy(np.fromfile(input_path, dtype="<f4").reshape(shape))
    with torch.no_grad():
        heatmap, features = model(image)
    os.makedirs(os.path.dirname(os.path.abspath(out_prefix)), exist_ok=True)
    heatmap.numpy().astype("<f4").tofile(out_prefix + ".heatmap.f32")
    features.numpy().astype("<f4").tofile(out_prefix + ".features.f32")
