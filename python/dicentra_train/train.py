"""The training loop: one visible loop over epochs and batches.

Per epoch: the seeded batch plan (data.epoch_batches), a forward/backward/step
per batch with a NaN/inf check, then on the writing process (rank 0):
validation, the ONNX member when the epoch is past warm-up, bundle.json, and
the full training state. Data-parallel runs (distributed.py) share each batch
between processes; gradients are averaged by DistributedDataParallel.
"""

import contextlib
import os
import time
from typing import Callable, Optional

import torch
import torch.distributed as dist

from .bundle import member_file, read_bundle, write_bundle
from .data import assemble, epoch_batches, load_splits
from .errors import TrainingDiverged
from .events import emit, log
from .export import export_onnx
from .files import sha256_of
from .interrupt import StopFlag
from .loss import per_image_loss
from .model import build_model
from .optim import build_optimizer
from .setup import Setup
from .state import load_starting_weights, load_state, restore_rng, save_state, save_weights
from .validate import evaluate, zero_prediction_loss

Hook = Optional[Callable[[int, int], None]]  # called after each batch with (epoch, batch)


def _precision(config, device: torch.device) -> Optional[torch.dtype]:
    if config.precision == "bf16":
        return torch.bfloat16
    if config.precision == "auto" and device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return None


def _autocast(device: torch.device, dtype: Optional[torch.dtype]):
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def _drop_orphan_members(run_dir: str, finished_epoch: int) -> None:
    """Members later than the saved state belong to an interrupted epoch: replayed, not duplicated."""
    bundle = read_bundle(run_dir)
    kept = [m for m in bundle["members"] if m["epoch"] <= finished_epoch]
    if len(kept) != len(bundle["members"]):
        bundle["members"] = kept
        write_bundle(run_dir, bundle)
    members_dir = os.path.join(run_dir, "members")
    if os.path.isdir(members_dir):
        names = {os.path.basename(m["file"]) for m in kept}
        for name in os.listdir(members_dir):
            if name.endswith(".onnx") and name not in names:
                os.unlink(os.path.join(members_dir, name))


