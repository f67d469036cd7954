"""Heatmap targets and ground-truth disks at the output resolution.

Points are [x, y] in input pixels with the origin at the top-left corner of the
image, so the point lies in heatmap cell (floor(y / s), floor(x / s)) for output
stride s. The target is a Gaussian of σ heatmap pixels centred on that cell, so
its value is exactly 1 there; overlapping spots combine by maximum (not sum),
so no target exceeds 1.
"""

from typing import Sequence, Tuple

import numpy as np


def point_cell(x: float, y: float, stride: int, shape: Tuple[int, int]) -> Tuple[int, int]:
    row = min(max(int(np.floor(y / stride)), 0), shape[0] - 1)
    col = min(max(int(np.floor(x / stride)), 0), shape[1] - 1)
    return row, col


def gaussian_target(points: Sequence[Sequence[float]], shape: Tuple[int, int], stride: int, sigma: float) -> np.ndarray:
    """One class's target map (h×w float32) for points in input pixels."""
    target = np.zeros(shape, dtype=np.float32)
    rows = np.arange(shape[0], dtype=np.float64)[:, None]
    cols = np.arange(shape[1], dtype=np.float64)[None, :]
    for x, y in points:
        row, col = point_cell(x, y, stride, shape)
        spot = np.exp(-((rows - row) ** 2 + (cols - col) ** 2) / (2.0 * sigma * sigma))
        np.maximum(target, spot.astype(np.float32), out=target)
    return target


def gt_disks(points: Sequence[Sequence[float]], shape: Tuple[int, int], stride: int, radius: float) -> np.ndarray:
    """Ground-truth mask for Fig. 2 counting: heatmap cells whose centre lies within
    `radius` input pixels of a point, plus the cell holding the point itself."""
    mask = np.zeros(shape, dtype=bool)
    centre_y = (np.arange(shape[0], dtype=np.float64)[:, None] + 0.5) * stride
    centre_x = (np.arange(shape[1], dtype=np.float64)[None, :] + 0.5) * stride
    for x, y in points:
        mask |= (centre_x - x) ** 2 + (centre_y - y) ** 2 <= radius * radius
        mask[point_cell(x, y, stride, shape)] = True
    return mask
