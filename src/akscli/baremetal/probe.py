"""Node-local GPU and RDMA probe: NVML through nvidia-ml-py, RDMA ports through sysfs.

Two seams keep the probe testable without hardware, and keep tests on the production code path:

* ``nvml``: anything with pynvml's function names. Production passes the ``pynvml`` module;
  tests pass ``RecordedNvml`` (``nvml_replay``), which answers from a recording (``nvml.json``) and raises the same
  ``NVMLError_*`` classes the real library raises.
* ``sysfs``: a ``SysfsReader`` (``listdir`` and ``read``). Production reads the real filesystem
  (``FsSysfs("/")``); tests read a temporary tree or a recorded ``ls -l`` listing.

Exit code: every "cannot probe" case (no bindings, no driver, no library, no GPU) raises
``NotInstalledError`` (exit 7, docs/baremetal.md), with one line saying which one it is.
"""

from __future__ import annotations

import os
import platform
import re
import socket
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from akscli.baremetal.nvml_replay import (
    NVML_NVLINK_MAX_LINKS,
    RecordedNvml,
)
from akscli.errors import NotInstalledError, UsageError

SCHEMA_VERSION = 1
INFINIBAND = "/sys/class/infiniband"


# ---- the report ------------------------------------------------------------------------------


@dataclass
class NvLink:
    link: int
    active: bool
    version: int | None = None
    remote_pci_bus_id: str | None = None


@dataclass
class Gpu:
    index: int
    name: str
    uuid: str
    pci_bus_id: str
    memory_total_mib: int
    compute_capability: str
    ecc_enabled: bool | None
    ecc_pending_enabled: bool | None
    ecc_volatile_uncorrected: int | None
    ecc_aggregate_uncorrected: int | None
    retired_pages_pending: bool | None
    remapped_rows_correctable: int | None
    remapped_rows_uncorrectable: int | None
    remapped_rows_pending: bool | None
    remapped_rows_failure: bool | None
    pcie_gen: int | None
    pcie_gen_max: int | None
    pcie_width: int | None
    pcie_width_max: int | None
    mig_enabled: bool | None
    mig_pending_enabled: bool | None
    nvlink_supported: bool
    nvlinks: list[NvLink] = field(default_factory=list)
    power_limit_w: float | None = None
    temperature_c: int | None = None

    @property
    def nvlinks_active(self) -> int:
        return sum(1 for link in self.nvlinks if link.active)


@dataclass
class RdmaPort:
    device: str
    port: int
    state: str
    physical_state: str | None
    rate: str | None
    link_layer: str | None


@dataclass
class Anomaly:
    scope: str  # "gpu 0", "mlx5_0/1"
    severity: str  # "error" blocks GPU work, "warning" does not
    message: str
    fix: str


@dataclass
class ProbeReport:
    node: str
    kernel: str
    driver_version: str
    cuda_version: str
    nvml_version: str | None
    gpus: list[Gpu]
    rdma: list[RdmaPort]
    anomalies: list[Anomaly]
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for gpu, raw in zip(self.gpus, data["gpus"], strict=True):
            raw["nvlinks_active"] = gpu.nvlinks_active
        return data

    def rows(self) -> list[dict[str, Any]]:
        """One row per GPU for the probe's table: each value as a person reads it."""
        return [_gpu_row(g, self.driver_version, self.cuda_version) for g in self.gpus]


def _on_off(value: bool | None) -> str:
    return "on" if value else ("off" if value is False else "n/a")


def _gpu_row(g: Gpu, driver: str, cuda: str) -> dict[str, Any]:
    if g.remapped_rows_uncorrectable is None:
        remapped = "n/a"
    else:
        remapped = f"{g.remapped_rows_correctable}c/{g.remapped_rows_uncorrectable}u"
        remapped += " pending" if g.remapped_rows_pending else ""
    return {
        "gpu": g.index,
        "name": g.name,
        "memory": f"{g.memory_total_mib} MiB",
        "driver": driver,
        "cuda": cuda,
        "cc": g.compute_capability,
        "ecc": _on_off(g.ecc_enabled),
        "ecc_errors": g.ecc_volatile_uncorrected,
        "remapped": remapped,
        "pcie": f"gen{g.pcie_gen} x{g.pcie_width}" if g.pcie_gen else "n/a",
        "mig": _on_off(g.mig_enabled),
        "nvlink": f"{g.nvlinks_active}/{len(g.nvlinks)} active" if g.nvlink_supported else "not supported",
        "uuid": g.uuid,
        "bus": g.pci_bus_id,
    }


# ---- sysfs -----------------------------------------------------------------------------------


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
    power = q("nvmlDeviceGetPowerManagementLimit", h)
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
        power_limit_w=power / 1000 if power is not None else None,
        temperature_c=q("nvmlDeviceGetTemperature", h, nvml.NVML_TEMPERATURE_GPU),
    )


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


def cuda_version(driver_cuda: int) -> str:
    """NVML's CUDA driver version integer (13000) as 'major.minor' (13.0)."""
    return f"{driver_cuda // 1000}.{(driver_cuda % 1000) // 10}"


