"""Training throughput: full training steps (forward, loss, backward, Adam step)
on random inputs, per setting and precision. Prints one `bench` event per
measurement; bench/train.bench.ts turns them into the report."""

import json
import time

import torch

from .config import config_from_json
from .events import emit
from .loss import batch_loss
from .model import build_model
from .optim import build_optimizer


def _steps_per_second(config, height: int, width: int, batch: int, steps: int, bf16: bool) -> float:
    model = build_model(config, 2)
    optimizer = build_optimizer(model.parameters(), config)
    images = torch.rand(batch, 1, height, width)
    targets = torch.zeros(batch, 2, height // 4, width // 4)

    def step() -> None:
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16, enabled=bf16):
            heatmap, _ = model(images)
        loss = batch_loss(heatmap, targets, config.lam, config.rho, config.loss_epsilon)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    step()  # warm-up: oneDNN picks its kernels
    started = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - started)


def run_bench(args) -> None:
    config = config_from_json(json.loads(args.config_json))
    if config.threads:
        torch.set_num_threads(config.threads)
    height, width = (int(v) for v in args.size.lower().split("x"))
    settings = [("whole image", height, width, args.batch)]
    if config.crop is not None:
        settings.append((f"crop {config.crop}", config.crop, config.crop, config.batch_size))
    for name, h, w, batch in settings:
        for precision in args.precisions.split(","):
            rate = _steps_per_second(config, h, w, batch, args.steps, precision == "bf16")
            emit("bench", setting=name, height=h, width=w, batch=batch, precision=precision,
                 threads=torch.get_num_threads(), secondsPerStep=1 / rate, imagesPerSecond=rate * batch)
