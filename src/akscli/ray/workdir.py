"""A job's small working directory, shipped as a ConfigMap and mounted into its submitter."""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from akscli.errors import UsageError

# A ConfigMap holds at most 1 MiB (etcd's object limit); keep room for keys and metadata.
WORKDIR_LIMIT_BYTES = 900 * 1024
WORKDIR_MOUNT = "/home/ray/workdir"
WORKDIR_SKIP_DIRS = frozenset(
    {
        ".git",
        "__pycache__",
        ".venv",
        "venv",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "node_modules",
        ".ipynb_checkpoints",
    }
)
WORKDIR_SKIP_SUFFIXES = (".pyc", ".pyo")


@dataclass(frozen=True)
class PackedWorkdir:
    data: dict[str, str]
    binary_data: dict[str, str]
    items: list[dict[str, str]]
    size: int
    files: int
    skipped: list[str]


def _key_for(index: int, rel: str) -> str:
    cleaned = re.sub(r"[^-._a-zA-Z0-9]", "_", rel.replace("/", "."))
    return f"f{index:04d}.{cleaned}"[:250]


def pack_workdir(root: Path, limit: int = WORKDIR_LIMIT_BYTES) -> PackedWorkdir:
    """Read a small directory into ConfigMap data, keeping its tree through volume items.

    Sizes are counted as they will be stored (base64 for binary files) and reading stops as soon
    as the limit is passed, so a large directory is refused without being read.
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        raise UsageError(
            f"working directory {str(root)!r} does not exist or is not a directory",
            hint="give --working-dir a directory with your job's files",
        )
    data: dict[str, str] = {}
    binary: dict[str, str] = {}
    items: list[dict[str, str]] = []
    skipped: list[str] = []
    total = 0
    index = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in WORKDIR_SKIP_DIRS)
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            rel = path.relative_to(root).as_posix()
            if path.is_symlink() or not path.is_file():
                skipped.append(rel)
                continue
            if filename.endswith(WORKDIR_SKIP_SUFFIXES):
                continue
            raw_size = path.stat().st_size
            if total + raw_size > limit:
                _too_big(root, limit)
            content = path.read_bytes()
            key = _key_for(index, rel)
            try:
                data[key] = content.decode("utf-8")
                total += len(content)
            except UnicodeDecodeError:
                encoded = base64.b64encode(content).decode("ascii")
                binary[key] = encoded
                total += len(encoded)
            if total > limit:
                _too_big(root, limit)
            items.append({"key": key, "path": rel})
            index += 1
    if not items:
        raise UsageError(
            f"working directory {str(root)!r} holds no files",
            hint="put your entrypoint script in it, or leave out --working-dir",
        )
    return PackedWorkdir(data=data, binary_data=binary, items=items, size=total, files=index, skipped=skipped)


def _too_big(root: Path, limit: int) -> None:
    raise UsageError(
        f"working directory {str(root)!r} is over the {limit // 1024} KiB limit of a "
        "ConfigMap-shipped working directory",
        hint="ship code and data in the container image, or upload a zip and set "
        "working_dir: https://.../dir.zip in --runtime-env",
    )


def workdir_configmap_name(job: str) -> str:
    return f"{job}-workdir"


def workdir_values(job: str, namespace: str, packed: PackedWorkdir) -> dict[str, Any]:
    return {
        "name": workdir_configmap_name(job),
        "namespace": namespace,
        "job": job,
        "data": packed.data,
        "binary_data": packed.binary_data,
    }
