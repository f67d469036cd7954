"""Shared fixtures: a tiny synthetic dataset whose ground truth is known by construction."""

import json
import os

import numpy as np
import pytest
from PIL import Image

TINY = {"depth": 3, "baseWidth": 4, "batchSize": 2, "epochs": 3, "warmup": 1, "threads": 1}


def make_dataset(folder: str, count: int = 6, size: int = 64, seed: int = 3) -> str:
    """Grey images with a bright spot at each "dicentric" point and a dark bar at each
    "fragment" point, on a noisy background; two thirds train, one third val."""
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(folder, "images"), exist_ok=True)
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    images = []
    for index in range(count):
        pixels = 180 + rng.normal(0, 6, (size, size))
        points = {"dicentric": [], "fragment": []}
        for name in points:
            for _ in range(int(rng.integers(1, 3))):
                x, y = (float(v) for v in rng.uniform(8, size - 8, 2))
                points[name].append([round(x, 2), round(y, 2)])
                spot = np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * 2.5 ** 2))
                pixels += 70 * spot if name == "dicentric" else -120 * spot
        path = f"images/img-{index}.png"
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(os.path.join(folder, path))
        images.append({"id": f"img-{index}", "path": path, "width": size, "height": size,
                       "split": "val" if index % 3 == 2 else "train", "points": points})
    dataset = {"version": "1.0", "classes": ["dicentric", "fragment"], "images": images}
    path = os.path.join(folder, "dataset.json")
    with open(path, "w") as handle:
        json.dump(dataset, handle)
    return path


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory) -> str:
    return make_dataset(str(tmp_path_factory.mktemp("data")))
