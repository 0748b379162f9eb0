"""Node-local GPU and RDMA probe: NVML through nvidia-ml-py, RDMA ports through sysfs.

Two seams keep the probe testable without hardware, and keep tests on the production code path:

* ``nvml``: anything with pynvml's function names. Production passes the ``pynvml`` module;
  tests pass ``RecordedNvml`` (``nvml_replay``), which answers from a recording (``nvml.json``) and raises the same
  ``NVMLError_*`` classes the real library raises.
* ``sysfs``: a ``SysfsReader`` (``listdir`` and ``read``). Production reads the real filesystem
  (``FsSysfs("/")``); tests read a temporary tree or a recorded ``ls -l`` listing.

What the probe reports, and the anomalies it flags, are in ``report``; the sysfs readers and the
RDMA ports in ``sysfs``.

Exit code: every "cannot probe" case (no bindings, no driver, no library, no GPU) raises
``NotInstalledError`` (exit 7, docs/baremetal.md), with one line saying which one it is.
"""

from __future__ import annotations

import os
import platform
import socket
from pathlib import Path
from typing import Any

from akscli.baremetal.nvml_replay import (
    NVML_NVLINK_MAX_LINKS,
    RecordedNvml,
)
from akscli.baremetal.report import Anomaly, Gpu, NvLink, ProbeReport, find_anomalies
from akscli.baremetal.sysfs import FsSysfs, ListingSysfs, SysfsReader, check_sysfs_root, read_rdma
from akscli.errors import NotInstalledError, UsageError

# ---- NVML ------------------------------------------------------------------------------------


def load_nvml() -> Any:
    """The pynvml module, or NotInstalledError when nvidia-ml-py is not installed."""
    try:
        import pynvml
    except ImportError as exc:
        raise NotInstalledError(
            "cannot probe GPUs: the NVML Python bindings (nvidia-ml-py) are not installed",
            hint="pip install nvidia-ml-py (or pip install 'akscli[probe]')",
        ) from exc
    return pynvml


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _cannot_probe(exc: Exception) -> NotInstalledError:
    kind = type(exc).__name__
    if kind == "NVMLError_LibraryNotFound":
        return NotInstalledError(
            "cannot probe GPUs: no NVIDIA driver on this machine (libnvidia-ml.so was not found)",
            hint="install the NVIDIA driver, or run the probe in a pod that requests nvidia.com/gpu",
        )
    if kind == "NVMLError_DriverNotLoaded":
        return NotInstalledError(
            "cannot probe GPUs: the NVIDIA driver is installed but not loaded",
            hint="check 'dmesg | grep -i nvrm' and the driver pod of the GPU Operator",
        )
    if kind == "NVMLError_NoPermission":
        return NotInstalledError(
            "cannot probe GPUs: no permission to open the NVIDIA devices",
            hint="run as root on the host, or in a privileged pod",
        )
    return NotInstalledError(
        f"cannot probe GPUs: NVML failed to start ({exc})", hint="check the NVIDIA driver with nvidia-smi"
    )


class _Query:
    """Calls one NVML function; an unsupported query becomes None instead of an exception."""

    def __init__(self, nvml: Any) -> None:
        self.nvml = nvml
        self.error: type[BaseException] = getattr(nvml, "NVMLError", Exception)

    def __call__(self, fn: str, *args: Any) -> Any:
        try:
            return getattr(self.nvml, fn)(*args)
        except self.error:
            return None


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _gpu(nvml: Any, q: _Query, index: int) -> Gpu:
    h = nvml.nvmlDeviceGetHandleByIndex(index)
    memory = q("nvmlDeviceGetMemoryInfo", h)
    cc = q("nvmlDeviceGetCudaComputeCapability", h)
    ecc = q("nvmlDeviceGetEccMode", h)
    remapped = q("nvmlDeviceGetRemappedRows", h)
    mig = q("nvmlDeviceGetMigMode", h)
    pci = q("nvmlDeviceGetPciInfo", h)
    requested = q("nvmlDeviceGetPowerManagementLimit", h)
    enforced = q("nvmlDeviceGetEnforcedPowerLimit", h)
    links: list[NvLink] = []
    max_links = int(getattr(nvml, "NVML_NVLINK_MAX_LINKS", NVML_NVLINK_MAX_LINKS))
    for link in range(max_links):
        state = q("nvmlDeviceGetNvLinkState", h, link)
        if state is None:
            continue
        active = bool(state)
        remote = q("nvmlDeviceGetNvLinkRemotePciInfo", h, link) if active else None
        links.append(
            NvLink(
                link=link,
                active=active,
                version=q("nvmlDeviceGetNvLinkVersion", h, link) if active else None,
                remote_pci_bus_id=_text(remote.busId) if remote is not None else None,
            )
        )
    return Gpu(
        index=index,
        name=_text(q("nvmlDeviceGetName", h) or "unknown"),
        uuid=_text(q("nvmlDeviceGetUUID", h) or ""),
        pci_bus_id=_text(pci.busId) if pci is not None else "",
        memory_total_mib=int(memory.total) // (1024 * 1024) if memory is not None else 0,
        compute_capability=f"{cc[0]}.{cc[1]}" if cc is not None else "unknown",
        ecc_enabled=_flag(ecc[0]) if ecc is not None else None,
        ecc_pending_enabled=_flag(ecc[1]) if ecc is not None else None,
        ecc_volatile_uncorrected=q(
            "nvmlDeviceGetTotalEccErrors", h, nvml.NVML_MEMORY_ERROR_TYPE_UNCORRECTED, nvml.NVML_VOLATILE_ECC
        ),
        ecc_aggregate_uncorrected=q(
            "nvmlDeviceGetTotalEccErrors", h, nvml.NVML_MEMORY_ERROR_TYPE_UNCORRECTED, nvml.NVML_AGGREGATE_ECC
        ),
        retired_pages_pending=_flag(q("nvmlDeviceGetRetiredPagesPendingStatus", h)),
        remapped_rows_correctable=remapped[0] if remapped is not None else None,
        remapped_rows_uncorrectable=remapped[1] if remapped is not None else None,
        remapped_rows_pending=_flag(remapped[2]) if remapped is not None else None,
        remapped_rows_failure=_flag(remapped[3]) if remapped is not None else None,
        pcie_gen=q("nvmlDeviceGetCurrPcieLinkGeneration", h),
        pcie_gen_max=q("nvmlDeviceGetMaxPcieLinkGeneration", h),
        pcie_width=q("nvmlDeviceGetCurrPcieLinkWidth", h),
        pcie_width_max=q("nvmlDeviceGetMaxPcieLinkWidth", h),
        mig_enabled=_flag(mig[0]) if mig is not None else None,
        mig_pending_enabled=_flag(mig[1]) if mig is not None else None,
        nvlink_supported=bool(links),
        nvlinks=links,
        power_limit_requested_w=requested / 1000 if requested is not None else None,
        power_limit_enforced_w=enforced / 1000 if enforced is not None else None,
        temperature_c=q("nvmlDeviceGetTemperature", h, nvml.NVML_TEMPERATURE_GPU),
        persistence_mode=_flag(q("nvmlDeviceGetPersistenceMode", h)),
    )


