"""How much of the processor a training step uses: the step's FLOPs, counted from the
model's convolutions, against the best rate PyTorch reaches here on a large convolution.

FLOPs: 2 per multiply-add of every Conv2d and ConvTranspose2d for the given input
(norms, activations, pooling and the loss are left out: they are memory-bound and
small). A training step is counted as 3× the forward: the backward computes the
gradient of the input and of the weights, each about one forward's work.
The peak is a 3×3 convolution with many channels, forward and backward, timed the
same way; both rates are reported per wall-second and per process CPU-second (the
second is what the step would reach alone on the machine's cores when others share them).
"""

import time
from typing import Callable, Dict, Tuple

import torch
from torch import nn

from .config import config_from_json
from .events import emit
from .loss import batch_loss
from .model import build_model
from .optim import build_optimizer


def forward_flops(model: nn.Module, image: torch.Tensor) -> int:
    """2 × the multiply-adds of the model's convolutions on `image` (any batch size)."""
    total = 0

    def count(module: nn.Module, inputs, output) -> None:
        nonlocal total
        kh, kw = module.kernel_size
        if isinstance(module, nn.ConvTranspose2d):  # every input pixel meets every output channel's kernel
            total += 2 * inputs[0].numel() * module.out_channels // module.groups * kh * kw
        else:  # every output value sums in_channels·kh·kw products
            total += 2 * output.numel() * module.in_channels // module.groups * kh * kw

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    try:
        with torch.no_grad():
            model(image)
    finally:
        for hook in hooks:
            hook.remove()
    return total


def native_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX-512 BF16 or AMX), from /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo") as handle:
            flags = next((line.split(":", 1)[1].split() for line in handle if line.startswith("flags")), [])
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _timed(step: Callable[[], None], steps: int) -> Tuple[float, float]:
    """Wall seconds and process CPU seconds per step, after one untimed warm-up step."""
    step()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    return (time.perf_counter() - wall) / steps, (time.process_time() - cpu) / steps


def _autocast(bf16: bool):
    return torch.autocast(device_type="cpu", dtype=torch.bfloat16, enabled=bf16)


def peak(channels: int, size: int, batch: int, steps: int, bf16: bool) -> Dict[str, float]:
    conv = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
    image = torch.rand(batch, channels, size, size, requires_grad=True)
    flops = 3 * 2 * batch * size * size * channels * channels * 9

    def step() -> None:
        with _autocast(bf16):
            out = conv(image)
        out.float().sum().backward()

    wall, cpu = _timed(step, steps)
    return {"flops": flops, "wallSeconds": wall, "cpuSeconds": cpu}


def recipe_step(config_json: dict, steps: int, bf16: bool, channels_last: bool) -> Dict[str, float]:
    """One full training step (forward, loss, backward, optimiser) on a batch of crops."""
    config = config_from_json(config_json)
    model = build_model(config, 2)
    optimizer = build_optimizer(model.parameters(), config)
    size, batch = config.crop, config.batch_size
    images = torch.rand(batch, 1, size, size)
    targets = torch.zeros(batch, 2, size // 4, size // 4)
    flops = 3 * forward_flops(model, images)
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    images = images.contiguous(memory_format=memory_format)

    def step() -> None:
        with _autocast(bf16):
            heatmap, _ = model(images)
        loss = batch_loss(heatmap, targets, config.lam, config.rho, config.loss_epsilon)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    wall, cpu = _timed(step, steps)
    return {"flops": flops, "wallSeconds": wall, "cpuSeconds": cpu, "crops": batch,
            "parameters": sum(p.numel() for p in model.parameters())}


def run_efficiency(recipes: Dict[str, dict], steps: int, settings: str) -> None:
    """Emits `peak` (best of three large convolutions) and one `step` per recipe and setting."""
    bf16_native = native_bf16()
    emit("cpu", threads=torch.get_num_threads(), nativeBf16=bf16_native)
    precisions = [False, True] if bf16_native else [False]
    for bf16 in precisions:
        trials = [peak(channels, size, 4, steps, bf16) for channels, size in ((64, 128), (128, 64), (256, 32))]
        best = max(trials, key=lambda t: t["flops"] / t["cpuSeconds"])
        emit("peak", precision="bf16" if bf16 else "fp32", **best)
    wanted = settings.split(",")
    for name, config_json in recipes.items():
        for setting, bf16, channels_last in (("fp32", False, False), ("fp32 channels-last", False, True),
                                             ("bf16 channels-last", True, True), ("bf16", True, False)):
            if setting not in wanted or (bf16 and not bf16_native):
                continue
            emit("step", recipe=name, setting=setting, precision="bf16" if bf16 else "fp32",
                 **recipe_step(config_json, steps, bf16, channels_last))
