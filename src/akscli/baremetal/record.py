"""Record what a machine answers a probe: ``nvml.json`` and ``sysfs.txt``, the two files
``akscli baremetal probe --replay`` reads back.

A recording is how a GPU node's answers travel to where there is no GPU: a bug report, a test
fixture, a demo. It holds exactly what the probe asks (the replay's keys, ``nvml_replay``), in the
format of ../shared/data/gpu-probe/*/nvml.json: each answer, or ``{"error": "NVMLError_...",
"message": ...}`` where NVML raised. Serial numbers are never asked, so there is nothing to redact.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from akscli import timestamps
from akscli.baremetal.nvml_replay import (
    NVML_AGGREGATE_ECC,
    NVML_MEMORY_ERROR_TYPE_UNCORRECTED,
    NVML_NVLINK_MAX_LINKS,
    NVML_TEMPERATURE_GPU,
    NVML_VOLATILE_ECC,
)
from akscli.baremetal.probe import load_nvml
from akscli.baremetal.sysfs import FsSysfs, SysfsReader, check_sysfs_root, read_rdma
from akscli.errors import UsageError

NVML_FILE = "nvml.json"
SYSFS_FILE = "sysfs.txt"


class _Answers:
    """Calls NVML functions and keeps each answer, or the NVML error it raised, as JSON."""

    def __init__(self, nvml: Any) -> None:
        self.nvml = nvml
        self.error: type[BaseException] = getattr(nvml, "NVMLError", Exception)

    def __call__(self, fn: str, *args: Any, shape: Callable[[Any], Any] = lambda v: v) -> Any:
        try:
            return shape(getattr(self.nvml, fn)(*args))
        except self.error as exc:
            return {"error": type(exc).__name__, "message": str(exc)}


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _answered(value: Any) -> bool:
    return not (isinstance(value, dict) and "error" in value)


def _links(ask: _Answers, handle: Any, max_links: int) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = []
    for link in range(max_links):
        entry: dict[str, Any] = {"link": link, "state": ask("nvmlDeviceGetNvLinkState", handle, link, shape=int)}
        if _answered(entry["state"]) and entry["state"]:
            entry["version"] = ask("nvmlDeviceGetNvLinkVersion", handle, link, shape=int)
            entry["remote_pci_bus_id"] = ask(
                "nvmlDeviceGetNvLinkRemotePciInfo", handle, link, shape=lambda p: _text(p.busId)
            )
        links.append(entry)
    return links


def _device(nvml: Any, ask: _Answers, index: int) -> dict[str, Any]:
    handle = nvml.nvmlDeviceGetHandleByIndex(index)
    uncorrected = NVML_MEMORY_ERROR_TYPE_UNCORRECTED
    return {
        "index": index,
        "name": ask("nvmlDeviceGetName", handle, shape=_text),
        "uuid": ask("nvmlDeviceGetUUID", handle, shape=_text),
        "pci_bus_id": ask("nvmlDeviceGetPciInfo", handle, shape=lambda p: _text(p.busId)),
        "memory": ask(
            "nvmlDeviceGetMemoryInfo", handle, shape=lambda m: {"total": m.total, "used": m.used, "free": m.free}
        ),
        "cuda_compute_capability": ask("nvmlDeviceGetCudaComputeCapability", handle, shape=list),
        "pcie_link_gen_current": ask("nvmlDeviceGetCurrPcieLinkGeneration", handle),
        "pcie_link_gen_max": ask("nvmlDeviceGetMaxPcieLinkGeneration", handle),
        "pcie_link_width_current": ask("nvmlDeviceGetCurrPcieLinkWidth", handle),
        "pcie_link_width_max": ask("nvmlDeviceGetMaxPcieLinkWidth", handle),
        "ecc_mode": ask("nvmlDeviceGetEccMode", handle, shape=list),
        "ecc_volatile_uncorrected": ask("nvmlDeviceGetTotalEccErrors", handle, uncorrected, NVML_VOLATILE_ECC),
        "ecc_aggregate_uncorrected": ask("nvmlDeviceGetTotalEccErrors", handle, uncorrected, NVML_AGGREGATE_ECC),
        "retired_pages_pending": ask("nvmlDeviceGetRetiredPagesPendingStatus", handle, shape=int),
        "remapped_rows": ask("nvmlDeviceGetRemappedRows", handle, shape=list),
        "mig_mode": ask("nvmlDeviceGetMigMode", handle, shape=list),
        "power_limit_mw": ask("nvmlDeviceGetPowerManagementLimit", handle),
        "enforced_power_limit_mw": ask("nvmlDeviceGetEnforcedPowerLimit", handle),
        "temperature_c": ask("nvmlDeviceGetTemperature", handle, NVML_TEMPERATURE_GPU),
        "persistence_mode": ask("nvmlDeviceGetPersistenceMode", handle, shape=int),
        "nvlink": _links(ask, handle, int(getattr(nvml, "NVML_NVLINK_MAX_LINKS", NVML_NVLINK_MAX_LINKS))),
    }


def record_nvml(nvml: Any) -> dict[str, Any]:
    """Every NVML answer the probe reads, in the replay's format; a failed start is kept as
    ``init_error`` so that the replay fails the same way."""
    error: type[BaseException] = getattr(nvml, "NVMLError", Exception)
    recording: dict[str, Any] = {"recorded_by": "akscli baremetal probe --record", "recorded_at": _now()}
    try:
        nvml.nvmlInit()
    except error as exc:
        recording["init_error"] = type(exc).__name__
        return recording
    try:
        ask = _Answers(nvml)
        recording["driver_version"] = ask("nvmlSystemGetDriverVersion", shape=_text)
        recording["nvml_version"] = ask("nvmlSystemGetNVMLVersion", shape=_text)
        recording["cuda_driver_version"] = ask("nvmlSystemGetCudaDriverVersion")
        count = ask("nvmlDeviceGetCount")
        recording["device_count"] = count
        devices: list[Any] = []
        for index in range(count if isinstance(count, int) else 0):
            try:
                devices.append(_device(nvml, ask, index))
            except error as exc:  # a GPU off the bus: the replay raises the same for its handle
                devices.append({"error": type(exc).__name__, "message": str(exc)})
        recording["devices"] = devices
    finally:
        with contextlib.suppress(error):
            nvml.nvmlShutdown()
    return recording


def _now() -> str:
    return timestamps.format()


class _RecordingSysfs:
    """A SysfsReader that remembers each directory listed and each file read, in order."""

    def __init__(self, inner: SysfsReader) -> None:
        self.inner = inner
        self.listed: list[str] = []
        self.read_files: dict[str, str] = {}

    def listdir(self, path: str) -> list[str]:
        self.listed.append(path)
        return self.inner.listdir(path)

    def read(self, path: str) -> str | None:
        value = self.inner.read(path)
        if value is not None:
            self.read_files[path] = value
        return value


def _ls_line(entry: Path) -> str:
    """One `ls -ln` line (mode, links, uid, gid, size, time, name[ -> target]): the listing
    ``ListingSysfs.from_listing`` reads, as `ls -l` prints it."""
    info = entry.lstat()
    when = time.strftime("%b %d %H:%M", time.gmtime(info.st_mtime))
    line = (
        f"{stat.filemode(info.st_mode)} {info.st_nlink} {info.st_uid} {info.st_gid} {info.st_size} {when} {entry.name}"
    )
    if entry.is_symlink():
        line += f" -> {os.readlink(entry)}"
    return line


def record_sysfs(sysfs_root: str | Path) -> str:
    """What the probe reads under /sys, as ``ls -l`` blocks for directories and ``head``'s
    ``==> FILE <==`` blocks for files."""
    root = Path(sysfs_root)
    recorder = _RecordingSysfs(FsSysfs(root))
    read_rdma(recorder)
    blocks: list[str] = []
    for path in recorder.listed:
        directory = root / path.lstrip("/")
        names = recorder.inner.listdir(path)
        blocks.append("\n".join([f"{path}:", *(_ls_line(directory / name) for name in names)]))
    blocks += [f"==> {path} <==\n{value}" for path, value in recorder.read_files.items()]
    return "\n\n".join(blocks) + "\n"


def record_host(folder: str | Path, nvml: Any | None = None, sysfs_root: str | Path = "/") -> Path:
    """Write this machine's answers (``nvml.json``, ``sysfs.txt``) into ``folder``; ``nvml`` is
    pynvml unless given."""
    check_sysfs_root(sysfs_root)
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise UsageError(f"--record takes a folder; {str(folder)!r} is a file", hint="name a new or existing folder")
    recording = record_nvml(load_nvml() if nvml is None else nvml)
    target.mkdir(parents=True, exist_ok=True)
    (target / NVML_FILE).write_text(json.dumps(recording, indent=1) + "\n", encoding="utf-8")
    (target / SYSFS_FILE).write_text(record_sysfs(sysfs_root), encoding="utf-8")
    return target