def cuda_version(driver_cuda: int) -> str:
    """NVML's CUDA driver version integer (13000) as 'major.minor' (13.0)."""
    return f"{driver_cuda // 1000}.{(driver_cuda % 1000) // 10}"


def probe(nvml: Any, sysfs: SysfsReader, *, node: str | None = None, kernel: str | None = None) -> ProbeReport:
    """Read every GPU through ``nvml`` and every RDMA port through ``sysfs``."""
    try:
        nvml.nvmlInit()
    except getattr(nvml, "NVMLError", Exception) as exc:
        raise _cannot_probe(exc) from exc
    try:
        q = _Query(nvml)
        count = int(q("nvmlDeviceGetCount") or 0)
        if count == 0:
            raise NotInstalledError(
                "cannot probe GPUs: the NVIDIA driver is loaded but sees no GPU",
                hint="check that the VM size has GPUs and that the GPU is passed through (lspci)",
            )
        driver_cuda = q("nvmlSystemGetCudaDriverVersion")
        gpus: list[Gpu] = []
        lost: list[Anomaly] = []
        for index in range(count):
            try:
                gpus.append(_gpu(nvml, q, index))
            except q.error as exc:
                # A GPU that fell off the bus must not hide the others: report it and go on.
                lost.append(
                    Anomaly(
                        f"gpu {index}",
                        "error",
                        f"the GPU cannot be read ({exc})",
                        "drain the node and reset the GPU; 'dmesg' shows Xid errors",
                    )
                )
        nvml_version = q("nvmlSystemGetNVMLVersion")
        driver = q("nvmlSystemGetDriverVersion")
    finally:
        try:
            nvml.nvmlShutdown()
        except getattr(nvml, "NVMLError", Exception):
            pass
    rdma = read_rdma(sysfs)
    return ProbeReport(
        node=node or os.environ.get("NODE_NAME") or socket.gethostname(),
        kernel=kernel or platform.release(),
        driver_version=_text(driver) if driver is not None else "unknown",
        cuda_version=cuda_version(int(driver_cuda)) if driver_cuda is not None else "unknown",
        nvml_version=_text(nvml_version) if nvml_version is not None else None,
        gpus=gpus,
        rdma=rdma,
        anomalies=lost + find_anomalies(gpus, rdma),
    )


def probe_host(sysfs_root: str = "/", node: str | None = None) -> ProbeReport:
    """Probe the machine this runs on (or, in a pod, the host sysfs under ``sysfs_root``)."""
    check_sysfs_root(sysfs_root)
    return probe(load_nvml(), FsSysfs(sysfs_root), node=node)


def replay(recording_dir: str | Path, node: str | None = None) -> ProbeReport:
    """Probe a recorded machine: ``nvml.json`` (+ ``sysfs.txt`` when present) in ``recording_dir``."""
    directory = Path(recording_dir)
    if not directory.is_dir():
        raise UsageError(
            f"--replay takes a folder holding nvml.json (and sysfs.txt); {str(recording_dir)!r} is not a folder",
            hint="for example: --replay ../shared/data/gpu-probe/h100-80gb-hbm3-vm",
        )
    if not (directory / "nvml.json").is_file():
        raise UsageError(
            f"folder {str(recording_dir)!r} has no nvml.json recording",
            hint="--replay takes the folder a probe recording was saved in (nvml.json, sysfs.txt)",
        )
    nvml = RecordedNvml.from_file(directory / "nvml.json")
    listing = directory / "sysfs.txt"
    sysfs: SysfsReader = (
        ListingSysfs.from_listing(listing.read_text(encoding="utf-8")) if listing.is_file() else ListingSysfs({})
    )
    return probe(nvml, sysfs, node=node or directory.name, kernel="recorded")
