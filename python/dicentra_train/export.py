"""ONNX export of one member.

Contract (read by TypeScript inference): input `image`, float32 N×1×H×W,
normalised and padded by bundle.json's `input` rule; outputs `heatmap`
(N×C×H/4×W/4, sigmoid) and `features` (N×F×H/4×W/4); batch, height and width
are dynamic; opset 13. The model is exported in eval mode (batch norm uses its
running statistics), in float32, on the CPU.
"""

import copy
import inspect
import warnings

import torch

from .files import write_atomic

OPSET = 13


def export_onnx(model: torch.nn.Module, path: str, pad_multiple: int) -> None:
    exported = copy.deepcopy(model).to(device="cpu", dtype=torch.float32, memory_format=torch.contiguous_format).eval()
    example = torch.zeros(1, 1, 2 * pad_multiple, 2 * pad_multiple)
    options = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        options["dynamo"] = False  # torch ≥ 2.5: keep the TorchScript exporter and its dynamic_axes

    def write(temp: str) -> None:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                exported, (example,), temp,
                input_names=["image"], output_names=["heatmap", "features"],
                dynamic_axes={name: {0: "batch", 2: "height", 3: "width"} for name in ("image", "heatmap", "features")},
                opset_version=OPSET, do_constant_folding=True, **options,
            )

    write_atomic(path, write)
