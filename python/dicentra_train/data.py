"""The dataset: dataset.json in, normalised padded images and targets out.

Every image is decoded once and stored, after the input rule (images.py), in a
memory-mapped float32 file under the run's cache folder, keyed by the dataset's
hash and the input rule; later epochs and resumed runs read slices of it and
never decode a PNG again. Targets are small (1/16 of the pixels per class) and
kept in memory.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .config import OUTPUT_STRIDE, TrainConfig
from .errors import WorkerError
from .images import padded_size, prepare, read_grey
from .targets import gaussian_target, gt_disks


@dataclass(frozen=True)
class ImageEntry:
    id: str
    path: str
    height: int
    width: int
    points: Dict[str, List[Tuple[float, float]]]
    lookalikes: Tuple[Tuple[float, float], ...] = ()  # centres of tagged confounders (truth.json)


@dataclass(frozen=True)
class DatasetFile:
    path: str
    sha256: str
    classes: List[str]
    images: Dict[str, List[ImageEntry]]  # by split


# Confounder tags of `dicentra synth` (docs/synthetic.md) whose objects look like a target
# but are not one. Common look-alikes (small acrocentrics, splayed sisters) are in every crop.
LOOKALIKE_TAGS = frozenset({"touching-end-to-end", "crossing", "sharp-bend", "separated-sisters"})
TRUTH_FILE = "truth.json"


def read_lookalikes(dataset_path: str) -> Optional[Dict[str, Tuple[Tuple[float, float], ...]]]:
    """Bounding-box centres of the tagged look-alikes per image id, from the generator's
    truth.json beside dataset.json; None when there is none (real data)."""
    path = os.path.join(os.path.dirname(os.path.abspath(dataset_path)), TRUTH_FILE)
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as handle:
            truth = json.load(handle)
        return {
            image["id"]: tuple(((o["bbox"][0] + o["bbox"][2]) / 2, (o["bbox"][1] + o["bbox"][3]) / 2)
                               for o in image["objects"] if not o["target"] and LOOKALIKE_TAGS.intersection(o.get("tags", ())))
            for image in truth["images"]
        }
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise WorkerError("DCN_E_SCHEMA_INVALID", f"{path} does not match the generator's truth format ({error!r})",
                          file=path, hint="use the truth.json written by `dicentra synth`, or set lookalikeFocus to 0",
                          exit_code=2) from error


def read_dataset(path: str, with_lookalikes: bool = False) -> DatasetFile:
    """Reads the parts of dataset.json training needs (the CLI validated the whole file),
    with the look-alikes of truth.json when asked for and present."""
    try:
        with open(path, "rb") as handle:
            raw_bytes = handle.read()
    except FileNotFoundError as error:
        raise WorkerError("DCN_E_FILE_NOT_FOUND", f"dataset {path} does not exist", file=path, hint="check the path", exit_code=3) from error
    try:
        raw = json.loads(raw_bytes)
        if str(raw["version"]).split(".")[0] != "1":
            raise WorkerError("DCN_E_VERSION_UNSUPPORTED", f"dataset {path} has version {raw['version']}; this trainer reads 1.x",
                              file=path, field="version", hint="use a dataset written by this dicentra", exit_code=2)
        classes = [str(name) for name in raw["classes"]]
        folder = os.path.dirname(os.path.abspath(path))
        lookalikes = (read_lookalikes(path) if with_lookalikes else None) or {}
        images: Dict[str, List[ImageEntry]] = {"train": [], "val": [], "test": [], "none": []}
        for item in raw["images"]:
            if "points" not in item:
                continue  # not annotated: cannot be trained or validated on
            points = {name: [(float(x), float(y)) for x, y in item["points"].get(name, [])] for name in classes}
            images[item["split"]].append(ImageEntry(
                item["id"], os.path.join(folder, item["path"]), int(item["height"]), int(item["width"]), points,
                lookalikes.get(item["id"], ())))
    except WorkerError:
        raise
    except (KeyError, TypeError, ValueError) as error:
        raise WorkerError("DCN_E_SCHEMA_INVALID", f"dataset {path} does not match its schema ({error!r})", file=path,
                          hint="run `dicentra validate` on it", exit_code=2) from error
    return DatasetFile(path, hashlib.sha256(raw_bytes).hexdigest(), classes, images)


class CachedSplit:
    """The images of one split after the input rule, with their targets and GT disks."""

    def __init__(self, entries: Sequence[ImageEntry], classes: Sequence[str], config: TrainConfig, cache_dir: str,
                 dataset_sha256: str, split: str, on_decoded: Optional[Callable[[int, int], None]] = None) -> None:
        self.entries = list(entries)
        self.classes = list(classes)
        self.shapes = [padded_size(e.height, e.width, config.pad_multiple) for e in self.entries]
        sizes = [h * w for h, w in self.shapes]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        rule = {"normalisation": config.normalisation, "padMultiple": config.pad_multiple, "padMode": config.pad_mode}
        key = hashlib.sha256(json.dumps([dataset_sha256, split, rule], sort_keys=True).encode()).hexdigest()[:16]
        self.pixels = self._load_or_build(cache_dir, f"{split}-{key}", config, on_decoded)
        self.targets = [
            np.stack([gaussian_target(e.points[name], (h // OUTPUT_STRIDE, w // OUTPUT_STRIDE), OUTPUT_STRIDE, config.target_sigma)
                      for name in self.classes])
            for e, (h, w) in zip(self.entries, self.shapes)
        ]
        self.disks = [
            np.stack([gt_disks(e.points[name], (h // OUTPUT_STRIDE, w // OUTPUT_STRIDE), OUTPUT_STRIDE, config.gt_radius)
                      for name in self.classes])
            for e, (h, w) in zip(self.entries, self.shapes)
        ]

    def __len__(self) -> int:
        return len(self.entries)

    def _load_or_build(self, cache_dir: str, name: str, config: TrainConfig,
                       on_decoded: Optional[Callable[[int, int], None]]) -> np.ndarray:
        total = int(self.offsets[-1])
        path = os.path.join(cache_dir, name + ".f32")
        if os.path.exists(path) and os.path.getsize(path) == total * 4:
            return np.memmap(path, dtype=np.float32, mode="r", shape=(max(total, 1),))[:total]
        os.makedirs(cache_dir, exist_ok=True)
        temp = f"{path}.{os.getpid()}.tmp"
        pixels = np.memmap(temp, dtype=np.float32, mode="w+", shape=(max(total, 1),))
        for index, entry in enumerate(self.entries):
            image = read_grey(entry.path)
            if image.shape != (entry.height, entry.width):
                raise WorkerError("DCN_E_IMAGE_SIZE_MISMATCH",
                                  f"image {entry.path} is {image.shape[1]}×{image.shape[0]} but the dataset records "
                                  f"{entry.width}×{entry.height}", file=entry.path, hint="run `dicentra validate`", exit_code=2)
            ready = prepare(image, config.normalisation, config.pad_multiple, config.pad_mode)
            pixels[self.offsets[index]:self.offsets[index + 1]] = ready.ravel()
            if on_decoded:
                on_decoded(index + 1, len(self.entries))
        pixels.flush()
        del pixels
        os.replace(temp, path)
        return np.memmap(path, dtype=np.float32, mode="r", shape=(max(total, 1),))[:total]

    def image(self, index: int) -> np.ndarray:
        h, w = self.shapes[index]
        return self.pixels[self.offsets[index]:self.offsets[index + 1]].reshape(h, w)


@dataclass(frozen=True)
class Piece:
    """One training sample: an image, or a crop of it, at input-pixel offsets (multiples of 4)."""
    index: int
    top: int
    left: int
    height: int
    width: int


def epoch_batches(split: CachedSplit, epoch: int, config: TrainConfig, world: int = 1) -> List[List[Piece]]:
    """The epoch's global batches, in order. A function of (batch seed, epoch) only,
    so a resumed run replays an interrupted epoch exactly.

    Whole images are grouped by padded size (a batch needs one shape); crops are
    square windows at offsets that are multiples of the output stride, so the
    target window is exact.
    """
    rng = np.random.default_rng([config.batch_seed, epoch])
    order = rng.permutation(len(split))
    if config.crop is not None:
        pieces = []
        for index in order:
            h, w = split.shapes[index]
            size = config.crop
            if size > h or size > w:
                raise WorkerError("DCN_E_OPTION_INVALID",
                                  f"crop {size} is larger than image {split.entries[index].id} ({w}×{h} after padding)",
                                  field="crop", hint=f"use --crop {min(h, w) // config.pad_multiple * config.pad_multiple} or less",
                                  exit_code=2)
            entry = split.entries[index]
            points = [p for name in split.classes for p in entry.points[name]]
            # One draw decides the crop's kind (none when no focus applies: older runs replay exactly).
            draw = (config.crop_focus > 0 and points) or config.lookalike_focus > 0
            u = rng.random() if draw else 1.0
            focus = points if u < config.crop_focus and points else (
                entry.lookalikes if config.crop_focus <= u < config.crop_focus + config.lookalike_focus else ())
            if focus:
                x, y = focus[int(rng.integers(0, len(focus)))]
                top = _offset_around(rng, y, size, h)
                left = _offset_around(rng, x, size, w)
            else:
                top = int(rng.integers(0, (h - size) // OUTPUT_STRIDE + 1)) * OUTPUT_STRIDE
                left = int(rng.integers(0, (w - size) // OUTPUT_STRIDE + 1)) * OUTPUT_STRIDE
            pieces.append(Piece(int(index), top, left, size, size))
        batches = [pieces[i:i + config.batch_size] for i in range(0, len(pieces), config.batch_size)]
    else:
        by_shape: Dict[Tuple[int, int], List[Piece]] = {}
        for index in order:
            h, w = split.shapes[index]
            by_shape.setdefault((h, w), []).append(Piece(int(index), 0, 0, h, w))
        batches = [group[i:i + config.batch_size] for group in by_shape.values()
                   for i in range(0, len(group), config.batch_size)]
        batches = [batches[i] for i in rng.permutation(len(batches))]
    # Every process of a data-parallel run needs a share of each batch.
    return [batch for batch in batches if len(batch) >= world]


def focus_margin(size: int) -> int:
    """Input pixels kept between a focused point and the crop's edge (context around it)."""
    return min(16, size // 4)


def _offset_around(rng: np.random.Generator, coordinate: float, size: int, extent: int) -> int:
    """A crop offset (a multiple of the output stride) drawn uniformly among those whose
    window [offset, offset + size) holds `coordinate` at least focus_margin(size) from its edges.

    Aberrations are rare (about one per cell), so uniform crops mostly teach
    background; focused crops make sure the rare class is seen every epoch.
    """
    s = OUTPUT_STRIDE
    highest = (extent - size) // s
    margin = focus_margin(size)
    low = max(0, int(np.ceil((coordinate - size + margin) / s)))
    high = min(highest, int(np.floor((coordinate - margin) / s)))
    if low > high:  # point near the image border: the nearest admissible offset
        low = high = min(max(low, 0), highest)
    return int(rng.integers(low, high + 1)) * s


def assemble(split: CachedSplit, pieces: Sequence[Piece]) -> Tuple[np.ndarray, np.ndarray]:
    """Stacks pieces into an input batch N×1×H×W and a target batch N×C×H/4×W/4."""
    images = np.stack([split.image(p.index)[p.top:p.top + p.height, p.left:p.left + p.width] for p in pieces])
    s = OUTPUT_STRIDE
    targets = np.stack([
        split.targets[p.index][:, p.top // s:(p.top + p.height) // s, p.left // s:(p.left + p.width) // s] for p in pieces
    ])
    return images[:, None].astype(np.float32), targets.astype(np.float32)


def load_splits(dataset: DatasetFile, config: TrainConfig, cache_dir: str,
                on_decoded: Optional[Callable[[str, int, int], None]] = None) -> Dict[str, CachedSplit]:
    if not dataset.images["train"]:
        raise WorkerError("DCN_E_DATASET_INVALID", f"dataset {dataset.path} has no annotated image in split \"train\"",
                          file=dataset.path, field="images[].split",
                          hint="assign images to train and val (e.g. `dicentra import --split 0.8,0.1,0.1`)", exit_code=2)
    return {
        split: CachedSplit(dataset.images[split], dataset.classes, config, cache_dir, dataset.sha256, split,
                           (lambda done, total, s=split: on_decoded(s, done, total)) if on_decoded else None)
        for split in ("train", "val") if dataset.images[split]
    }

