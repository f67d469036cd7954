"""Every hyper-parameter of a training run, in one validated dataclass.

JSON (the `--config` file, bundle.json's `training.config`) uses camelCase
names; unknown keys are rejected so a typo never passes silently. Defaults
reproduce the paper (Deschemps et al., Methods, "Setting of model parameters")
except where noted.
"""

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from .errors import config_error

DEFAULT_NORMALISATION: Dict[str, Any] = {"kind": "minmax"}
OUTPUT_STRIDE = 4  # the paper's heatmap is at 1/4 of the input resolution


@dataclass(frozen=True)
class TrainConfig:
    # Optimisation (paper: Adam, constant lr 3e-4, weight decay 0.1, batch 12, 100 epochs).
    epochs: int = 100
    warmup: int = 50  # members are the epochs after this one (paper: the last 50 of 100)
    batch_size: int = 12
    learning_rate: float = 3e-4
    weight_decay: float = 0.1
    # "adam": torch.optim.Adam, weight decay as an L2 term added to the gradient (coupled,
    # what the paper's "Adam with weight decay 0.1" gives in PyTorch); "adamw": decoupled.
    optimizer: str = "adam"
    # "constant" (the paper) or "cosine": linear warm-up over lr_warmup_epochs, then a cosine
    # from learning_rate down to lr_min_ratio·learning_rate at the last step, set per batch.
    lr_schedule: str = "constant"
    lr_warmup_epochs: int = 0
    lr_min_ratio: float = 0.0
    # Loss (eq. 1–4): lambda = 0 is Model A, lambda = 0.2, rho = 0.1 Model B.
    lam: float = 0.2
    rho: float = 0.1
    loss_epsilon: float = 1e-8  # inside the square root, keeps its gradient finite at 0
    # First epoch that trains with the Sparse-Variation term (1: from the start, the paper).
    # Its L1-like pull on every pixel can drive a young sigmoid head to 0 everywhere, where
    # gradients vanish; starting it after some L2-only epochs avoids that collapse.
    sv_start_epoch: int = 1
    # Epochs over which λ rises linearly to `lam` from sv_start_epoch on (0 or 1: at once).
    sv_ramp_epochs: int = 0
    # Targets and evaluation.
    target_sigma: float = 1.5  # Gaussian σ in heatmap pixels (peak 1 at each point)
    gt_radius: float = 8.0  # ground-truth disk radius in input pixels (Fig. 2 counting)
    validation_tc: float = 0.5
    # Architecture.
    depth: int = 4  # downsamplings from the input to the bottleneck; pad multiple = 2**depth
    base_width: int = 16  # channels at full resolution; level l has base_width * 2**l
    norm: str = "batch"
    stem: str = "none"  # "stride2"/"stride4": strided convs instead of full-resolution blocks
    # Input rule.
    normalisation: Dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_NORMALISATION))
    pad_mode: str = "reflect"
    crop: Optional[int] = None  # random square crops for training; None trains on whole images
    # Share of crops placed around a randomly chosen annotated point (0: uniform crops).
    crop_focus: float = 0.0
    # Share of crops placed around a look-alike (a non-target object the generator tagged as a
    # confounder in truth.json beside dataset.json: end-to-end pairs, crossings, sharp bends,
    # separated sisters), so that precision is trained where it fails.
    lookalike_focus: float = 0.0
    # Reproducibility: fixed initialisation seed, seeded batch order (paper: fixed init,
    # random batches; both are recorded).
    seed: int = 0
    shuffle_seed: Optional[int] = None  # None: same as seed
    # Execution (do not change results on one device, except precision).
    device: str = "auto"
    precision: str = "auto"  # auto: bf16 autocast on CUDA when supported, fp32 elsewhere
    channels_last: Optional[bool] = None  # None: on for CUDA
    threads: Optional[int] = None
    # The named recipe the run started from (PRESETS); its values are already in the fields.
    preset: Optional[str] = None
    # A finished run folder whose final weights start this run (fine-tuning on other data);
    # its architecture and classes must match. None: the seeded random initialisation.
    init_from: Optional[str] = None

    @property
    def pad_multiple(self) -> int:
        return 2 ** self.depth

    def training_lambda(self, epoch: int) -> float:
        """λ of the training loss at `epoch` (validation always uses `lam`)."""
        if epoch < self.sv_start_epoch:
            return 0.0
        return self.lam * min(1.0, (epoch - self.sv_start_epoch + 1) / max(self.sv_ramp_epochs, 1))

    def learning_rate_at(self, epoch: int, batch: int, batches: int) -> float:
        """Learning rate of batch `batch` (1-based) of `epoch` with `batches` batches per epoch."""
        if self.lr_schedule == "constant":
            return self.learning_rate
        step = (epoch - 1) * batches + batch - 1
        warm = self.lr_warmup_epochs * batches
        if step < warm:
            return self.learning_rate * (step + 1) / warm
        progress = (step - warm) / max(self.epochs * batches - warm - 1, 1)
        cosine = 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
        return self.learning_rate * (self.lr_min_ratio + (1 - self.lr_min_ratio) * cosine)

    @property
    def batch_seed(self) -> int:
        return self.seed if self.shuffle_seed is None else self.shuffle_seed

    def to_json(self) -> Dict[str, Any]:
        return {_camel(f.name): getattr(self, f.name) for f in dataclasses.fields(self)}


