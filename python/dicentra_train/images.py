"""Image decoding and the model's input rule (the same rule TypeScript inference
applies; it is written into bundle.json's `input`).

Input rule, in order:
1. grey: colour is mixed by BT.601 luma, 0.299 R + 0.587 G + 0.114 B, in float;
   alpha ignored; 8- and 16-bit values kept in their native scale;
2. normalisation per image to [0, 1]: `minmax` is (x − min) / (max − min)
   (a flat image becomes 0); `percentile` is (x − q_low) / (q_high − q_low)
   clipped to [0, 1], percentiles by linear interpolation between closest ranks
   (numpy's default, R type 7);
3. padding at the bottom and right up to the next multiple of `padMultiple`
   (2**depth): `reflect` mirrors without repeating the edge pixel (numpy
   "reflect", torch "reflect"), `edge` repeats it, `constant` uses padValue.
"""

import math
from typing import Any, Dict, Tuple

import numpy as np
from PIL import Image

from .errors import WorkerError

BT601 = (0.299, 0.587, 0.114)
# PIL modes that already hold one grey channel at native depth (I;16 = 16-bit).
GREY_MODES = ("L", "I", "I;16", "I;16B", "I;16L", "F")


def read_grey(path: str) -> np.ndarray:
    """Decodes an image to a float32 grey array in its native scale (H×W)."""
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode in ("1", "LA", "La"):
                image = image.convert("L")
            elif image.mode not in GREY_MODES:
                # Palette, RGB(A), CMYK…: 8 bits per channel in PIL; 16-bit colour is read as 8-bit.
                image = image.convert("RGB")
            array = np.asarray(image)
    except FileNotFoundError as error:
        raise WorkerError(
            "DCN_E_IMAGE_MISSING", f"image {path} does not exist", file=path,
            hint="check the path (dataset paths are relative to the folder of dataset.json)", exit_code=3,
        ) from error
    except (OSError, ValueError, SyntaxError) as error:
        raise WorkerError(
            "DCN_E_IMAGE_DECODE", f"image {path} could not be decoded: {error}", file=path,
            hint="the file may be truncated or not an image; re-export it as PNG or TIFF", exit_code=3,
        ) from error
    if array.ndim == 3:
        rgb = array[..., :3].astype(np.float64)
        grey = BT601[0] * rgb[..., 0] + BT601[1] * rgb[..., 1] + BT601[2] * rgb[..., 2]
        return grey.astype(np.float32)
    return array.astype(np.float32)


def normalise(image: np.ndarray, rule: Dict[str, Any]) -> np.ndarray:
    """Maps one image to [0, 1] by the recorded rule (computed in float64)."""
    values = image.astype(np.float64)
    if rule["kind"] == "minmax":
        low, high = float(values.min()), float(values.max())
    else:
        low, high = (float(q) for q in np.percentile(values, [rule["low"], rule["high"]]))
    if high <= low:
        return np.zeros(image.shape, dtype=np.float32)
    scaled = (values - low) / (high - low)
    return np.clip(scaled, 0.0, 1.0).astype(np.float32)


def padded_size(height: int, width: int, multiple: int) -> Tuple[int, int]:
    """888×1008 with multiple 16 → 896×1008."""
    return math.ceil(height / multiple) * multiple, math.ceil(width / multiple) * multiple


def pad(image: np.ndarray, multiple: int, mode: str, value: float = 0.0) -> np.ndarray:
    height, width = image.shape
    target_h, target_w = padded_size(height, width, multiple)
    widths = ((0, target_h - height), (0, target_w - width))
    if widths == ((0, 0), (0, 0)):
        return image
    if mode == "constant":
        return np.pad(image, widths, mode="constant", constant_values=value)
    return np.pad(image, widths, mode="reflect" if mode == "reflect" else "edge")


def prepare(image: np.ndarray, rule: Dict[str, Any], multiple: int, mode: str) -> np.ndarray:
    """The whole input rule: normalise then pad."""
    return pad(normalise(image, rule), multiple, mode)
