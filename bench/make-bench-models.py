"""Exports the models the inference benchmark times, into the folder given:
unet.onnx   — the trainer's default U-Net (depth 4, base width 16, batch norm), untrained,
              fixed seed: timing does not depend on the weights;
convC.onnx  — one large 3×3 convolution, C → C channels (C = 32, 64, 128 at 448×512,
              224×256, 112×128; 2.1–4.2 GFLOP): the best of them is the reference
              throughput onnxruntime reaches on this machine.
Usage: /usr/bin/python3 bench/make-bench-models.py OUT_DIR  (run from the repository root)
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from dicentra_train.export import export_onnx  # noqa: E402
from dicentra_train.model import UNet  # noqa: E402


def main(out: str) -> None:
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    unet = UNet(classes=2)
    export_onnx(unet, os.path.join(out, "unet.onnx"), unet.pad_multiple)
    for channels, height, width in ((32, 448, 512), (64, 224, 256), (128, 112, 128)):
        conv = torch.nn.Conv2d(channels, channels, 3, padding=1).eval()
        with torch.no_grad():
            torch.onnx.export(conv, torch.zeros(1, channels, height, width),
                              os.path.join(out, f"conv{channels}.onnx"),
                              input_names=["image"], output_names=["heatmap"], opset_version=13)
    print(sum(p.numel() for p in unet.parameters()))


if __name__ == "__main__":
    main(sys.argv[1])
