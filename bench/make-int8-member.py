"""An int8 (QDQ) ONNX copy of a bundle's final weights, for the ensemble-levers bench.

usage: make-int8-member.py WEIGHTS_PT OUT_ONNX CALIBRATION.f32 HEIGHT WIDTH

Post-training static quantisation: every convolution's input and output are
quantised per tensor to uint8 with ranges taken on the calibration frames
(float32 N×1×H×W, prepared by the bundle's input rule), its weights per output
channel to int8 (symmetric). Exported through torch's fake-quantise operators,
which the ONNX exporter writes as QuantizeLinear/DequantizeLinear pairs, the
pattern onnxruntime fuses into integer convolutions.
"""

import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from dicentra_train.model import UNet  # noqa: E402


def uint8_params(low: float, high: float):
    low, high = min(low, 0.0), max(high, 0.0)
    scale = max(high - low, 1e-8) / 255
    return scale, int(min(255, max(0, round(-low / scale))))


class QuantisedConv(nn.Module):
    def __init__(self, conv: nn.Conv2d, ranges):
        super().__init__()
        self.conv = conv
        self.input_q = uint8_params(ranges[0], ranges[1])
        self.output_q = uint8_params(ranges[2], ranges[3])
        peak = conv.weight.detach().abs().amax(dim=(1, 2, 3)).clamp(min=1e-8)
        self.register_buffer("weight_scale", peak / 127)
        self.register_buffer("weight_zero", torch.zeros(peak.shape[0], dtype=torch.int32))

    def forward(self, x):
        x = torch.fake_quantize_per_tensor_affine(x, self.input_q[0], self.input_q[1], 0, 255)
        w = torch.fake_quantize_per_channel_affine(self.conv.weight, self.weight_scale, self.weight_zero, 0, -128, 127)
        y = nn.functional.conv2d(x, w, self.conv.bias, self.conv.stride, self.conv.padding)
        return torch.fake_quantize_per_tensor_affine(y, self.output_q[0], self.output_q[1], 0, 255)


def main(weights_path, out_path, calibration_path, height, width):
    saved = torch.load(weights_path, map_location="cpu")
    config = saved["config"]
    model = UNet(2, config["depth"], config["baseWidth"], config["norm"], config["stem"])
    model.load_state_dict(saved["model"])
    model.eval()
    frames = torch.from_numpy(np.fromfile(calibration_path, dtype=np.float32)).reshape(-1, 1, height, width)
    ranges = {}

    def observe(module, inputs, output):
        seen = ranges.setdefault(module, [np.inf, -np.inf, np.inf, -np.inf])
        seen[0] = min(seen[0], inputs[0].min().item())
        seen[1] = max(seen[1], inputs[0].max().item())
        seen[2] = min(seen[2], output.min().item())
        seen[3] = max(seen[3], output.max().item())

    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    hooks = [conv.register_forward_hook(observe) for conv in convs]
    with torch.no_grad():
        for frame in frames:
            model(frame[None])
    for hook in hooks:
        hook.remove()

    def swap(parent):
        for name, child in parent.named_children():
            if isinstance(child, nn.Conv2d):
                setattr(parent, name, QuantisedConv(child, ranges[child]))
            else:
                swap(child)

    swap(model)
    torch.onnx.export(
        model, (torch.zeros(1, 1, 32, 32),), out_path,
        input_names=["image"], output_names=["heatmap", "features"],
        dynamic_axes={name: {0: "batch", 2: "height", 3: "width"} for name in ("image", "heatmap", "features")},
        opset_version=13, do_constant_folding=True,
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
