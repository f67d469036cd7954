"""Validation counting of the paper's Fig. 2, per class, summed over images:

    TP = number of connected components of GT ∧ D
    FP = max(0, cc(D) − TP)
    FN = max(0, cc(GT) − TP)

D = heatmap > T_C, GT = the ground-truth disks (targets.gt_disks), both at the
heatmap resolution; components are 8-connected. Precision = TP/(TP+FP) and
recall = TP/(TP+FN), None when the denominator is 0.
"""

from typing import Dict, List, Optional

import numpy as np

NEIGHBOURS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def count_components(mask: np.ndarray) -> int:
    """Number of 8-connected components of a 2-D boolean mask (flood fill; masks are sparse)."""
    seen = np.zeros(mask.shape, dtype=bool)
    height, width = mask.shape
    count = 0
    for start in zip(*np.nonzero(mask)):
        if seen[start]:
            continue
        count += 1
        seen[start] = True
        stack = [start]
        while stack:
            row, col = stack.pop()
            for dr, dc in NEIGHBOURS:
                r, c = row + dr, col + dc
                if 0 <= r < height and 0 <= c < width and mask[r, c] and not seen[r, c]:
                    seen[r, c] = True
                    stack.append((r, c))
    return count


class Counts:
    """Running TP/FP/FN per class."""

    def __init__(self, classes: List[str]) -> None:
        self.classes = classes
        self.tp = np.zeros(len(classes), dtype=np.int64)
        self.fp = np.zeros(len(classes), dtype=np.int64)
        self.fn = np.zeros(len(classes), dtype=np.int64)

    def add(self, heatmap: np.ndarray, disks: np.ndarray, tc: float) -> None:
        """heatmap and disks: C×h×w for one image."""
        for c in range(len(self.classes)):
            detected = heatmap[c] > tc
            tp = count_components(detected & disks[c])
            self.tp[c] += tp
            self.fp[c] += max(0, count_components(detected) - tp)
            self.fn[c] += max(0, count_components(disks[c]) - tp)

    def precision(self) -> Dict[str, Optional[float]]:
        return {name: _ratio(self.tp[c], self.tp[c] + self.fp[c]) for c, name in enumerate(self.classes)}

    def recall(self) -> Dict[str, Optional[float]]:
        return {name: _ratio(self.tp[c], self.tp[c] + self.fn[c]) for c, name in enumerate(self.classes)}


def _ratio(numerator: int, denominator: int) -> Optional[float]:
    return None if denominator == 0 else float(numerator) / float(denominator)
