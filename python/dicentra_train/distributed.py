"""Data-parallel training with DistributedDataParallel.

One machine: `torch.multiprocessing.spawn` starts `nproc` processes (gloo on
CPU, NCCL on CUDA, one GPU per process). Several machines: start
`python -m dicentra_train train ... --launcher torchrun` under torchrun, which
sets RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT (Debian's torch 1.13 has
no working torchrun under Python 3.11; spawn works there). Only rank 0 writes
the bundle, members and state.
"""

import os
import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from .errors import WorkerError
from .events import emit
from .interrupt import StopFlag
from .setup import RunRequest, Setup, prepare_run
from .train import train_process


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _backend(setup: Setup) -> str:
    return "nccl" if setup.device.startswith("cuda") else "gloo"


def _spawned(rank: int, world: int, setup: Setup, port: int) -> None:
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ["MASTER_PORT"] = str(port)
    stop = StopFlag()
    stop.install()
    dist.init_process_group(_backend(setup), rank=rank, world_size=world)
    try:
        outcome = train_process(setup, stop, rank, world)
        if outcome == "interrupted":
            raise SystemExit(130)
    except WorkerError as error:
        if rank == 0:
            event = error.to_event()
            emit(event.pop("event"), **event)
        raise SystemExit(error.exit_code)
    finally:
        dist.destroy_process_group()


def spawn_training(setup: Setup, nproc: int) -> int:
    """Runs nproc processes on this machine; returns the exit code for the worker."""
    if setup.device.startswith("cuda") and torch.cuda.device_count() < nproc:
        raise WorkerError("DCN_E_OPTION_INVALID", f"--nproc {nproc} needs {nproc} GPUs; this machine has {torch.cuda.device_count()}",
                          field="--nproc", hint="lower --nproc or use --device cpu", exit_code=2)
    try:
        mp.spawn(_spawned, args=(nproc, setup, _free_port()), nprocs=nproc, join=True)
    except mp.ProcessExitedException as error:
        return error.exit_code if error.exit_code and error.exit_code > 0 else 4
    except mp.ProcessRaisedException as error:
        raise WorkerError("DCN_E_TRAINING_FAILED", f"a training process failed: {error}",
                          hint="see the log above; rerun with --nproc 1 to get a simpler trace") from error
    return 0


def torchrun_training(request: RunRequest) -> str:
    """Runs this process as one rank of a torchrun job (RANK, WORLD_SIZE, MASTER_* set by
    torchrun). Rank 0 prepares the run (cache, bundle) and hands the setup to the others."""
    stop = StopFlag()
    stop.install()
    backend = "nccl" if torch.cuda.is_available() and request.overrides.get("device", "auto") != "cpu" else "gloo"
    dist.init_process_group(backend)
    try:
        holder = [prepare_run(request) if dist.get_rank() == 0 else None]
        dist.broadcast_object_list(holder, src=0)
        return train_process(holder[0], stop, dist.get_rank(), dist.get_world_size())
    finally:
        dist.destroy_process_group()