def find_anomalies(gpus: list[Gpu], rdma: list[RdmaPort]) -> list[Anomaly]:
    found: list[Anomaly] = []
    for g in gpus:
        found += _memory_anomalies(g, f"gpu {g.index}")
        found += _link_anomalies(g, f"gpu {g.index}")
    for p in rdma:
        if p.state.upper() != "ACTIVE":
            found.append(
                Anomaly(
                    f"{p.device}/{p.port}",
                    "error",
                    f"RDMA port is {p.state} (physical state {p.physical_state or 'unknown'})",
                    "check the cable and the switch port; 'ibstat' shows the details",
                )
            )
    return found


def _memory_anomalies(g: Gpu, scope: str) -> list[Anomaly]:
    """ECC errors, row remapping, page retirement and ECC mode."""
    found: list[Anomaly] = []
    if g.ecc_volatile_uncorrected:
        found.append(
            Anomaly(
                scope,
                "error",
                f"{g.ecc_volatile_uncorrected} uncorrectable ECC errors since the last reset",
                "drain the node and reset the GPU; replace it if errors return",
            )
        )
    if g.remapped_rows_failure:
        found.append(
            Anomaly(
                scope,
                "error",
                "row remapping failed: the GPU ran out of spare rows",
                "drain the node and have the GPU replaced",
            )
        )
    if g.remapped_rows_pending:
        found.append(
            Anomaly(
                scope,
                "error",
                "a row remapping is pending until the GPU is reset",
                "drain the node and reset the GPU (or reboot the node)",
            )
        )
    if g.retired_pages_pending:
        found.append(
            Anomaly(
                scope,
                "error",
                "a page retirement is pending until the GPU is reset",
                "drain the node and reset the GPU (or reboot the node)",
            )
        )
    if g.ecc_enabled is False:
        found.append(Anomaly(scope, "warning", "ECC is off", "enable it with 'nvidia-smi -e 1' and reset the GPU"))
    if g.ecc_enabled is not None and g.ecc_pending_enabled not in (None, g.ecc_enabled):
        found.append(
            Anomaly(scope, "warning", "an ECC mode change is pending a GPU reset", "reset the GPU or reboot the node")
        )
    return found


def _link_anomalies(g: Gpu, scope: str) -> list[Anomaly]:
    """A pending MIG change, a narrow PCIe link, NVLink links down."""
    found: list[Anomaly] = []
    if g.mig_enabled is not None and g.mig_pending_enabled not in (None, g.mig_enabled):
        found.append(
            Anomaly(
                scope,
                "warning",
                "a MIG mode change is pending a GPU reset",
                "reset the GPU, or let the GPU Operator's MIG manager finish",
            )
        )
    if g.pcie_width and g.pcie_width_max and g.pcie_width < g.pcie_width_max:
        found.append(
            Anomaly(
                scope,
                "warning",
                f"PCIe link runs at x{g.pcie_width}, the GPU supports x{g.pcie_width_max}",
                "reseat the GPU or report the host to the hardware provider",
            )
        )
    inactive = [link.link for link in g.nvlinks if not link.active]
    if inactive:
        found.append(
            Anomaly(
                scope,
                "error",
                f"{len(inactive)} of {len(g.nvlinks)} NVLink links are down (links {', '.join(map(str, inactive))})",
                "drain the node; check 'nvidia-smi nvlink -s' and the fabric manager",
            )
        )
    return found


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


def check_sysfs_root(sysfs_root: str | Path) -> None:
    """``sysfs_root`` must hold a mounted sysfs (``sys/class``): a wrong mount would otherwise
    read as a node without RDMA ports."""
    if not (Path(sysfs_root) / "sys" / "class").is_dir():
        raise UsageError(
            f"--sysfs-root {str(sysfs_root)!r} has no sys/class: it must be the folder the host's /sys is under",
            hint="on a host: --sysfs-root / (the default); in a pod with the host's /sys mounted at /host/sys: "
            "--sysfs-root /host",
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


def report_from_dict(data: Mapping[str, Any]) -> ProbeReport:
    """The inverse of ``ProbeReport.to_dict`` (what inventory reads back from probe pods)."""
    try:
        gpus = []
        for raw in data["gpus"]:
            fields = {k: v for k, v in raw.items() if k not in ("nvlinks", "nvlinks_active")}
            gpus.append(Gpu(**fields, nvlinks=[NvLink(**link) for link in raw.get("nvlinks", [])]))
        return ProbeReport(
            node=str(data["node"]),
            kernel=str(data.get("kernel", "")),
            driver_version=str(data["driver_version"]),
            cuda_version=str(data["cuda_version"]),
            nvml_version=data.get("nvml_version"),
            gpus=gpus,
            rdma=[RdmaPort(**p) for p in data.get("rdma", [])],
            anomalies=[Anomaly(**a) for a in data.get("anomalies", [])],
            schema_version=int(data.get("schema_version", SCHEMA_VERSION)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(
            f"not a probe report: {exc}", hint="expected the output of 'akscli baremetal probe -o json'"
        ) from exc
