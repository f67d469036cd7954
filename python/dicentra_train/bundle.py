"""bundle.json, written to the schema of src/formats/bundle.ts (version 1.1).

The bundle is written when a run starts (no members) and rewritten atomically
each time a member is appended, so at any moment it lists exactly the members
whose ONNX files are complete.
"""

import json
import os
from typing import Any, Dict, List, Optional

from .config import OUTPUT_STRIDE, TrainConfig
from .files import write_json_atomic

BUNDLE_FORMAT_VERSION = "1.2"
BUNDLE_FILE = "bundle.json"
MEMBERS_DIR = "members"


def new_bundle(config: TrainConfig, classes: List[str], parameters: int, feature_channels: int,
               dataset_sha256: str, torch_version: str, device: str, command: Optional[str],
               parent: Optional[Dict[str, Any]] = None,
               chromosome_width_px: Optional[float] = None) -> Dict[str, Any]:
    training: Dict[str, Any] = {
        "config": config.to_json(),
        "seed": config.seed,
        "datasetSha256": dataset_sha256,
        "torchVersion": torch_version,
        "device": device,
    }
    if command:
        training["command"] = command
    if parent:
        training["initFrom"] = parent  # 1.1: the run whose final weights started this one
    return {
        "version": BUNDLE_FORMAT_VERSION,
        "classes": list(classes),
        "architecture": {
            "name": "unet",
            "depth": config.depth,
            "baseWidth": config.base_width,
            "norm": config.norm,
            "stem": config.stem,
            "parameters": parameters,
            "featureChannels": feature_channels,
        },
        "input": {
            "channels": 1,
            "padMultiple": config.pad_multiple,
            "padMode": config.pad_mode,
            "padValue": 0,
            "normalisation": dict(config.normalisation),
            # 1.2: the training images' chromosome width (measured by the CLI), for scale normalisation
            **({"chromosomeWidthPx": chromosome_width_px} if chromosome_width_px else {}),
        },
        "outputStride": OUTPUT_STRIDE,
        "featuresStride": OUTPUT_STRIDE,
        "targetSigma": config.target_sigma,
        "gtRadius": config.gt_radius,
        "training": training,
        "members": [],
    }


def member_file(epoch: int) -> str:
    return f"{MEMBERS_DIR}/epoch-{epoch:04d}.onnx"


def read_bundle(run_dir: str) -> Dict[str, Any]:
    with open(os.path.join(run_dir, BUNDLE_FILE), encoding="utf-8") as handle:
        return json.load(handle)


def write_bundle(run_dir: str, bundle: Dict[str, Any]) -> None:
    write_json_atomic(os.path.join(run_dir, BUNDLE_FILE), bundle)
