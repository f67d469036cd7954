"""The full training state after an epoch: enough to continue exactly there.

state/last.pt holds the model and optimiser states, the finished epoch, the
config, the dataset hash and the RNG states. It is written atomically after the
epoch's member (if any) is in bundle.json, so on --resume every member with a
later epoch than the state is an orphan of an interrupted epoch: it is dropped
and written again, identically, when that epoch is replayed.
"""

import inspect
import os
import random
from typing import Any, Dict, Optional

import numpy as np
import torch

from .files import write_atomic

STATE_FILE = os.path.join("state", "last.pt")
STATE_FORMAT = 1
# The final model alone (no optimiser or RNG state): shipped beside a bundle so that
# `--init-from` can fine-tune from a bundle folder that holds no training state.
WEIGHTS_FILE = "weights.pt"


def save_state(run_dir: str, epoch: int, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
               config_json: Dict[str, Any], dataset_sha256: str) -> None:
    state = {
        "format": STATE_FORMAT,
        "epoch": epoch,
        "config": config_json,
        "datasetSha256": dataset_sha256,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "rng": {
            "torch": torch.random.get_rng_state(),
            "numpy": np.random.get_state(),
            "python": random.getstate(),
        },
    }
    write_atomic(os.path.join(run_dir, STATE_FILE), lambda temp: torch.save(state, temp))


def save_weights(run_dir: str, epoch: int, model: torch.nn.Module, config_json: Dict[str, Any]) -> None:
    weights = {"format": STATE_FORMAT, "epoch": epoch, "config": config_json, "model": model.state_dict()}
    write_atomic(os.path.join(run_dir, WEIGHTS_FILE), lambda temp: torch.save(weights, temp))


def _load(path: str) -> Dict[str, Any]:
    options = {"map_location": "cpu"}
    if "weights_only" in inspect.signature(torch.load).parameters:
        options["weights_only"] = False  # our own file: it holds numpy and python RNG states
    return torch.load(path, **options)


def load_state(run_dir: str) -> Dict[str, Any]:
    return _load(os.path.join(run_dir, STATE_FILE))


def starting_weights_file(run_dir: str) -> Optional[str]:
    """The file `--init-from run_dir` takes its weights from: the training state, else weights.pt."""
    for name in (STATE_FILE, WEIGHTS_FILE):
        if os.path.exists(os.path.join(run_dir, name)):
            return os.path.join(run_dir, name)
    return None


def load_starting_weights(run_dir: str) -> Dict[str, Any]:
    """epoch, config and model of the run's final weights (state/last.pt or weights.pt)."""
    path = starting_weights_file(run_dir)
    if path is None:
        raise FileNotFoundError(run_dir)
    return _load(path)


def restore_rng(state: Dict[str, Any]) -> None:
    torch.random.set_rng_state(state["rng"]["torch"])
    np.random.set_state(state["rng"]["numpy"])
    random.setstate(state["rng"]["python"])


def has_state(run_dir: str) -> bool:
    return os.path.exists(os.path.join(run_dir, STATE_FILE))
