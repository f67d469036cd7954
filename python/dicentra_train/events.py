"""JSON-lines events on stdout: the worker's only output there. Logs go to stderr.

Events (one JSON object per line, key "event"):
  started  — run set up: classes, images per split, parameters, device, zeroLoss
  decode   — images decoded into the cache (done, total, split)
  batch    — a training batch finished (epoch, batch, batches, loss)
  epoch    — an epoch finished (trainLoss, valLoss, precision, recall, seconds)
  member   — an ONNX member was written and appended to bundle.json
  interrupted — stopped on request; the bundle holds every finished member
  done     — training finished
  error    — the run failed (code from dicentra's error catalogue, message, hint)
  check, bench — answers of the `check` and `bench` subcommands
"""

import json
import math
import sys
from typing import Any


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(item) for item in value]
    return value


def emit(event: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, **_clean(fields)}) + "\n")
    sys.stdout.flush()


def log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