def train_process(setup: Setup, stop: StopFlag, rank: int = 0, world: int = 1, after_batch: Hook = None) -> str:
    """Runs the loop; returns "done" or "interrupted". Raises WorkerError on failure."""
    config, out = setup.config, setup.request.out
    writer = rank == 0
    if config.threads:
        torch.set_num_threads(config.threads)
    device = torch.device(setup.device if world == 1 or setup.device == "cpu" else f"cuda:{rank}")
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    channels_last = config.channels_last if config.channels_last is not None else device.type == "cuda"
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    dtype = _precision(config, device)
    splits = load_splits(setup.dataset, config, setup.cache_dir)
    train, val = splits["train"], splits.get("val")

    model = build_model(config, len(setup.dataset.classes))
    optimizer = build_optimizer(model.parameters(), config)
    if setup.request.resume:
        state = load_state(out)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        restore_rng(state)
        if writer:
            _drop_orphan_members(out, setup.start_epoch)
    else:
        if config.init_from is not None:
            model.load_state_dict(load_starting_weights(config.init_from)["model"])
        if writer:
            save_state(out, 0, model, optimizer, config.to_json(), setup.dataset.sha256)
    model.to(device=device, memory_format=memory_format)
    # Optimiser tensors follow the parameters' device (a state loaded on CPU, trained on CUDA).
    for value in optimizer.state.values():
        for key, tensor in value.items():
            if torch.is_tensor(tensor) and key != "step":
                value[key] = tensor.to(device)
    net = model
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)

    zero_loss = zero_prediction_loss(val, config) if val is not None else None
    if writer:
        emit("started", classes=setup.dataset.classes, train=len(train), val=len(val) if val else 0,
             epochs=config.epochs, startEpoch=setup.start_epoch, warmup=config.warmup, device=str(device),
             precision="bf16" if dtype is not None else "fp32", channelsLast=channels_last, world=world,
             parameters=sum(p.numel() for p in model.parameters()), zeroLoss=zero_loss, seed=config.seed,
             shuffleSeed=config.batch_seed)
        log(f"training on {device} ({'bf16' if dtype is not None else 'fp32'}), {len(train)} train / "
            f"{len(val) if val else 0} val images, epochs {setup.start_epoch + 1}..{config.epochs}")

    for epoch in range(setup.start_epoch + 1, config.epochs + 1):
        started = time.time()
        batches = epoch_batches(train, epoch, config, world)
        net.train()
        loss_sum, count = 0.0, 0
        for number, batch in enumerate(batches, start=1):
            mine = batch[rank::world]
            images, targets = assemble(train, mine)
            images = torch.from_numpy(images).to(device).contiguous(memory_format=memory_format)
            targets = torch.from_numpy(targets).to(device)
            with _autocast(device, dtype):
                heatmap, _ = net(images)
            per_image = per_image_loss(heatmap, targets, config.training_lambda(epoch), config.rho, config.loss_epsilon)
            # Scaled so that DDP's gradient average equals the mean over the whole global batch.
            loss = per_image.sum() * world / len(batch)
            flags = torch.tensor([float(per_image.detach().sum()), float(len(mine)),
                                  float(stop.requested), float(not torch.isfinite(per_image).all())])
            if world > 1:
                dist.all_reduce(flags)
            if flags[3] > 0:
                raise TrainingDiverged(epoch, number, float(flags[0]))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            for group in optimizer.param_groups:
                group["lr"] = config.learning_rate_at(epoch, number, len(batches))
            optimizer.step()
            loss_sum, count = loss_sum + float(flags[0]), count + int(flags[1])
            if writer:
                emit("batch", epoch=epoch, batch=number, batches=len(batches), loss=float(flags[0]) / float(flags[1]))
            if after_batch:
                after_batch(epoch, number)
            if flags[2] > 0:
                if writer:
                    emit("interrupted", epoch=epoch, finishedEpoch=epoch - 1)
                    log(f"interrupted in epoch {epoch}; the run continues from epoch {epoch} with --resume")
                return "interrupted"
        if writer:
            _finish_epoch(setup, model, optimizer, epoch, loss_sum / max(count, 1), zero_loss, val, device, started)
        if world > 1:
            dist.barrier()
    if writer:
        save_weights(out, config.epochs, model, config.to_json())
        emit("done", epochs=config.epochs, members=len(read_bundle(out)["members"]), bundle=os.path.join(out, "bundle.json"))
    return "done"


def _finish_epoch(setup: Setup, model, optimizer, epoch: int, train_loss: float, zero_loss, val, device, started: float) -> None:
    config, out = setup.config, setup.request.out
    validation = evaluate(model, val, config, device) if val is not None else None
    member = None
    if epoch > config.warmup:
        member = member_file(epoch)
        export_onnx(model, os.path.join(out, member), config.pad_multiple)
        entry = {"epoch": epoch, "file": member, "sha256": sha256_of(os.path.join(out, member))}
        if validation is not None:
            entry["validation"] = validation.to_json(config.validation_tc)
        bundle = read_bundle(out)
        bundle["members"] = [m for m in bundle["members"] if m["epoch"] != epoch] + [entry]
        write_bundle(out, bundle)
        emit("member", epoch=epoch, file=member, sha256=entry["sha256"])
    save_state(out, epoch, model, optimizer, config.to_json(), setup.dataset.sha256)
    seconds = time.time() - started
    emit("epoch", epoch=epoch, epochs=config.epochs, trainLoss=train_loss,
         valLoss=validation.loss if validation else None, zeroLoss=zero_loss,
         tc=config.validation_tc, precision=validation.precision if validation else None,
         recall=validation.recall if validation else None, member=member, seconds=seconds)
    log(f"epoch {epoch}/{config.epochs}: train loss {train_loss:.4g}"
        + (f", val loss {validation.loss:.4g} (all-zero {zero_loss:.4g})" if validation else "")
        + f", {seconds:.1f}s" + (f", member {member}" if member else ""))

