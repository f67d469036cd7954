"""Whole runs on the tiny dataset: bundle contents, exact resume, NaN stop, data parallel."""

import hashlib
import json
import os

import pytest
import torch

import dicentra_train.train as train_module
from dicentra_train.__main__ import main
from dicentra_train.errors import TrainingDiverged
from dicentra_train.interrupt import StopFlag
from dicentra_train.model import UNet
from dicentra_train.setup import RunRequest, prepare_run
from dicentra_train.state import load_state
from dicentra_train.train import train_process

from conftest import TINY


def _run(data: str, out: str, resume: bool = False, after_batch=None, overrides=None) -> str:
    stop = StopFlag()

    def hook(epoch, batch):
        if after_batch and after_batch(epoch, batch):
            stop.request()

    setup = prepare_run(RunRequest(data, out, overrides or TINY, resume))
    return train_process(setup, stop, after_batch=hook)


def _bundle(out: str) -> dict:
    with open(os.path.join(out, "bundle.json")) as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def reference_run(tiny_dataset, tmp_path_factory) -> str:
    out = str(tmp_path_factory.mktemp("reference") / "run")
    assert _run(tiny_dataset, out) == "done"
    return out


def test_a_run_writes_members_after_warmup_with_hashes_and_validation(reference_run):
    bundle = _bundle(reference_run)
    assert [m["epoch"] for m in bundle["members"]] == [2, 3]
    for member in bundle["members"]:
        with open(os.path.join(reference_run, member["file"]), "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == member["sha256"]
        assert member["validation"]["tc"] == 0.5
        assert set(member["validation"]["precision"]) == {"dicentric", "fragment"}
    assert bundle["input"] == {"channels": 1, "padMultiple": 8, "padMode": "reflect", "padValue": 0,
                               "normalisation": {"kind": "minmax"}}
    # 3×3 convs without bias (batch norm follows), BN γ/β, 2×2 up-convs with bias, 1×1 head with bias
    assert bundle["architecture"] == {"name": "unet", "depth": 3, "baseWidth": 4, "norm": "batch", "stem": "none",
                                      "parameters": sum(p.numel() for p in UNet(2, 3, 4).parameters()),
                                      "featureChannels": 16}
    assert bundle["training"]["config"]["batchSize"] == 2 and bundle["training"]["seed"] == 0


def test_resume_after_an_interrupted_epoch_gives_the_same_bundle(tiny_dataset, reference_run, tmp_path):
    out = str(tmp_path / "run")
    assert _run(tiny_dataset, out, after_batch=lambda epoch, batch: epoch == 3 and batch == 1) == "interrupted"
    assert [m["epoch"] for m in _bundle(out)["members"]] == [2]  # valid, holds only finished epochs
    assert load_state(out)["epoch"] == 2
    assert _run(tiny_dataset, out, resume=True, overrides={}) == "done"
    assert _bundle(out)["members"] == _bundle(reference_run)["members"]


def test_a_crash_between_member_and_state_never_duplicates_the_member(tiny_dataset, reference_run, tmp_path, monkeypatch):
    out = str(tmp_path / "run")
    real_save = train_module.save_state

    def crash_at_epoch_3(run_dir, epoch, *args):
        if epoch == 3:
            raise RuntimeError("simulated power cut")
        real_save(run_dir, epoch, *args)

    monkeypatch.setattr(train_module, "save_state", crash_at_epoch_3)
    with pytest.raises(RuntimeError):
        _run(tiny_dataset, out)
    assert [m["epoch"] for m in _bundle(out)["members"]] == [2, 3]
    monkeypatch.setattr(train_module, "save_state", real_save)
    assert _run(tiny_dataset, out, resume=True, overrides={}) == "done"
    assert _bundle(out)["members"] == _bundle(reference_run)["members"]


def test_resume_refuses_a_changed_setting_and_fresh_runs_refuse_a_used_folder(tiny_dataset, reference_run):
    with pytest.raises(Exception) as changed:
        prepare_run(RunRequest(tiny_dataset, reference_run, {"lambda": 0.5}, resume=True))
    assert getattr(changed.value, "code", None) == "DCN_E_RUN_STATE" and changed.value.field == "lambda"
    with pytest.raises(Exception) as used:
        prepare_run(RunRequest(tiny_dataset, reference_run, TINY, resume=False))
    assert getattr(used.value, "code", None) == "DCN_E_RUN_STATE"


def test_a_nan_loss_stops_the_run_with_a_clear_error_and_writes_no_member(tiny_dataset, tmp_path, monkeypatch):
    out = str(tmp_path / "run")
    monkeypatch.setattr(train_module, "per_image_loss", lambda phi, *a: phi.float().sum(dim=(1, 2, 3)) * float("nan"))
    with pytest.raises(TrainingDiverged) as diverged:
        _run(tiny_dataset, out)
    assert (diverged.value.epoch, diverged.value.batch) == (1, 1)
    assert diverged.value.code == "DCN_E_TRAINING_DIVERGED" and "nan" in diverged.value.message
    assert _bundle(out)["members"] == []


def test_two_process_data_parallel_run_writes_a_valid_bundle(tiny_dataset, tmp_path, capfd):
    out = str(tmp_path / "ddp")
    overrides = dict(TINY, epochs=2, warmup=1)
    code = main(["train", "--data", tiny_dataset, "--out", out, "--nproc", "2", "--config-json", json.dumps(overrides)])
    assert code == 0
    events = [json.loads(line) for line in capfd.readouterr().out.splitlines() if line.startswith("{")]
    assert [e["world"] for e in events if e["event"] == "started"] == [2]
    assert [e["event"] for e in events][-1] == "done"
    bundle = _bundle(out)
    assert [m["epoch"] for m in bundle["members"]] == [2]
    with open(os.path.join(out, bundle["members"][0]["file"]), "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == bundle["members"][0]["sha256"]
    assert torch.isfinite(torch.tensor(bundle["members"][0]["validation"]["loss"]))


def test_init_from_starts_at_the_parent_runs_final_weights_and_records_them(tiny_dataset, reference_run, tmp_path):
    out = str(tmp_path / "child")
    setup = prepare_run(RunRequest(tiny_dataset, out, {**TINY, "initFrom": reference_run, "epochs": 2}))
    stop = StopFlag()
    starts = []
    # The state written before the first batch holds the starting weights.
    train_process(setup, stop, after_batch=lambda e, b: starts.append(load_state(out)["model"]) if not starts else None)
    parent = load_state(reference_run)
    for name, tensor in parent["model"].items():
        assert torch.equal(starts[0][name], tensor), name
    with open(os.path.join(reference_run, "state", "last.pt"), "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    assert _bundle(out)["training"]["initFrom"] == {"path": reference_run, "file": "state/last.pt", "epoch": 3,
                                                    "sha256": digest}
    assert _bundle(out)["version"] == "1.2"


def test_a_finished_run_writes_weights_that_start_a_run_from_a_folder_without_state(tiny_dataset, reference_run, tmp_path):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for name in ("bundle.json", "weights.pt"):
        with open(os.path.join(reference_run, name), "rb") as source, open(shipped / name, "wb") as target:
            target.write(source.read())
    weights = torch.load(str(shipped / "weights.pt"), map_location="cpu")
    final = load_state(reference_run)
    assert weights["epoch"] == 3
    for name, tensor in final["model"].items():
        assert torch.equal(weights["model"][name], tensor), name
    out = str(tmp_path / "child")
    setup = prepare_run(RunRequest(tiny_dataset, out, {**TINY, "initFrom": str(shipped), "epochs": 1, "warmup": 0}))
    assert train_process(setup, StopFlag()) == "done"
    assert _bundle(out)["training"]["initFrom"]["file"] == "weights.pt"


def test_init_from_refuses_another_architecture_or_a_folder_without_a_run(tiny_dataset, reference_run, tmp_path):
    with pytest.raises(Exception, match="baseWidth 4, this run 8"):
        prepare_run(RunRequest(tiny_dataset, str(tmp_path / "a"), {**TINY, "baseWidth": 8, "initFrom": reference_run}))
    with pytest.raises(Exception, match="holds no training run"):
        prepare_run(RunRequest(tiny_dataset, str(tmp_path / "b"), {**TINY, "initFrom": str(tmp_path)}))