# Named recipes (camelCase keys, as in --config files); docs/training.md lists them and a test
# keeps the two in step. Keys given in a --config file or as flags override the preset's.
PRESETS: Dict[str, Dict[str, Any]] = {
    # Two CPU cores, ≤ 2.5 h wall on ~2,300 synthetic 768×672 training images (docs/training.md).
    "cpu": {
        "epochs": 24,
        "warmup": 16,
        "batchSize": 12,
        "optimizer": "adamw",
        "learningRate": 1e-3,
        "weightDecay": 0.1,
        "lrSchedule": "cosine",
        "lrWarmupEpochs": 1,
        "lrMinRatio": 0.1,
        "lambda": 0.2,
        "rho": 0.1,
        "svStartEpoch": 9,
        "svRampEpochs": 4,
        "depth": 4,
        "baseWidth": 8,
        "norm": "group",
        "stem": "stride2",
        "crop": 256,
        "cropFocus": 0.6,
        "lookalikeFocus": 0.25,
        "precision": "fp32",
    },
}
# The second stage of the shipped model: the cpu preset's model fine-tuned (with --init-from a
# finished cpu run) on `dicentra synth --preset wide` images, 1–1.5 h on two cores.
PRESETS["cpu-finetune"] = {
    **PRESETS["cpu"],
    "epochs": 16,
    "warmup": 10,
    "learningRate": 5e-4,
    "svStartEpoch": 1,
    "svRampEpochs": 0,
    "cropFocus": 0.5,
    "lookalikeFocus": 0.35,
}

# Settings that may change on --resume without changing what the finished epochs computed
# (epochs also moves a cosine schedule's end; warmup only decides which later epochs are members).
RESUMABLE_CHANGES = frozenset({"epochs", "warmup", "device", "threads"})

_JSON_NAMES = {"lam": "lambda"}


def _camel(name: str) -> str:
    if name in _JSON_NAMES:
        return _JSON_NAMES[name]
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


FIELD_BY_JSON_NAME = {_camel(f.name): f for f in dataclasses.fields(TrainConfig)}


