"""One network with a shared trunk and one head per member, trained to reproduce
each member's heatmaps, for the distillation bench (bench/distillation.bench.ts).

usage: distil-student.py WEIGHTS_PT DATA_DIR OUT_ONNX STEPS SEED

DATA_DIR holds frames.json ({"members", "classes", "frames": [{"input", "teacher",
"height", "width"}]}): per frame the network input (float32 1×H×W, prepared by the
bundle's input rule) and the members' heatmaps (uint16, value × 65535,
members × classes × H/4 × W/4), both raw files.

The student is the bundle's U-Net with its final weights (WEIGHTS_PT), whose head
(the head block and the 1×1 convolution) is copied once per member; all of it is
trained on 256² crops (offsets on the 16-pixel pooling grid) to the members'
heatmaps, L2 weighted ten times more where the member's value exceeds 0.1 (the
few cells that can vote). Output: ONNX, input `image`, output `heatmap`
(N × members·classes × H/4 × W/4, member-major), opset 13.
"""

import copy
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from dicentra_train.model import UNet  # noqa: E402

CROP = 256
BATCH = 8
GRID = 16


class Student(nn.Module):
    def __init__(self, trunk: UNet, members: int):
        super().__init__()
        self.trunk = trunk
        self.heads = nn.ModuleList(
            nn.Sequential(copy.deepcopy(trunk.head_block), copy.deepcopy(trunk.head)) for _ in range(members)
        )

    def forward(self, image):
        x = self.trunk.stem(image)
        skips = {}
        for index, block in enumerate(self.trunk.encoder):
            level = self.trunk.first_level + index
            if index > 0:
                x = self.trunk.pool(x)
            x = block(x)
            skips[level] = x
        for index, up in enumerate(self.trunk.decoder):
            x = up(x, skips[self.trunk.depth - 1 - index])
        return torch.cat([torch.sigmoid(head(x)) for head in self.heads], dim=1)


def main(weights_path, data_dir, out_path, steps, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    saved = torch.load(weights_path, map_location="cpu")
    config = saved["config"]
    trunk = UNet(2, config["depth"], config["baseWidth"], config["norm"], config["stem"])
    trunk.load_state_dict(saved["model"])
    with open(os.path.join(data_dir, "frames.json")) as handle:
        plan = json.load(handle)
    members, classes = plan["members"], plan["classes"]
    inputs, teachers = [], []
    for frame in plan["frames"]:
        h, w = frame["height"], frame["width"]
        inputs.append(np.fromfile(os.path.join(data_dir, frame["input"]), dtype=np.float32).reshape(1, h, w))
        teachers.append(
            np.fromfile(os.path.join(data_dir, frame["teacher"]), dtype=np.uint16).reshape(members * classes, h // 4, w // 4)
        )
    student = Student(trunk, members)
    student.train()
    optimiser = torch.optim.AdamW(student.parameters(), lr=3e-4, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, steps, eta_min=3e-5)
    for step in range(steps):
        crops, targets = [], []
        for _ in range(BATCH):
            k = int(rng.integers(len(inputs)))
            _, h, w = inputs[k].shape
            y = int(rng.integers((h - CROP) // GRID + 1)) * GRID
            x = int(rng.integers((w - CROP) // GRID + 1)) * GRID
            crops.append(inputs[k][:, y : y + CROP, x : x + CROP])
            targets.append(teachers[k][:, y // 4 : (y + CROP) // 4, x // 4 : (x + CROP) // 4].astype(np.float32) / 65535)
        image = torch.from_numpy(np.stack(crops))
        target = torch.from_numpy(np.stack(targets))
        output = student(image)
        weight = 1 + 9 * (target > 0.1).float()
        loss = (weight * (output - target) ** 2).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        if step % 50 == 0 or step == steps - 1:
            print(json.dumps({"step": step, "loss": loss.item()}), flush=True)
    student.eval()
    with torch.no_grad():
        torch.onnx.export(
            student, (torch.zeros(1, 1, 32, 32),), out_path,
            input_names=["image"], output_names=["heatmap"],
            dynamic_axes={name: {0: "batch", 2: "height", 3: "width"} for name in ("image", "heatmap")},
            opset_version=13, do_constant_folding=True,
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
