"""The cpu preset and the schedules it uses: the preset stays what docs/training.md states,
flags override it, and the learning-rate, λ and look-alike schedules give hand-computed values."""

import dataclasses
import json
import os
import re

import pytest

from dicentra_train.config import PRESETS, TrainConfig, config_from_json
from dicentra_train.data import CachedSplit, epoch_batches, focus_margin, read_dataset, read_lookalikes
from dicentra_train.errors import WorkerError
from dicentra_train.setup import RunRequest, prepare_run
from dicentra_train.interrupt import StopFlag
from dicentra_train.state import load_state
from dicentra_train.train import train_process

from conftest import TINY, make_dataset

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "training.md")


def _documented_preset(name: str) -> dict:
    """The `| `key` | `value` | why |` rows of the doc's table under "### The `NAME` preset"."""
    with open(DOC, encoding="utf-8") as handle:
        text = handle.read()
    section = text.split(f"### The `{name}` preset", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([A-Za-z]+)` \| `([^`]+)` \|", section, flags=re.MULTILINE)
    return {key: json.loads(value) for key, value in rows}


def test_the_cpu_preset_is_the_one_docs_training_md_states():
    documented = _documented_preset("cpu")
    assert len(documented) >= 20
    assert documented == PRESETS["cpu"]


def test_the_cpu_finetune_preset_is_the_one_docs_training_md_states():
    documented = _documented_preset("cpu-finetune")
    assert len(documented) >= 20
    assert documented == PRESETS["cpu-finetune"]


def test_a_preset_sets_its_keys_and_explicit_keys_override_it():
    config = config_from_json({"preset": "cpu"})
    assert config.preset == "cpu"
    assert config.stem == "stride2" and config.base_width == 8 and config.lr_schedule == "cosine"
    assert {key: config.to_json()[key] for key in PRESETS["cpu"]} == PRESETS["cpu"]
    overridden = config_from_json({"preset": "cpu", "epochs": 3, "warmup": 1, "lambda": 0})
    assert (overridden.epochs, overridden.warmup, overridden.lam, overridden.crop) == (3, 1, 0, 256)


def test_an_unknown_preset_is_refused_with_its_field():
    with pytest.raises(WorkerError) as caught:
        config_from_json({"preset": "gpu"})
    assert caught.value.field == "preset" and "cpu" in caught.value.hint


def test_cosine_schedule_warms_up_linearly_then_falls_to_its_floor():
    config = TrainConfig(epochs=3, learning_rate=1.0, lr_schedule="cosine", lr_warmup_epochs=1, lr_min_ratio=0.1)
    # 4 batches per epoch: steps 0–3 warm up, steps 4–11 follow the cosine over 7 intervals.
    assert [config.learning_rate_at(1, b, 4) for b in (1, 2, 4)] == [0.25, 0.5, 1.0]
    assert config.learning_rate_at(2, 1, 4) == 1.0
    # step 8: progress 4/7, 0.1 + 0.9 · ½(1 + cos(4π/7)) = 0.1 + 0.9 · 0.388740 = 0.449866
    assert config.learning_rate_at(3, 1, 4) == pytest.approx(0.449866, abs=1e-6)
    assert config.learning_rate_at(3, 4, 4) == pytest.approx(0.1)
    assert TrainConfig(learning_rate=3e-4).learning_rate_at(7, 3, 9) == 3e-4


def test_lambda_ramps_linearly_from_the_start_epoch():
    config = TrainConfig(lam=0.2, sv_start_epoch=5, sv_ramp_epochs=4)
    assert [config.training_lambda(e) for e in (4, 5, 6, 7, 8, 20)] == pytest.approx([0, 0.05, 0.1, 0.15, 0.2, 0.2])
    assert TrainConfig(lam=0.2, sv_start_epoch=5, sv_ramp_epochs=1).training_lambda(5) == 0.2


def _with_truth(folder: str) -> tuple:
    """A tiny dataset and a truth.json with one tagged look-alike, one untagged chromosome and
    one tagged target per image; returns the dataset path and the look-alike centres by id."""
    path = make_dataset(folder, count=6, size=64)
    with open(path) as handle:
        images = json.load(handle)["images"]
    truth, centres = {"images": []}, {}
    for index, image in enumerate(images):
        x, y = 20 + 4 * index, 40 - 2 * index
        centres[image["id"]] = ((x, y),)
        truth["images"].append({"id": image["id"], "objects": [
            {"type": "monocentric", "target": False, "tags": ["crossing"], "bbox": [x - 6, y - 3, x + 6, y + 3]},
            {"type": "monocentric", "target": False, "tags": [], "bbox": [1, 1, 9, 9]},
            {"type": "dicentric", "target": True, "tags": ["crossing"], "bbox": [50, 50, 60, 60]},
            {"type": "debris", "target": False, "bbox": [30, 2, 34, 6]},
        ]})
    with open(os.path.join(folder, "truth.json"), "w") as handle:
        json.dump(truth, handle)
    return path, centres


def test_lookalike_crops_hold_a_tagged_confounder_away_from_their_edges(tmp_path):
    path, centres = _with_truth(str(tmp_path / "data"))
    assert read_lookalikes(path) == centres
    config = dataclasses.replace(TrainConfig(depth=3, base_width=4), crop=32, lookalike_focus=1.0)
    dataset = read_dataset(path, with_lookalikes=True)
    split = CachedSplit(dataset.images["train"], dataset.classes, config, str(tmp_path / "cache"), dataset.sha256, "train")
    margin = focus_margin(32)
    for epoch in (1, 2):
        for piece in (p for batch in epoch_batches(split, epoch, config) for p in batch):
            (x, y), = centres[split.entries[piece.index].id]
            assert piece.left + margin <= x <= piece.left + 32 - margin
            assert piece.top + margin <= y <= piece.top + 32 - margin


def test_a_cosine_run_trains_each_batch_at_the_scheduled_rate(tmp_path):
    path = make_dataset(str(tmp_path / "data"))
    overrides = {**TINY, "lrSchedule": "cosine", "lrWarmupEpochs": 1, "lrMinRatio": 0.2, "learningRate": 0.01}
    setup = prepare_run(RunRequest(path, str(tmp_path / "run"), overrides))
    assert train_process(setup, StopFlag()) == "done"
    # 4 train images in batches of 2: 2 batches per epoch; the last step is at the floor.
    rates = [group["lr"] for group in load_state(str(tmp_path / "run"))["optimizer"]["param_groups"]]
    assert rates == [pytest.approx(0.002)]
