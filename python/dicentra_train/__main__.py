"""Command line of the worker (started by `dicentra train`; usable by hand).

    python -m dicentra_train check
    python -m dicentra_train train --data DATASET.json --out RUN_DIR [--config-json JSON] [--resume] [--nproc N]
    python -m dicentra_train torch-forward --run RUN_DIR --input X.f32 --shape N,1,H,W --out-prefix P
    python -m dicentra_train bench [--sizes ...]
    python -m dicentra_train bench-efficiency --recipes-json JSON [--threads N]

stdout carries JSON lines only (events.py); logs and tracebacks go to stderr.
Exit codes: 0 done, 2 configuration, 3 input files, 4 training failed, 130 interrupted.
"""

import argparse
import json
import sys
import traceback
from typing import List, Optional

from .errors import WorkerError
from .events import emit, log


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print usage and exit 2 itself
        raise WorkerError("DCN_E_USAGE", f"worker arguments: {message}", hint="see `python -m dicentra_train --help`", exit_code=2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m dicentra_train", description="dicentra training worker")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="print the torch version and devices as one JSON line")
    train = commands.add_parser("train", help="train a bundle")
    train.add_argument("--data", required=True)
    train.add_argument("--out", required=True)
    train.add_argument("--config-json", default="{}", help="config keys (camelCase) as one JSON object")
    train.add_argument("--resume", action="store_true")
    train.add_argument("--nproc", type=int, default=1)
    train.add_argument("--launcher", choices=["spawn", "torchrun"], default="spawn")
    train.add_argument("--command-line", default=None, help="the user's command, recorded in bundle.json")
    train.add_argument("--chromosome-width", type=float, default=None,
                       help="the training images' chromosome width in pixels, recorded in bundle.json")
    forward = commands.add_parser("torch-forward", help="run the run's last state in PyTorch on a raw float32 input")
    forward.add_argument("--run", required=True)
    forward.add_argument("--input", required=True)
    forward.add_argument("--shape", required=True)
    forward.add_argument("--out-prefix", required=True)
    bench = commands.add_parser("bench", help="training throughput")
    bench.add_argument("--config-json", default="{}")
    bench.add_argument("--size", default="896x1008", help="HxW of the whole-image setting")
    bench.add_argument("--batch", type=int, default=2)
    bench.add_argument("--steps", type=int, default=3)
    bench.add_argument("--precisions", default="fp32,bf16")
    efficiency = commands.add_parser("bench-efficiency", help="a training step's FLOP rate against the processor's peak")
    efficiency.add_argument("--recipes-json", required=True, help='{"NAME": {config keys}, …}; each needs crop')
    efficiency.add_argument("--steps", type=int, default=3)
    efficiency.add_argument("--threads", type=int, default=None)
    efficiency.add_argument("--settings", default="fp32,fp32 channels-last,bf16 channels-last,bf16")
    return parser


def _check() -> int:
    import torch

    emit("check", torch=torch.__version__, cuda=torch.cuda.is_available(),
         gpus=[torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())],
         threads=torch.get_num_threads(), python=sys.version.split()[0])
    return 0


def _train(args: argparse.Namespace) -> int:
    from .interrupt import StopFlag
    from .setup import RunRequest, prepare_run
    from .train import train_process

    try:
        overrides = json.loads(args.config_json)
    except json.JSONDecodeError as error:
        raise WorkerError("DCN_E_JSON_INVALID", f"--config-json is not valid JSON: {error}", exit_code=2) from error
    if not isinstance(overrides, dict):
        raise WorkerError("DCN_E_SCHEMA_INVALID", "--config-json must be a JSON object", exit_code=2)
    if args.nproc < 1:
        raise WorkerError("DCN_E_OPTION_INVALID", "--nproc must be ≥ 1", field="--nproc", hint="e.g. --nproc 2", exit_code=2)
    request = RunRequest(args.data, args.out, overrides, args.resume, args.command_line, args.nproc,
                         args.chromosome_width)
    if args.launcher == "torchrun":
        from .distributed import torchrun_training

        return 130 if torchrun_training(request) == "interrupted" else 0
    stop = StopFlag()
    stop.install()
    setup = prepare_run(request)
    if args.nproc > 1:
        from .distributed import spawn_training

        return spawn_training(setup, args.nproc)
    return 130 if train_process(setup, stop) == "interrupted" else 0


def main(argv: Optional[List[str]] = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command == "check":
            return _check()
        if args.command == "train":
            return _train(args)
        if args.command == "torch-forward":
            from .forward import torch_forward

            torch_forward(args.run, args.input, [int(v) for v in args.shape.split(",")], args.out_prefix)
            return 0
        if args.command == "bench-efficiency":
            import torch

            from .step_efficiency import run_efficiency

            if args.threads:
                torch.set_num_threads(args.threads)
            run_efficiency(json.loads(args.recipes_json), args.steps, args.settings)
            return 0
        from .bench import run_bench

        run_bench(args)
        return 0
    except WorkerError as error:
        event = error.to_event()
        emit(event.pop("event"), **event)
        log(f"error[{error.code}]: {error.message}" + (f"\n  hint: {error.hint}" if error.hint else ""))
        return error.exit_code
    except KeyboardInterrupt:
        emit("interrupted", epoch=None, finishedEpoch=None)
        return 130
    except Exception as error:  # noqa: BLE001 - the bridge needs an event for any failure
        traceback.print_exc(file=sys.stderr)
        emit("error", code="DCN_E_TRAINING_FAILED", message=f"{type(error).__name__}: {error}",
             hint="see the traceback in the run log; report it if the inputs are valid")
        return 4


if __name__ == "__main__":
    sys.exit(main())