def config_from_json(raw: Any, where: str = "config") -> TrainConfig:
    """Builds a validated TrainConfig from a JSON object; every problem names its key."""
    if not isinstance(raw, dict):
        raise config_error(f"{where} must be a JSON object", "(root)", "see docs/training.md", "DCN_E_SCHEMA_INVALID")
    unknown = sorted(set(raw) - set(FIELD_BY_JSON_NAME))
    if unknown:
        close = [name for name in FIELD_BY_JSON_NAME if name.lower() == unknown[0].lower()]
        raise config_error(
            f"{where} has unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}",
            unknown[0],
            f"did you mean {close[0]}?" if close else f"the keys are: {', '.join(sorted(FIELD_BY_JSON_NAME))}",
            "DCN_E_SCHEMA_INVALID",
        )
    preset = raw.get("preset")
    if preset is not None and preset not in PRESETS:
        raise config_error(f"{where} names the unknown preset {preset!r}", "preset",
                           f"the presets are: {', '.join(sorted(PRESETS))}", "DCN_E_OPTION_INVALID")
    merged = {**PRESETS[preset], **raw} if preset is not None else raw
    values = {FIELD_BY_JSON_NAME[key].name: value for key, value in merged.items()}
    config = TrainConfig(**values)
    validate(config)
    return config


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def validate(config: TrainConfig) -> None:
    def need(ok: bool, name: str, rule: str) -> None:
        if not ok:
            key = _camel(name)
            raise config_error(f"{key} = {getattr(config, name)!r} is invalid: {rule}", key, f"set {key} to {rule}")

    for name in ("epochs", "batch_size", "depth", "base_width", "sv_start_epoch"):
        need(_is_int(getattr(config, name)) and getattr(config, name) >= 1, name, "a positive integer")
    need(_is_int(config.warmup) and 0 <= config.warmup < config.epochs, "warmup", "an integer in [0, epochs)")
    need(config.depth >= 2, "depth", "at least 2 (the heatmap is at 1/4 resolution)")
    need(config.depth <= 8, "depth", "at most 8")
    for name in ("learning_rate", "target_sigma", "gt_radius"):
        need(_is_number(getattr(config, name)) and getattr(config, name) > 0, name, "a positive number")
    need(_is_number(config.weight_decay) and config.weight_decay >= 0, "weight_decay", "a number ≥ 0")
    need(_is_number(config.lam) and config.lam >= 0, "lam", "a number ≥ 0")
    need(_is_number(config.rho) and 0 <= config.rho <= 1, "rho", "a number in [0, 1]")
    need(_is_number(config.crop_focus) and 0 <= config.crop_focus <= 1, "crop_focus", "a number in [0, 1]")
    need(_is_number(config.lookalike_focus) and 0 <= config.lookalike_focus <= 1 - config.crop_focus,
         "lookalike_focus", "a number in [0, 1 − cropFocus]")
    need(_is_int(config.sv_ramp_epochs) and config.sv_ramp_epochs >= 0, "sv_ramp_epochs", "an integer ≥ 0")
    need(config.lr_schedule in ("constant", "cosine"), "lr_schedule", '"constant" or "cosine"')
    need(_is_int(config.lr_warmup_epochs) and 0 <= config.lr_warmup_epochs < config.epochs,
         "lr_warmup_epochs", "an integer in [0, epochs)")
    need(_is_number(config.lr_min_ratio) and 0 <= config.lr_min_ratio <= 1, "lr_min_ratio", "a number in [0, 1]")
    need(_is_number(config.loss_epsilon) and config.loss_epsilon > 0, "loss_epsilon", "a positive number")
    need(_is_number(config.validation_tc) and 0 < config.validation_tc < 1, "validation_tc", "a number in (0, 1)")
    need(config.optimizer in ("adam", "adamw"), "optimizer", '"adam" (coupled L2) or "adamw" (decoupled)')
    need(config.norm in ("batch", "group", "instance", "none"), "norm", '"batch", "group", "instance" or "none"')
    need(config.stem in ("none", "stride2", "stride4"), "stem", '"none", "stride2" or "stride4"')
    need(config.pad_mode in ("reflect", "edge", "constant"), "pad_mode", '"reflect", "edge" or "constant"')
    need(config.device in ("auto", "cpu", "cuda") or bool(re.fullmatch(r"cuda:\d+", str(config.device))), "device", '"auto", "cpu", "cuda" or "cuda:N"')
    need(config.precision in ("auto", "fp32", "bf16"), "precision", '"auto", "fp32" or "bf16"')
    need(config.channels_last is None or isinstance(config.channels_last, bool), "channels_last", "true, false or null")
    need(config.threads is None or (_is_int(config.threads) and config.threads >= 1), "threads", "null or a positive integer")
    need(_is_int(config.seed) and config.seed >= 0, "seed", "an integer ≥ 0")
    need(config.init_from is None or (isinstance(config.init_from, str) and config.init_from != ""),
         "init_from", "null or the path of a run folder")
    need(config.shuffle_seed is None or (_is_int(config.shuffle_seed) and config.shuffle_seed >= 0), "shuffle_seed", "null or an integer ≥ 0")
    need(
        config.crop is None or (_is_int(config.crop) and config.crop > 0 and config.crop % config.pad_multiple == 0),
        "crop",
        f"null or a positive multiple of the pad multiple 2**depth = {config.pad_multiple}",
    )
    _validate_normalisation(config.normalisation)


def _validate_normalisation(rule: Any) -> None:
    hint = 'use {"kind": "minmax"} or {"kind": "percentile", "low": 1, "high": 99}'
    if not isinstance(rule, dict) or rule.get("kind") not in ("minmax", "percentile"):
        raise config_error(f"normalisation = {rule!r} is invalid", "normalisation", hint)
    allowed = {"kind"} if rule["kind"] == "minmax" else {"kind", "low", "high"}
    if set(rule) != allowed:
        raise config_error(f"normalisation {rule!r} must have exactly the keys {sorted(allowed)}", "normalisation", hint)
    if rule["kind"] == "percentile":
        low, high = rule["low"], rule["high"]
        if not (_is_number(low) and _is_number(high) and 0 <= low < high <= 100):
            raise config_error(f"normalisation percentiles {low}, {high} are invalid", "normalisation", "need 0 ≤ low < high ≤ 100")
