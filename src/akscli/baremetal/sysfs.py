"""The sysfs the GPU probe reads RDMA ports from: the real filesystem (``FsSysfs``) or a recorded
``ls -l`` listing (``ListingSysfs``). Moved out of probe.py, which reads the GPUs through NVML."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from akscli.baremetal.report import RdmaPort
from akscli.errors import UsageError

INFINIBAND = "/sys/class/infiniband"


class SysfsReader(Protocol):
    def listdir(self, path: str) -> list[str]:
        """Entry names of a directory; an empty list when it does not exist."""

    def read(self, path: str) -> str | None:
        """A file's text, stripped; None when it does not exist or cannot be read."""


class FsSysfs:
    """The real filesystem under ``root`` (``/`` on a host; a mount point in a pod)."""

    def __init__(self, root: str | Path = "/") -> None:
        self.root = Path(root)

    def _path(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def listdir(self, path: str) -> list[str]:
        try:
            return sorted(os.listdir(self._path(path)))
        except OSError:
            return []

    def read(self, path: str) -> str | None:
        try:
            return self._path(path).read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return None


class ListingSysfs:
    """Directories recorded as ``ls -l`` output (``<dir>:`` then entries), and files as ``head``
    prints several (``==> <file> <==`` then its text), as ``akscli baremetal probe --record`` writes."""

    def __init__(self, dirs: Mapping[str, list[str]], files: Mapping[str, str] | None = None) -> None:
        self.dirs = {k.rstrip("/"): list(v) for k, v in dirs.items()}
        self.files = dict(files or {})

    @classmethod
    def from_listing(cls, text: str) -> ListingSysfs:
        dirs: dict[str, list[str]] = {}
        files: dict[str, str] = {}
        current: str | None = None
        current_file: str | None = None
        for line in text.splitlines():
            file_header = re.match(r"^==> (/\S+) <==$", line)
            if file_header:
                current, current_file = None, file_header.group(1)
                files[current_file] = ""
                continue
            if current_file is not None:
                if line.strip():
                    files[current_file] = (files[current_file] + "\n" + line).strip()
                    continue
                current_file = None
            header = re.match(r"^(/\S+):$", line)
            if header:
                current = header.group(1)
                dirs[current] = []
                continue
            if current is None:
                continue
            if not line.strip():
                current = None
                continue
            parts = line.split()
            # "drwxr-xr-x 2 root root 0 Nov 26 15:42 name [-> target]": the name is field 9.
            if len(parts) >= 9 and parts[0][:1] in "dl-":
                entry = parts[8]
                if entry not in (".", ".."):
                    dirs[current].append(entry)
        return cls(dirs, files)

    def listdir(self, path: str) -> list[str]:
        return sorted(self.dirs.get(path.rstrip("/"), []))

    def read(self, path: str) -> str | None:
        return self.files.get(path)


def check_sysfs_root(sysfs_root: str | Path) -> None:
    """``sysfs_root`` must hold a mounted sysfs (``sys/class``): a wrong mount would otherwise
    read as a node without RDMA ports."""
    if not (Path(sysfs_root) / "sys" / "class").is_dir():
        raise UsageError(
            f"--sysfs-root {str(sysfs_root)!r} has no sys/class: it must be the folder the host's /sys is under",
            hint="on a host: --sysfs-root / (the default); in a pod with the host's /sys mounted at /host/sys: "
            "--sysfs-root /host",
        )


# ---- RDMA ports ---------------------------------------------------------------------------


def _port_number(name: str) -> int:
    return int(name) if name.isdigit() else 0


def _strip_code(value: str | None) -> str | None:
    """sysfs writes states as '4: ACTIVE'; keep the word."""
    if value is None:
        return None
    return value.split(":", 1)[1].strip() if ":" in value else value


def read_rdma(sysfs: SysfsReader) -> list[RdmaPort]:
    ports: list[RdmaPort] = []
    for device in sysfs.listdir(INFINIBAND):
        base = f"{INFINIBAND}/{device}/ports"
        for port in sysfs.listdir(base):
            ports.append(
                RdmaPort(
                    device=device,
                    port=_port_number(port),
                    state=_strip_code(sysfs.read(f"{base}/{port}/state")) or "UNKNOWN",
                    physical_state=_strip_code(sysfs.read(f"{base}/{port}/phys_state")),
                    rate=sysfs.read(f"{base}/{port}/rate"),
                    link_layer=sysfs.read(f"{base}/{port}/link_layer"),
                )
            )
    return ports
