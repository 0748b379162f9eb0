"""What a GPU probe reports: each GPU, each RDMA port, and the anomalies found in them (read by
``baremetal probe``, its JSON read back by ``baremetal inventory``). Moved out of probe.py, which
reads the hardware."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from akscli.errors import UsageError

SCHEMA_VERSION = 1


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
    # The power limit software asked for (NVML nvmlDeviceGetPowerManagementLimit) and the one the
    # driver enforces after every limiter, the out-of-band one too (nvmlDeviceGetEnforcedPowerLimit),
    # named as DCGM names them (NVIDIA/DCGM 72fa3fe dcgmlib/dcgm_fields.h
    # DCGM_FI_DEV_BOARD_POWER_LIMIT_REQUESTED_WATTS and _ENFORCED_WATTS, read with those two calls in
    # dcgmlib/src/DcgmCacheManager.cpp); None where NVML does not answer.
    power_limit_requested_w: float | None = None
    power_limit_enforced_w: float | None = None
    temperature_c: int | None = None
    # NVML's persistence mode (nvidia-smi -q: <persistence_mode>); None where NVML does not answer.
    persistence_mode: bool | None = None

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

    def warnings(self) -> list[Anomaly]:
        """The anomalies that do not block GPU work (each printed as a ``warning:`` line)."""
        return [a for a in self.anomalies if a.severity != "error"]

    def blocking(self) -> tuple[str, str] | None:
        """The blocking anomalies as the probe's one error line and its hint (exit 9), or None."""
        return blocking_summary([("", a) for a in self.anomalies], " on this machine")

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
        "power_limit": _power_limit(g),
        "uuid": g.uuid,
        "bus": g.pci_bus_id,
    }


def _power_limit(g: Gpu) -> str:
    """The enforced limit, and the requested one where it differs (``500 W (700 W requested)``)."""
    enforced, requested = g.power_limit_enforced_w, g.power_limit_requested_w
    if enforced is None:
        return f"{requested:g} W requested" if requested is not None else "n/a"
    differs = requested is not None and requested != enforced
    return f"{enforced:g} W" + (f" ({requested:g} W requested)" if differs else "")


# Keys an older probe image wrote, and what they are now: power_limit_w was NVML's
# PowerManagementLimit, the requested limit.
_RENAMED = {"power_limit_w": "power_limit_requested_w"}


def _known(cls: type, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of ``raw`` that ``cls`` has: a probe image built from a newer akscli may report
    fields this one does not know (inventory runs whatever --image the user built), and a report
    must not be refused for them. A key this one needs and lacks still fails."""
    names = {f.name for f in fields(cls)}
    renamed = {_RENAMED.get(k, k): v for k, v in raw.items() if _RENAMED.get(k) not in raw}
    return {k: v for k, v in renamed.items() if k in names}


def report_from_dict(data: Mapping[str, Any]) -> ProbeReport:
    """The inverse of ``ProbeReport.to_dict`` (what inventory reads back from probe pods)."""
    try:
        gpus = []
        for raw in data["gpus"]:
            known = _known(Gpu, raw)
            known.pop("nvlinks", None)
            gpus.append(Gpu(**known, nvlinks=[NvLink(**_known(NvLink, link)) for link in raw.get("nvlinks", [])]))
        return ProbeReport(
            node=str(data["node"]),
            kernel=str(data.get("kernel", "")),
            driver_version=str(data["driver_version"]),
            cuda_version=str(data["cuda_version"]),
            nvml_version=data.get("nvml_version"),
            gpus=gpus,
            rdma=[RdmaPort(**_known(RdmaPort, p)) for p in data.get("rdma", [])],
            anomalies=[Anomaly(**_known(Anomaly, a)) for a in data.get("anomalies", [])],
            schema_version=int(data.get("schema_version", SCHEMA_VERSION)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(
            f"not a probe report: {exc}", hint="expected the output of 'akscli baremetal probe -o json'"
        ) from exc


# ---- anomalies ------------------------------------------------------------------------------

SHOWN = 3  # blocking anomalies (or failed nodes) an error line names; the rest are counted


def first_few(items: Sequence[str]) -> str:
    """``a, b, c and 4 more``: the first SHOWN of ``items``, the rest counted."""
    more = len(items) - SHOWN
    return ", ".join(items[:SHOWN]) + (f" and {more} more" if more > 0 else "")


def blocking_summary(found: Sequence[tuple[str, Anomaly]], where: str = "") -> tuple[str, str] | None:
    """The blocking (error) anomalies of ``found`` (each with the node it is on, or "" on this
    machine) as one error line's text and its hint, or None where none blocks: the warnings are
    printed one a line, the blocking ones are named in the one error line (docs/exit-codes.md)."""
    errors = [(node, a) for node, a in found if a.severity == "error"]
    if not errors:
        return None
    named = first_few([f"{node + ' ' if node else ''}{a.scope}: {a.message}" for node, a in errors])
    node, first = errors[0]
    hint = f"fix ({node + ' ' if node else ''}{first.scope}): {first.fix}"
    if len(errors) > 1:
        hint += "; -o json lists every anomaly with its fix"
    return f"{len(errors)} blocking anomal{'y' if len(errors) == 1 else 'ies'}{where}: {named}", hint


def find_anomalies(gpus: list[Gpu], rdma: list[RdmaPort]) -> list[Anomaly]:
    found: list[Anomaly] = []
    for g in gpus:
        found += _memory_anomalies(g, f"gpu {g.index}")
        found += _link_anomalies(g, f"gpu {g.index}")
        found += _setting_anomalies(g, f"gpu {g.index}")
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


def _setting_anomalies(g: Gpu, scope: str) -> list[Anomaly]:
    """A power limit enforced below the one requested, and persistence mode off: both what DCGM's
    diagnostic reports, as warnings (upstream: NVIDIA/DCGM 72fa3fe dcgmlib/dcgm_errors.h
    DCGM_FR_ENFORCED_POWER_LIMIT "Enforced power limit ... too low", severity MONITOR, and
    DCGM_FR_PERSISTENCE_MODE "Persistence mode for GPU %u is disabled." with the fix below,
    severity CONFIG, dcgmlib/src/dcgm_errors.c; nvvs/src/Software.cpp checkPersistenceMode sets
    NVVS_RESULT_WARN). NVML's documentation of nvmlDeviceGetEnforcedPowerLimit: it "can be
    different from the nvmlDeviceGetPowerManagementLimit if other limits are set elsewhere",
    the out-of-band power limit interface included."""
    found: list[Anomaly] = []
    enforced, requested = g.power_limit_enforced_w, g.power_limit_requested_w
    if enforced is not None and requested is not None and enforced < requested:
        found.append(
            Anomaly(
                scope,
                "warning",
                f"the enforced power limit is {enforced:g} W, below the {requested:g} W requested: "
                "another limiter caps the GPU (such as the host's out-of-band power limit)",
                "ask the hardware provider about the host's power cap; 'nvidia-smi -q -d POWER' shows the limits",
            )
        )
    if g.persistence_mode is False:
        found.append(
            Anomaly(
                scope,
                "warning",
                "persistence mode is disabled",
                f"enable it as root: nvidia-smi -i {g.index} -pm 1",
            )
        )
    return found
