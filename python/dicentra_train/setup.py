"""Everything before the first batch: the config to use (fresh or resumed), the
dataset decoded into the cache, the run folder checked, bundle.json started."""

import os
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

import torch

from .bundle import BUNDLE_FILE, new_bundle, read_bundle, write_bundle
from .files import sha256_of
from .config import RESUMABLE_CHANGES, TrainConfig, config_from_json
from .data import DatasetFile, load_splits, read_dataset
from .errors import WorkerError
from .events import emit, log
from .model import build_model, parameter_count
from .state import has_state, load_starting_weights, load_state, starting_weights_file


@dataclass(frozen=True)
class RunRequest:
    data: str
    out: str
    overrides: Dict[str, Any]  # camelCase config keys given by the user
    resume: bool = False
    command: Optional[str] = None
    nproc: int = 1
    chromosome_width_px: Optional[float] = None  # the training images', measured by the CLI


@dataclass(frozen=True)
class Setup:
    request: RunRequest
    config: TrainConfig
    dataset: DatasetFile
    cache_dir: str
    device: str
    start_epoch: int  # the last finished epoch (0 for a fresh run)


def _run_state_error(message: str, hint: str, field: Optional[str] = None) -> WorkerError:
    return WorkerError("DCN_E_RUN_STATE", message, file=None, field=field, hint=hint, exit_code=2)


def resolve_device(config: TrainConfig) -> str:
    if config.device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if config.device.startswith("cuda") and not torch.cuda.is_available():
        raise WorkerError("DCN_E_OPTION_INVALID", f"device {config.device} was asked for but this torch sees no CUDA GPU",
                          field="device", hint="use --device cpu or auto, or install a CUDA build of torch", exit_code=2)
    return config.device


def resolve_config(request: RunRequest) -> Tuple[TrainConfig, int]:
    out = request.out
    if not request.resume:
        if os.path.exists(os.path.join(out, BUNDLE_FILE)) or has_state(out):
            raise _run_state_error(f"{out} already holds a training run", "add --resume to continue it, or choose another --out")
        return config_from_json(request.overrides), 0
    if not has_state(out):
        raise _run_state_error(f"{out} holds no training state to resume", "start the run without --resume")
    state = load_state(out)
    stored = state["config"]
    for key, value in request.overrides.items():
        if key not in RESUMABLE_CHANGES and stored.get(key) != value:
            raise _run_state_error(
                f"{key} = {value!r} differs from the run's {stored.get(key)!r}; a resumed run keeps its settings",
                f"drop {key} from the command (only {', '.join(sorted(RESUMABLE_CHANGES))} may change on --resume)", key)
    config = config_from_json({**stored, **request.overrides}, "resumed config")
    if state["epoch"] > config.epochs:
        raise _run_state_error(f"the run already finished epoch {state['epoch']} > epochs {config.epochs}",
                               "raise --epochs to train further", "epochs")
    return config, int(state["epoch"])


ARCHITECTURE_KEYS = ("depth", "baseWidth", "norm", "stem")


def describe_parent(config: TrainConfig, classes) -> Optional[Dict[str, Any]]:
    """Checks that the run named by initFrom can start this one; returns what bundle.json records of it."""
    parent = config.init_from
    if parent is None:
        return None
    hint = ("name a run folder of `dicentra train`, or a shipped bundle folder with weights.pt, whose model has "
            "this run's depth, baseWidth, norm, stem and classes")
    weights_file = starting_weights_file(parent)
    if weights_file is None or not os.path.exists(os.path.join(parent, BUNDLE_FILE)):
        raise WorkerError("DCN_E_RUN_STATE", f"initFrom {parent} holds no training run (no state/last.pt or weights.pt, "
                          "or no bundle.json)", file=parent, field="initFrom", hint=hint, exit_code=3)
    state, bundle = load_starting_weights(parent), read_bundle(parent)
    mine = config.to_json()
    for key in ARCHITECTURE_KEYS:
        if state["config"].get(key) != mine[key]:
            raise WorkerError("DCN_E_RUN_STATE", f"initFrom {parent} has {key} {state['config'].get(key)!r}, this run {mine[key]!r}",
                              file=parent, field=key, hint=hint, exit_code=2)
    if list(bundle["classes"]) != list(classes):
        raise WorkerError("DCN_E_RUN_STATE", f"initFrom {parent} has classes {bundle['classes']}, this dataset {list(classes)}",
                          file=parent, field="classes", hint=hint, exit_code=2)
    return {"path": parent, "file": os.path.relpath(weights_file, parent), "epoch": int(state["epoch"]),
            "sha256": sha256_of(weights_file)}


def prepare_run(request: RunRequest) -> Setup:
    config, start_epoch = resolve_config(request)
    dataset = read_dataset(request.data, with_lookalikes=config.lookalike_focus > 0)
    parent = None if request.resume else describe_parent(config, dataset.classes)
    if config.lookalike_focus > 0 and not any(e.lookalikes for e in dataset.images["train"]):
        log(f"lookalikeFocus {config.lookalike_focus}: no tagged look-alikes (truth.json) beside {request.data}; "
            "those crops are drawn uniformly")
    if request.resume:
        stored_sha = load_state(request.out)["datasetSha256"]
        if stored_sha != dataset.sha256:
            raise _run_state_error(f"dataset {request.data} changed since the run started", "resume with the same dataset.json, or start a new run")
    device = resolve_device(config)
    cache_dir = os.path.join(request.out, "cache")
    splits = load_splits(dataset, config, cache_dir, lambda split, done, total: emit("decode", split=split, done=done, total=total))
    if not request.resume:
        os.makedirs(request.out, exist_ok=True)
        model = build_model(config, len(dataset.classes))
        label = device if device == "cpu" else f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
        write_bundle(request.out, new_bundle(config, dataset.classes, parameter_count(model), model.feature_channels,
                                             dataset.sha256, torch.__version__, label, request.command, parent,
                                             request.chromosome_width_px))
    else:
        read_bundle(request.out)  # must exist and parse
    del splits  # the workers map the cache themselves
    return Setup(request, config, dataset, cache_dir, device, start_epoch)
