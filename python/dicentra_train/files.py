"""Atomic writes and file hashes: readers see the old file or the whole new one."""

import hashlib
import json
import os
from typing import Any, Callable


def write_atomic(path: str, write: Callable[[str], None]) -> None:
    """Calls write(temp_path), fsyncs the result and renames it over `path`."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    temp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        write(temp)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def write_json_atomic(path: str, value: Any) -> None:
    def write(temp: str) -> None:
        with open(temp, "w", encoding="utf-8") as handle:
            json.dump(value, handle, indent=2)
            handle.write("\n")

    write_atomic(path, write)


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
